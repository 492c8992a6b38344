// What a client does with a daemon of another version (DESIGN.md "Protocol"): replace an older one, use a newer one
// that speaks the same protocol, refuse a newer incompatible one. An older client never replaces a newer daemon, so
// two windows of different versions cannot replace each other in a loop.
import semver from 'semver';
import { PROTOCOL_VERSION, type DaemonHandshake } from '../protocol';
import { DaemonError } from './errors';

export type Verdict = { action: 'use' } | { action: 'replace'; reason: string };

export function judgeDaemon(daemonVersion: string, handshake: DaemonHandshake, clientVersion: string, settingsMtimeMs: number | null): Verdict {
  const daemon = semver.valid(daemonVersion);
  const client = semver.valid(clientVersion);
  if (daemon && client && semver.gt(daemon, client)) {
    if (handshake.protocol !== PROTOCOL_VERSION) {
      throw new DaemonError(
        `the running ccc daemon ${daemonVersion} speaks protocol ${handshake.protocol}, this ccc ${clientVersion} speaks ${PROTOCOL_VERSION}: reload the window / upgrade ccc`,
      );
    }
    return { action: 'use' };
  }
  if (daemon && client && semver.lt(daemon, client)) return { action: 'replace', reason: `daemon ${daemonVersion} is older than ${clientVersion}` };
  if (handshake.settingsMtimeMs !== settingsMtimeMs) return { action: 'replace', reason: 'the global settings changed' };
  return { action: 'use' };
}

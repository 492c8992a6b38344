// Finding a usable daemon: probe the socket, apply the version policy, clean up after a dead daemon, start one.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { cccHome, homePaths, type HomePaths } from '../paths';
import { StopRequest, type ClientKind, type DaemonHandshake } from '../protocol';
import { VERSION } from '../version';
import { readCrashCount, readExitRecord, readPidFile, writeCrashCount } from '../server/lifecycle-files';
import { DaemonError } from './errors';
import { trySession, type DaemonSession } from './session';
import { spawnDaemon } from './spawn-daemon';
import { judgeDaemon } from './version-policy';

export interface ClientOptions {
  client: ClientKind;
  /** Default cccHome(). */
  home?: string;
  /** Default the build's version. */
  version?: string;
  /** Default dist/daemon.js beside this bundle. */
  daemonScript?: string;
  /** Default process.execPath. */
  nodePath?: string;
  /** Extra env for the spawned daemon (e.g. ELECTRON_RUN_AS_NODE=1). */
  env?: NodeJS.ProcessEnv;
  /** Default true. */
  autoStart?: boolean;
  notify?: (message: string) => void;
}

export const CLIENT_VERSION: string = VERSION;

const MAX_CRASH_RESTARTS = 3;
const PID_VANISH_TIMEOUT_MS = 10_000;
/** How long a live pid with no socket may be a daemon in the middle of shutting down. */
const SHUTDOWN_GRACE_MS = 1500;

interface Resolved {
  paths: HomePaths;
  version: string;
}

function resolveOptions(options: ClientOptions): Resolved {
  return { paths: homePaths(options.home ?? cccHome()), version: options.version ?? CLIENT_VERSION };
}

/** A session with a daemon this client may use, starting or replacing the daemon as needed. */
export async function ensureSession(options: ClientOptions): Promise<DaemonSession> {
  const { paths, version } = resolveOptions(options);
  mkdirSync(paths.home, { recursive: true, mode: 0o700 });
  let crashedPid: number | null = null;
  for (let attempt = 0; attempt < 4; attempt++) {
    const session = await trySession(paths.socket, options.client, version);
    if (session) {
      const verdict = judgeDaemon(session.daemonVersion, session.handshake, version, settingsMtimeMs(paths));
      if (verdict.action === 'use') {
        if (crashedPid !== null) options.notify?.(`the previous daemon (pid ${crashedPid}) crashed; restarted it`);
        return session;
      }
      options.notify?.(`restarting the ccc daemon: ${verdict.reason}`);
      await stopSession(session, paths);
      continue;
    }
    if (options.autoStart === false) throw new DaemonError('the ccc daemon is not running');
    crashedPid = (await settlePreviousDaemon(paths)) ?? crashedPid;
    await spawnDaemon({ ...options, paths }, () => socketAnswers(paths));
  }
  throw new DaemonError(`could not reach a usable ccc daemon on ${paths.socket}; see ${paths.log}`);
}

export async function ensureDaemon(options: ClientOptions): Promise<{ socket: string; daemonVersion: string; handshake: DaemonHandshake }> {
  const session = await ensureSession(options);
  session.close();
  return { socket: resolveOptions(options).paths.socket, daemonVersion: session.daemonVersion, handshake: session.handshake };
}

/** The running daemon's session without starting or replacing anything; null when none answers. */
export function sessionIfRunning(options: ClientOptions): Promise<DaemonSession | null> {
  const { paths, version } = resolveOptions(options);
  return trySession(paths.socket, options.client, version);
}

/** Asks the daemon to stop and returns once its pid file is gone. */
export async function stopSession(session: DaemonSession, paths: HomePaths): Promise<void> {
  const pid = session.handshake.pid;
  // The daemon may close the connection before its answer arrives; the pid file tells when it is done.
  await session.connection.sendRequest(StopRequest).catch(() => {});
  session.close();
  const deadline = Date.now() + PID_VANISH_TIMEOUT_MS;
  while (readPidFile(paths.home) === pid) {
    if (Date.now() > deadline) throw new DaemonError(`the ccc daemon (pid ${pid}) did not stop within ${PID_VANISH_TIMEOUT_MS / 1000} s; kill it`);
    await delay(10);
  }
}

/**
 * Nothing answers on the socket. Waits out a daemon that is shutting down; recognises a crashed one (its pid is dead
 * and last_exit does not name it) and returns its pid, or throws after too many crashes in a row. A pid file naming a
 * live process that never answers is left alone: the pid was reused by something else.
 */
async function settlePreviousDaemon(paths: HomePaths): Promise<number | null> {
  const pid = readPidFile(paths.home);
  if (pid === null) return null;
  const deadline = Date.now() + SHUTDOWN_GRACE_MS;
  while (isAlive(pid) && readPidFile(paths.home) === pid && Date.now() < deadline) {
    if (await socketAnswers(paths)) return null;
    await delay(25);
  }
  if (isAlive(pid) || readPidFile(paths.home) !== pid) return null;
  if (readExitRecord(paths.home)?.pid === pid) {
    rmSync(paths.pid, { force: true });
    return null;
  }
  // The pid file stays until `ccc daemon restart`, so every client keeps refusing to restart a daemon that keeps crashing.
  const crashes = readCrashCount(paths.home);
  if (crashes >= MAX_CRASH_RESTARTS) {
    throw new DaemonError(`the ccc daemon crashed ${crashes} times in a row; see ${paths.log}, then run: ccc daemon restart`);
  }
  writeCrashCount(paths.home, crashes + 1);
  rmSync(paths.pid, { force: true });
  return pid;
}

async function socketAnswers(paths: HomePaths): Promise<boolean> {
  const session = await trySession(paths.socket, 'cli', CLIENT_VERSION);
  session?.close();
  return session !== null;
}

function settingsMtimeMs(paths: HomePaths): number | null {
  try {
    return statSync(paths.settings).mtimeMs;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// A project of TypeScript's own lib/*.d.ts (large real files, several batches per pass): passes long enough to act on
// mid-pass. The caller deletes the folder.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StatusRequest } from '../../daemon/protocol';
import { isAlive, waitFor } from './process';
import { connectRaw } from './raw';

const TS_LIB = resolve(__dirname, '..', '..', 'node_modules', 'typescript', 'lib');
/**
 * Copies of the lib files: more files make the passes longer. Each copy starts with its own line, so its files are new
 * contents that must be parsed (a known content would be reused whole); their chunks' equal texts cost one embedding.
 */
const COPIES = 3;

export function makeDtsProject(): string {
  const root = mkdtempSync('/tmp/ccc-dts-');
  mkdirSync(join(root, '.git'));
  const libs = readdirSync(TS_LIB).filter((name) => name.endsWith('.d.ts'));
  for (let copy = 0; copy < COPIES; copy++) {
    mkdirSync(join(root, `copy${copy}`));
    for (const name of libs) writeFileSync(join(root, `copy${copy}`, name), `// copy ${copy}\n${readFileSync(join(TS_LIB, name), 'utf8')}`);
  }
  return root;
}

/** Exited: gone, or a zombie that this container's init has not reaped yet (that takes it up to ~2 s here). */
export function exited(pid: number | null): boolean {
  if (!isAlive(pid)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits until the daemon of `home` reports `root` as being indexed. */
export async function untilIndexing(home: string, root: string): Promise<void> {
  const raw = await connectRaw(home, { client: 'cli' });
  try {
    await waitFor(async () => (await raw.connection.sendRequest(StatusRequest, { root })).state === 'indexing', 60_000, 'the pass to start');
  } finally {
    raw.close();
  }
}

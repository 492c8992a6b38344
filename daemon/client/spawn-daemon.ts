// Starting the daemon: detached, in its own session, output to daemon.log; then waiting until it answers.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HomePaths } from '../paths';
import { DaemonError } from './errors';

const START_TIMEOUT_MS = 30_000;
/**
 * glibc malloc's environment for the daemon (ignored elsewhere; a value already in the environment wins). By default a
 * freed large block raises the size malloc serves from its heap instead of mmap, so after the first index of 100k
 * chunks ~155 MB of freed typed arrays and buffers stayed resident in the heap, pinned below live blocks. A fixed
 * 128 KiB threshold keeps large blocks in their own mappings, returned to the OS when freed: 47 MB of heap instead.
 */
const MALLOC_ENV = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };
const LOG_TAIL_LINES = 8;

export interface SpawnOptions {
  paths: HomePaths;
  daemonScript?: string;
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
}

/** dist/daemon.js beside the running bundle (dist/ccc.js or dist/extension.js). */
export function defaultDaemonScript(): string {
  return join(__dirname, 'daemon.js');
}

/**
 * Spawns a daemon and resolves once `answers()` is true. A daemon that exits 0 lost the bind to another one, which
 * is then waited for; one that exits otherwise fails the start at once with the tail of its log.
 */
export async function spawnDaemon(options: SpawnOptions, answers: () => Promise<boolean>): Promise<void> {
  const script = options.daemonScript ?? defaultDaemonScript();
  if (!existsSync(script)) throw new DaemonError(`cannot start the ccc daemon: ${script} is missing; reinstall ccc`);
  const logFd = openSync(options.paths.log, 'a', 0o600);
  let exit: { code: number | null; signal: string | null } | null = null;
  try {
    const child = spawn(options.nodePath ?? process.execPath, [script], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      // Not the caller's folder, which may be deleted while the daemon runs (the daemon also moves to its home itself).
      cwd: options.paths.home,
      env: { ...MALLOC_ENV, ...process.env, ...options.env, CCC_HOME: options.paths.home },
      windowsHide: true,
    });
    child.on('error', () => (exit = { code: -1, signal: null }));
    child.on('exit', (code, signal) => (exit = { code, signal }));
    child.unref();
  } finally {
    closeSync(logFd);
  }
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (await answers()) return;
    const ended = exit as { code: number | null; signal: string | null } | null;
    if (ended && ended.code !== 0) {
      throw new DaemonError(`the ccc daemon exited while starting (${ended.signal ?? `code ${ended.code}`}); ${logTail(options.paths.log)}`);
    }
    if (Date.now() > deadline) {
      throw new DaemonError(`the ccc daemon did not answer within ${START_TIMEOUT_MS / 1000} s; ${logTail(options.paths.log)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function logTail(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES);
    return `last lines of ${log}:\n${lines.join('\n')}`;
  } catch {
    return `see ${log}`;
  }
}

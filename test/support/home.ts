// A throw-away CCC_HOME for one test file.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { daemonProcesses, isAlive, waitFor } from './process';

export interface TempHome {
  dir: string;
  /** Stops every daemon of this home (SIGTERM, then SIGKILL after 5 s) and deletes the folder. */
  cleanup(): Promise<void>;
}

/** A short path under /tmp so the socket fits in the OS limit (pass a long prefix to test the fallback). */
export function makeTempHome(prefix = 'ccc-'): TempHome {
  const dir = mkdtempSync(join('/tmp', prefix));
  return { dir, cleanup: () => stopAndRemove(dir) };
}

// Found by their CCC_HOME, not by the pid file: tests plant pid files naming unrelated processes.
async function stopAndRemove(dir: string): Promise<void> {
  for (const pid of daemonProcesses(dir)) {
    process.kill(pid, 'SIGTERM');
    await waitFor(() => !isAlive(pid), 5000, `daemon ${pid} to exit`).catch(() => process.kill(pid, 'SIGKILL'));
  }
  rmSync(dir, { recursive: true, force: true });
}

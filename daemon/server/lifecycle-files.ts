// The files in CCC_HOME through which a daemon and the next client learn about each other's lives:
// daemon.pid (who runs), last_exit (who exited cleanly, and why), crash_count (crashes in a row).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { homePaths } from '../paths';

export interface ExitRecord {
  pid: number;
  /** ISO time of the exit. */
  time: string;
  reason: string;
}

export function readPidFile(home: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(homePaths(home).pid, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function writePidFile(home: string, pid: number): void {
  writeFileSync(homePaths(home).pid, `${pid}\n`, { mode: 0o600 });
}

/** Removes the pid file only while it still names `pid`: a successor may already have written its own. */
export function removePidFile(home: string, pid: number): void {
  if (readPidFile(home) === pid) rmSync(homePaths(home).pid, { force: true });
}

export function readExitRecord(home: string): ExitRecord | null {
  try {
    return JSON.parse(readFileSync(homePaths(home).lastExit, 'utf8')) as ExitRecord;
  } catch {
    return null;
  }
}

export function writeExitRecord(home: string, record: ExitRecord): void {
  writeFileSync(homePaths(home).lastExit, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

function crashCountFile(home: string): string {
  return join(home, 'crash_count');
}

export function readCrashCount(home: string): number {
  try {
    return Number.parseInt(readFileSync(crashCountFile(home), 'utf8'), 10) || 0;
  } catch {
    return 0;
  }
}

export function writeCrashCount(home: string, count: number): void {
  writeFileSync(crashCountFile(home), `${count}\n`, { mode: 0o600 });
}

export function resetCrashCount(home: string): void {
  rmSync(crashCountFile(home), { force: true });
}

// How every ccc command reports: exit codes, one-line errors on stderr, JSON on stdout.
import { CommanderError } from 'commander';
import { ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes } from '../protocol';

export const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

/** A wrong use of a command that commander cannot see (e.g. two options that exclude each other): exits 2. */
export class UsageError extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Warnings and notices go to stderr so stdout stays parseable. */
export function notice(message: string): void {
  process.stderr.write(`ccc: ${message}\n`);
}

/** Prints the error (never a stack trace) and returns the exit code it deserves. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help / version).
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ccc: ${message}\n`);
  // The daemon refuses a parameter the user got wrong (an unknown language, a bad glob) with InvalidParams.
  const misused = error instanceof UsageError || (error instanceof ResponseError && error.code === ErrorCodes.InvalidParams);
  return misused ? ExitCode.Usage : ExitCode.Failure;
}

/** A byte count as people read it: B, KB, MB or GB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

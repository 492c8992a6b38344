// `ccc grep`, as the CLI and the MCP server run it: one connection, matches handed over batch by batch as the daemon
// finds them, and a pattern that does not parse turned into a message that points at the place.
import { ProgressType, ResponseError } from 'vscode-jsonrpc';
import { ErrorCodes, GrepRequest, type GrepMatch, type GrepParams, type GrepPatternErrorData, type GrepProgress, type GrepResult } from '../protocol';
import type { ClientOptions } from './ensure-daemon';
import { withDaemon } from './index';

export async function runGrep(params: Omit<GrepParams, 'workDoneToken'>, options: ClientOptions, onMatches: (matches: GrepMatch[]) => void): Promise<GrepResult> {
  const token = `ccc-grep-${process.pid}-${Date.now()}`;
  return withDaemon(options, async (session) => {
    session.connection.onProgress(new ProgressType<GrepProgress>(), token, (progress) => {
      if (progress.matches.length > 0) onMatches(progress.matches);
    });
    return session.connection.sendRequest(GrepRequest, { ...params, workDoneToken: token });
  });
}

/** For a pattern that does not parse: the message, then the pattern's line and a caret under the place it fails. */
export function patternErrorText(error: unknown, pattern: string): string | undefined {
  if (!(error instanceof ResponseError) || error.code !== ErrorCodes.InvalidParams) return undefined;
  const data = error.data as GrepPatternErrorData | undefined;
  if (typeof data?.line !== 'number' || typeof data.column !== 'number') return undefined;
  const line = pattern.split('\n')[data.line - 1] ?? '';
  const caret = `${' '.repeat(Math.max(0, data.column - 1))}^`;
  return `${error.message}:\n  ${line}\n  ${caret}`;
}

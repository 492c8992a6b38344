// The MCP server's requests to the daemon: one connection per call, as every short-lived front end does.
import { withDaemon, type ClientOptions } from '../client';
import { runDoctor } from '../doctor/run-doctor';
import { patternErrorText, runGrep } from '../client/grep';
import {
  IndexRequest,
  SearchRequest,
  StatusRequest,
  type DoctorCheck,
  type GrepMatch,
  type GrepParams,
  type GrepResult,
  type IndexParams,
  type IndexResult,
  type ProjectStatus,
  type SearchParams,
  type SearchResult,
} from '../protocol';

// Notices (a daemon restarted) go to stderr: stdout carries MCP messages only.
const options: ClientOptions = { client: 'mcp', notify: (message) => process.stderr.write(`ccc: ${message}\n`) };

export function searchProject(params: SearchParams): Promise<SearchResult> {
  return withDaemon(options, (session) => session.connection.sendRequest(SearchRequest, params));
}

export function projectStatus(root: string): Promise<ProjectStatus> {
  return withDaemon(options, (session) => session.connection.sendRequest(StatusRequest, { root }));
}

export function indexProject(params: IndexParams): Promise<IndexResult> {
  return withDaemon(options, (session) => session.connection.sendRequest(IndexRequest, params));
}

export function projectDoctor(root: string): Promise<DoctorCheck[]> {
  return runDoctor(root, options, () => {});
}

export async function grepProject(params: Omit<GrepParams, 'workDoneToken'>): Promise<{ result: GrepResult; matches: GrepMatch[] }> {
  const matches: GrepMatch[] = [];
  try {
    const result = await runGrep(params, options, (batch) => matches.push(...batch));
    return { result, matches };
  } catch (error) {
    throw new Error(patternErrorText(error, params.pattern) ?? (error as Error).message);
  }
}

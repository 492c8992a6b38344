// Searches every workspace folder and merges the hits, best first. Used by the panel, the QuickPick, the chat tool
// and the chat participant, so they all show the same results for the same query.
import * as vscode from 'vscode';
import { SearchRequest, SimilarRequest, type SearchFilters, type SearchMode, type SearchResult } from '../daemon/protocol';
import type { PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';

export interface SearchOptions extends SearchFilters {
  mode?: SearchMode;
  limit?: number;
  /** Also the hits under the no-match floor. */
  includeWeak?: boolean;
}

export interface Hits {
  hits: PanelHit[];
  tookMs: number;
  /** No folder had a hit above the no-match floor: nothing here is a confident answer. */
  noGoodMatch: boolean;
  /** Hits under the floor that were left out, over every folder. */
  weakHits: number;
  /** What the daemon kept of a query it had to cut. */
  queryNote?: string;
  /** An index pass was running in some folder while it answered: the hits may be incomplete. */
  indexing: boolean;
}

function merge(ctx: Ctx, answers: Array<{ root: string; result: SearchResult }>, limit: number, started: number): Hits {
  const hits = answers
    .flatMap(({ root, result }) => result.results.map((hit) => ({ ...hit, root, folder: ctx.folderName(root) })))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  return {
    hits,
    tookMs: Date.now() - started,
    noGoodMatch: answers.every(({ result }) => result.noGoodMatch),
    weakHits: answers.reduce((n, { result }) => n + result.weakHits, 0),
    queryNote: answers.find(({ result }) => result.queryNote)?.result.queryNote,
    indexing: answers.some(({ result }) => result.indexing),
  };
}

function noFolder(): Error {
  return new Error('Open a folder first: ccc searches the workspace folders.');
}

export async function searchFolders(ctx: Ctx, query: string, options: SearchOptions = {}, token?: vscode.CancellationToken): Promise<Hits> {
  const roots = ctx.roots();
  if (roots.length === 0) throw noFolder();
  const client = await ctx.connect();
  const limit = options.limit ?? ctx.config.resultCount;
  const started = Date.now();
  const answers = await Promise.all(roots.map(async (root) => ({
    root,
    result: await client.sendRequest(SearchRequest, {
      root, query, limit, mode: options.mode ?? ctx.config.defaultMode,
      languages: options.languages, paths: options.paths, kinds: options.kinds, includeWeak: options.includeWeak,
    }, token),
  })));
  return merge(ctx, answers, limit, started);
}

/** Code like the given lines of a file, from every folder (the file's own chunk excluded by the daemon). */
export async function similarTo(ctx: Ctx, file: vscode.Uri, startLine: number, endLine: number): Promise<Hits> {
  const folder = vscode.workspace.getWorkspaceFolder(file);
  if (!folder) throw new Error('Find Similar works on files inside a workspace folder: open the file from one.');
  const client = await ctx.connect();
  const limit = ctx.config.resultCount;
  const started = Date.now();
  const code = (await vscode.workspace.openTextDocument(file)).getText(new vscode.Range(startLine - 1, 0, endLine, 0));
  const answers = await Promise.all(ctx.roots().map(async (root) => ({
    root,
    result: root === folder.uri.fsPath
      ? await client.sendRequest(SimilarRequest, { root, path: file.fsPath, startLine, endLine, limit })
      : await client.sendRequest(SimilarRequest, { root, code, limit }),
  })));
  return merge(ctx, answers, limit, started);
}

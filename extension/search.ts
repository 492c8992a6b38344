// Searches every workspace folder and merges the hits, best first. Used by the panel, the QuickPick, the chat tool
// and the chat participant, so they all show the same results for the same query.
import * as vscode from 'vscode';
import { SearchRequest, SimilarRequest, type SearchFilters, type SearchMode, type SearchResult } from '../daemon/protocol';
import type { PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';

export interface SearchOptions extends SearchFilters {
  mode?: SearchMode;
  limit?: number;
}

export interface Hits {
  hits: PanelHit[];
  tookMs: number;
}

function merge(ctx: Ctx, answers: Array<{ root: string; result: SearchResult }>, limit: number): PanelHit[] {
  return answers
    .flatMap(({ root, result }) => result.results.map((hit) => ({ ...hit, root, folder: ctx.folderName(root) })))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
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
      root, query, limit, mode: options.mode ?? ctx.config.defaultMode, languages: options.languages, paths: options.paths,
    }, token),
  })));
  return { hits: merge(ctx, answers, limit), tookMs: Date.now() - started };
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
  return { hits: merge(ctx, answers, limit), tookMs: Date.now() - started };
}

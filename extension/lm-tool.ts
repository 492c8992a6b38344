// The Copilot tool `ccc_search` (#codesearch): semantic and keyword search over the workspace for a chat model.
import * as vscode from 'vscode';
import type { FileKind } from '../daemon/protocol';
import type { PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';
import { searchFolders, type Hits } from './search';

export const SEARCH_TOOL_NAME = 'ccc_search';

export interface SearchToolInput {
  query: string;
  limit?: number;
  languages?: string[];
  paths?: string[];
  kinds?: FileKind[];
}

/** One hit as a model reads it: where, what, and the code. */
export function hitAsText(hit: PanelHit, multiRoot: boolean): string {
  const where = `${multiRoot ? `${hit.folder}/` : ''}${hit.path}:${hit.startLine}-${hit.endLine}`;
  const kind = hit.kind && hit.kind !== 'code' ? ` [${hit.kind}]` : '';
  return `${where}${hit.symbol ? ` (${hit.symbol})` : ''}${kind} score ${hit.score.toFixed(3)}\n\`\`\`${hit.language}\n${hit.content}\n\`\`\``;
}

/** What to say instead of hits when there is nothing to show; undefined when there are hits. */
export function nothingFound(query: string, answer: Hits): string | undefined {
  if (answer.hits.length > 0) return undefined;
  if (answer.noGoodMatch) {
    const weak = answer.weakHits ? ` (${answer.weakHits} weak hits left out)` : '';
    return `No good match for "${query}" in this workspace: nothing scored above ccc's confidence floor${weak}. `
      + 'The code may not contain it; try an identifier from the code or other words.';
  }
  return `No code found for "${query}". Try other words or fewer filters.`;
}

export class SearchTool implements vscode.LanguageModelTool<SearchToolInput> {
  constructor(private readonly ctx: Ctx) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SearchToolInput>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Searching the code for "${options.input.query}"` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<SearchToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const { query, limit, languages, paths, kinds } = options.input;
    const answer = await searchFolders(this.ctx, query, { limit, languages, paths, kinds }, token);
    const nothing = nothingFound(query, answer);
    if (nothing) return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(nothing)]);
    const multiRoot = this.ctx.roots().length > 1;
    const parts = answer.hits.map((hit) => new vscode.LanguageModelTextPart(hitAsText(hit, multiRoot)));
    if (answer.indexing) parts.push(new vscode.LanguageModelTextPart('(The index was still being built: results may be incomplete.)'));
    if (answer.queryNote) parts.push(new vscode.LanguageModelTextPart(`(${answer.queryNote})`));
    return new vscode.LanguageModelToolResult(parts);
  }
}

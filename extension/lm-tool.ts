// The Copilot tool `ccc_search` (#codesearch): semantic and keyword search over the workspace for a chat model.
import * as vscode from 'vscode';
import type { PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';
import { searchFolders } from './search';

export const SEARCH_TOOL_NAME = 'ccc_search';

export interface SearchToolInput {
  query: string;
  limit?: number;
  languages?: string[];
  paths?: string[];
}

/** One hit as a model reads it: where, what, and the code. */
export function hitAsText(hit: PanelHit, multiRoot: boolean): string {
  const where = `${multiRoot ? `${hit.folder}/` : ''}${hit.path}:${hit.startLine}-${hit.endLine}`;
  return `${where}${hit.symbol ? ` (${hit.symbol})` : ''} score ${hit.score.toFixed(3)}\n\`\`\`${hit.language}\n${hit.content}\n\`\`\``;
}

export class SearchTool implements vscode.LanguageModelTool<SearchToolInput> {
  constructor(private readonly ctx: Ctx) {}

  prepareInvocation(options: vscode.LanguageModelToolInvocationPrepareOptions<SearchToolInput>): vscode.PreparedToolInvocation {
    return { invocationMessage: `Searching the code for "${options.input.query}"` };
  }

  async invoke(options: vscode.LanguageModelToolInvocationOptions<SearchToolInput>, token: vscode.CancellationToken): Promise<vscode.LanguageModelToolResult> {
    const { query, limit, languages, paths } = options.input;
    const { hits } = await searchFolders(this.ctx, query, { limit, languages, paths }, token);
    if (hits.length === 0) {
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(`No code found for "${query}". Try other words or fewer filters.`)]);
    }
    const multiRoot = this.ctx.roots().length > 1;
    return new vscode.LanguageModelToolResult(hits.map((hit) => new vscode.LanguageModelTextPart(hitAsText(hit, multiRoot))));
  }
}

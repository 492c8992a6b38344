// The chat participant `@ccc`: searches the workspace for the prompt, cites the hits, and answers with them when a model is available.
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { hitAsText, nothingFound } from './lm-tool';
import { hitLocation } from './open-hit';
import { searchFolders } from './search';

const INSTRUCTIONS = 'Answer the question about this codebase using the code search results below. '
  + 'Cite files as path:lines. If the results do not answer it, say so and suggest what to search for.';

async function chatModel(request: vscode.ChatRequest): Promise<vscode.LanguageModelChat | undefined> {
  return request.model ?? (await vscode.lm.selectChatModels())[0];
}

export function createChatParticipant(ctx: Ctx): vscode.ChatParticipant {
  const handler: vscode.ChatRequestHandler = async (request, _context, stream, token) => {
    stream.progress('Searching the code…');
    const answer = await searchFolders(ctx, request.prompt, {}, token);
    const nothing = nothingFound(request.prompt, answer);
    if (nothing) {
      stream.markdown(nothing);
      return;
    }
    const { hits } = answer;
    for (const hit of hits) stream.reference(hitLocation(hit));
    const multiRoot = ctx.roots().length > 1;
    const model = await chatModel(request);
    if (model) {
      try {
        const prompt = `${INSTRUCTIONS}\n\nQuestion: ${request.prompt}\n\n${hits.map((h) => hitAsText(h, multiRoot)).join('\n\n')}`;
        const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(prompt)], {}, token);
        for await (const fragment of response.text) stream.markdown(fragment);
        return;
      } catch (error) {
        ctx.log.warn(`chat model failed, listing hits instead: ${error instanceof Error ? error.message : error}`);
      }
    }
    stream.markdown(`Code for "${request.prompt}":\n\n`);
    for (const hit of hits) {
      stream.markdown('- ');
      stream.anchor(hitLocation(hit), `${hit.path}:${hit.startLine}-${hit.endLine}`);
      stream.markdown(`${hit.symbol ? ` — \`${hit.symbol}\`` : ''} (${hit.score.toFixed(2)})\n`);
    }
  };
  const participant = vscode.chat.createChatParticipant('ccc.chat', handler);
  participant.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'media', 'ccc.svg');
  return participant;
}

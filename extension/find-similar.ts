// "ccc: Find Similar Code": code like the selection, or like the definition around the cursor, shown in the panel.
import * as vscode from 'vscode';
import type { PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';
import type { SearchPanel } from './search-panel';
import { similarTo } from './search';

/** Lines (1-based, inclusive) to compare: the selection, or the cursor's line, which the daemon widens to the chunks
 *  (whole definitions) that hold it. A selection ending at the start of a line does not take that line. */
function linesToCompare(editor: vscode.TextEditor): [number, number] {
  const { start, end } = editor.selection;
  const endLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
  return [start.line + 1, endLine];
}

export async function findSimilar(ctx: Ctx, panel: SearchPanel): Promise<PanelHit[]> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new Error('Find Similar needs an editor: open a file and put the cursor in a function or select code.');
  const [startLine, endLine] = linesToCompare(editor);
  const answer = await similarTo(ctx, editor.document.uri, startLine, endLine);
  const name = vscode.workspace.asRelativePath(editor.document.uri);
  await panel.showResults(`code similar to ${name}:${startLine}–${endLine}`, answer);
  return answer.hits;
}

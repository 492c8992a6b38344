// Opens a hit's file with the cursor on its best-matching line and the chunk's lines highlighted for a moment.
// Never a selection: a selected 45-line chunk in a focused editor was replaced by the next keystroke (issue 10).
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Long enough to find the chunk on screen, short enough not to linger as if it meant something. */
const HIGHLIGHT_MS = 3000;
const highlight = vscode.window.createTextEditorDecorationType({
  isWholeLine: true,
  backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
});

export interface HitLocation {
  root: string;
  path: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** 1-based, within startLine..endLine: where the cursor goes. */
  bestLine: number;
}

function hitUri(hit: HitLocation): vscode.Uri {
  return vscode.Uri.file(path.join(hit.root, hit.path));
}

/** The chunk's lines, whole. */
function hitRange(hit: HitLocation): vscode.Range {
  return new vscode.Range(hit.startLine - 1, 0, hit.endLine - 1, Number.MAX_SAFE_INTEGER);
}

/** Where a hit is, as chat references and anchors take it: a position, so opening one puts the cursor there and selects nothing. */
export function hitLocation(hit: HitLocation): vscode.Location {
  return new vscode.Location(hitUri(hit), new vscode.Position(bestLine(hit) - 1, 0));
}

/** The daemon's best line, kept inside the chunk (an older daemon may not send one). */
function bestLine(hit: HitLocation): number {
  return Number.isInteger(hit.bestLine) ? Math.min(hit.endLine, Math.max(hit.startLine, hit.bestLine)) : hit.startLine;
}

export async function openHit(hit: HitLocation, options: { preview?: boolean; preserveFocus?: boolean } = {}): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(hitUri(hit));
  const line = document.lineAt(Math.min(document.lineCount - 1, bestLine(hit) - 1));
  const cursor = new vscode.Position(line.lineNumber, line.firstNonWhitespaceCharacterIndex);
  const editor = await vscode.window.showTextDocument(document, {
    preview: options.preview ?? false,
    preserveFocus: options.preserveFocus ?? false,
    selection: new vscode.Selection(cursor, cursor),
  });
  const chunk = document.validateRange(hitRange(hit));
  // The whole chunk when it fits on screen; then, for a chunk taller than the screen, the best line.
  editor.revealRange(chunk, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  editor.revealRange(new vscode.Range(cursor, cursor), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  flash(editor, chunk);
  return editor;
}

function flash(editor: vscode.TextEditor, range: vscode.Range): void {
  editor.setDecorations(highlight, [range]);
  setTimeout(() => editor.setDecorations(highlight, []), HIGHLIGHT_MS);
}

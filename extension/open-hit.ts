// Opens a hit's file with its line range selected and briefly highlighted.
import * as path from 'node:path';
import * as vscode from 'vscode';

const HIGHLIGHT_MS = 1500;
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
}

export function hitUri(hit: HitLocation): vscode.Uri {
  return vscode.Uri.file(path.join(hit.root, hit.path));
}

export function hitRange(hit: HitLocation): vscode.Range {
  return new vscode.Range(hit.startLine - 1, 0, hit.endLine - 1, Number.MAX_SAFE_INTEGER);
}

export async function openHit(hit: HitLocation, options: { preview?: boolean; preserveFocus?: boolean } = {}): Promise<vscode.TextEditor> {
  const range = hitRange(hit);
  const editor = await vscode.window.showTextDocument(hitUri(hit), {
    preview: options.preview ?? false,
    preserveFocus: options.preserveFocus ?? false,
    selection: new vscode.Selection(range.start, range.start),
  });
  const selected = editor.document.validateRange(range);
  editor.selection = new vscode.Selection(selected.start, selected.end);
  editor.revealRange(selected, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  editor.setDecorations(highlight, [selected]);
  setTimeout(() => editor.setDecorations(highlight, []), HIGHLIGHT_MS);
  return editor;
}

// "ccc: Search Code…": a QuickPick that searches as you type and previews the active hit in the editor.
import * as vscode from 'vscode';
import type { PanelHit } from '../webview/messages';
import type { Ctx } from './ctx';
import { openHit } from './open-hit';
import { searchFolders, type Hits } from './search';

const DEBOUNCE_MS = 200;

interface HitItem extends vscode.QuickPickItem {
  hit: PanelHit;
}

function toItem(hit: PanelHit, multiRoot: boolean): HitItem {
  const lines = hit.content.split('\n');
  const best = lines[hit.bestLine - hit.startLine]?.trim() || lines.find((line) => line.trim())?.trim() || '';
  const kind = hit.kind && hit.kind !== 'code' ? `  [${hit.kind}]` : '';
  return {
    hit,
    label: hit.symbol ? `$(symbol-method) ${hit.symbol}` : `$(file) ${hit.path}`,
    description: `${multiRoot ? `${hit.folder}: ` : ''}${hit.path}:${hit.bestLine}${kind}  ${hit.score.toFixed(2)}`,
    detail: best,
    // The daemon ranks; VS Code must not filter the items against the query text.
    alwaysShow: true,
  };
}

function pickerTitle(query: string, answer: Hits): string | undefined {
  if (answer.hits.length === 0) return answer.noGoodMatch ? `No good match for "${query}"` : `No results for "${query}"`;
  if (answer.indexing) return 'Partial results: indexing is still running';
  return undefined;
}

/** Resolves with the hit the user opened, or undefined when they closed the picker. */
export function quickSearch(ctx: Ctx, initialQuery = ''): Promise<PanelHit | undefined> {
  const picker = vscode.window.createQuickPick<HitItem>();
  picker.placeholder = 'Describe the code or type a name (ccc)';
  picker.matchOnDescription = false;
  picker.matchOnDetail = false;
  const original = vscode.window.activeTextEditor;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  let accepted: PanelHit | undefined;

  const run = async (query: string) => {
    const mine = ++seq;
    if (!query.trim()) {
      picker.items = [];
      return;
    }
    picker.busy = true;
    try {
      const answer = await searchFolders(ctx, query);
      if (mine !== seq) return;
      const multiRoot = ctx.roots().length > 1;
      picker.items = answer.hits.map((hit) => toItem(hit, multiRoot));
      picker.title = pickerTitle(query, answer);
    } catch (error) {
      if (mine === seq) picker.title = `Search failed: ${error instanceof Error ? error.message : error}`;
    } finally {
      if (mine === seq) picker.busy = false;
    }
  };

  return new Promise((resolve) => {
    picker.onDidChangeValue((value) => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(value), DEBOUNCE_MS);
    });
    picker.onDidChangeActive(([item]) => {
      if (item) void openHit(item.hit, { preview: true, preserveFocus: true });
    });
    picker.onDidAccept(async () => {
      const item = picker.activeItems[0];
      if (!item) return;
      accepted = item.hit;
      picker.hide();
      await openHit(item.hit);
      resolve(item.hit);
    });
    picker.onDidHide(() => {
      clearTimeout(timer);
      picker.dispose();
      if (accepted) return;
      // Closing without a choice puts back the editor the preview replaced.
      if (original) {
        void vscode.window.showTextDocument(original.document, { selection: original.selection, viewColumn: original.viewColumn });
      }
      resolve(undefined);
    });
    picker.value = initialQuery;
    picker.show();
    if (initialQuery) void run(initialQuery);
  });
}

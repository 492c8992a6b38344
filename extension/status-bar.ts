// The status bar item: the index state of the window's folders at a glance; a click opens the status view.
import * as vscode from 'vscode';
import type { PanelIndexState } from '../webview/messages';
import type { Ctx } from './ctx';

function look(index: PanelIndexState): { text: string; tooltip: string } {
  switch (index.state) {
    case 'ready': return { text: `$(search) ccc ${index.chunks}`, tooltip: `ccc: ${index.files} files, ${index.chunks} chunks indexed` };
    case 'indexing': return { text: `$(sync~spin) ccc ${index.percentage ?? 0}%`, tooltip: 'ccc: indexing' };
    case 'loading': return { text: '$(sync~spin) ccc', tooltip: 'ccc: loading the index' };
    case 'connecting': return { text: '$(sync~spin) ccc', tooltip: 'ccc: connecting to the daemon' };
    case 'notIndexed': return { text: '$(search) ccc', tooltip: 'ccc: not indexed yet (the first search indexes)' };
    case 'stopped': return { text: '$(debug-disconnect) ccc stopped', tooltip: 'ccc: the daemon is stopped; it starts again on the next search' };
    case 'noFolder': return { text: '$(search) ccc', tooltip: 'ccc: open a folder to search it' };
    case 'unreachable': return { text: '$(error) ccc', tooltip: `ccc: daemon not reachable: ${index.message ?? ''}` };
    case 'error': return { text: '$(error) ccc', tooltip: `ccc: index error: ${index.message ?? ''}` };
  }
}

export function createStatusBar(ctx: Ctx): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem('ccc.status', vscode.StatusBarAlignment.Left, 0);
  item.name = 'ccc';
  item.command = 'ccc.showStatus';
  const update = () => {
    const index = ctx.indexState();
    const { text, tooltip } = look(index);
    item.text = text;
    item.tooltip = `${tooltip}\nClick for details.`;
    item.backgroundColor = index.state === 'error' || index.state === 'unreachable'
      ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  };
  update();
  ctx.push(item, ctx.onDidChange(update));
  item.show();
  return item;
}

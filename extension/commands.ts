// Every command, as a factory from the window's context to its handler (one table, registered in main.ts).
// Handlers return their result so tests and other extensions can use them through `executeCommand`.
import * as vscode from 'vscode';
import { stopDaemon } from '../daemon/client';
import { homePaths } from '../daemon/paths';
import type { Ctx } from './ctx';
import type { DoctorView } from './doctor-view';
import { findSimilar } from './find-similar';
import { daemonClientOptions } from './language-client';
import { quickSearch } from './quick-search';
import type { SearchPanel } from './search-panel';
import type { StatusView } from './status-view';

export interface Parts {
  ctx: Ctx;
  panel: SearchPanel;
  status: StatusView;
  doctor: DoctorView;
  launcher: string;
}

type Handler = (...args: any[]) => unknown;

export const commands: Record<string, (parts: Parts) => Handler> = {
  'ccc.search': ({ ctx }) => (query?: string) => quickSearch(ctx, typeof query === 'string' ? query : ''),
  'ccc.openSearchPanel': ({ panel }) => (query?: string) => panel.reveal(typeof query === 'string' ? query : undefined),
  'ccc.findSimilar': ({ ctx, panel }) => () => findSimilar(ctx, panel),
  'ccc.structuralSearch': ({ panel }) => async (pattern?: string) => {
    const selected = vscode.window.activeTextEditor?.document.getText(vscode.window.activeTextEditor.selection).trim();
    const given = typeof pattern === 'string' ? pattern : await vscode.window.showInputBox({
      title: 'ccc: Structural Search',
      prompt: 'Code with metavariables: $NAME matches one node, $$$ any sequence, $_ one node not captured',
      placeHolder: 'fetch($URL, { method: "POST", $$$ })',
      value: selected && !selected.includes('\n') ? selected : undefined,
    });
    if (given?.trim()) await panel.reveal(given.trim(), 'structural');
  },
  'ccc.reindex': ({ ctx }) => () => ctx.index(),
  'ccc.showStatus': ({ status }) => () => status.show(),
  'ccc.runDoctor': ({ doctor }) => () => doctor.run(),
  'ccc.stopDaemon': ({ ctx }) => async () => {
    await ctx.prepareStop();
    const stopped = await stopDaemon(daemonClientOptions((m) => ctx.log.info(m)));
    void vscode.window.showInformationMessage(stopped
      ? 'ccc: the daemon stopped. It starts again on the next search.'
      : 'ccc: no daemon was running.');
    return stopped;
  },
  'ccc.showLog': () => async () => {
    const log = vscode.Uri.file(homePaths().log);
    try {
      await vscode.window.showTextDocument(log, { preview: true });
    } catch {
      throw new Error(`there is no daemon log yet at ${log.fsPath}: the daemon has not run with this CCC_HOME.`);
    }
  },
  'ccc.copyMcpConfig': ({ launcher }) => async () => {
    const config = JSON.stringify({ mcpServers: { ccc: { command: launcher, args: ['mcp'] } } }, null, 2);
    await vscode.env.clipboard.writeText(config);
    void vscode.window.showInformationMessage('ccc: MCP configuration copied. Paste it into your agent\'s MCP settings (for example .mcp.json).');
    return config;
  },
};

/** Errors become one message that says what to do; the daemon being unreachable gets a way to its log. */
export function withErrorMessage(ctx: Ctx, name: string, handler: Handler): Handler {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      ctx.log.error(`${name}: ${reason}`);
      const unreachable = !ctx.isConnected;
      const text = unreachable ? `ccc: the search daemon is not reachable: ${reason}` : `ccc: ${reason}`;
      const choice = await vscode.window.showErrorMessage(text, ...(unreachable ? ['Show Daemon Log'] : []));
      if (choice) await vscode.commands.executeCommand('ccc.showLog');
      throw error;
    }
  };
}

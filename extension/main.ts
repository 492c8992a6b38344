// Activation: build the window's context and wire its parts. Nothing here connects to the daemon: that happens on the
// first search, when the panel opens, or now when auto-index is on and a folder has `.ccc/`.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createChatParticipant } from './chat-participant';
import { commands, withErrorMessage } from './commands';
import { Ctx } from './ctx';
import { SEARCH_TOOL_NAME, SearchTool } from './lm-tool';
import { SEARCH_PANEL_ID, SearchPanel } from './search-panel';
import { createStatusBar } from './status-bar';
import { DoctorView } from './doctor-view';
import { StatusView } from './status-view';
import { installLauncher } from './terminal-launcher';

let ctx: Ctx | undefined;

/** What the extension gives tests and other extensions. */
export interface Api {
  /** The `ccc` launcher that integrated terminals find on PATH. */
  launcher: string;
  /** How long activation took; it never waits for the daemon. */
  activationMs: number;
}

export function activate(context: vscode.ExtensionContext): Api {
  const started = Date.now();
  ctx = new Ctx(context);
  const panel = new SearchPanel(ctx);
  const status = new StatusView(ctx);
  const doctor = new DoctorView(ctx);
  const launcher = installLauncher(context);
  ctx.push(status, doctor);
  ctx.push(vscode.window.registerWebviewViewProvider(SEARCH_PANEL_ID, panel));
  for (const [name, factory] of Object.entries(commands)) {
    ctx.push(vscode.commands.registerCommand(name, withErrorMessage(ctx, name, factory({ ctx, panel, status, doctor, launcher }))));
  }
  ctx.push(vscode.lm.registerTool(SEARCH_TOOL_NAME, new SearchTool(ctx)));
  ctx.push(createChatParticipant(ctx));
  createStatusBar(ctx);
  autoIndex(ctx);
  ctx.push(vscode.workspace.onDidChangeWorkspaceFolders(() => ctx && autoIndex(ctx)));
  const activationMs = Date.now() - started;
  ctx.log.info(`activated in ${activationMs} ms`);
  return { launcher, activationMs };
}

function autoIndex(ctx: Ctx): void {
  if (!ctx.config.autoIndex) return;
  const roots = ctx.roots().filter((root) => existsSync(path.join(root, '.ccc')));
  if (roots.length === 0) return;
  ctx.index(roots, vscode.ProgressLocation.Window).catch((error) => {
    ctx.log.error(`auto-index: ${error instanceof Error ? error.message : error}`);
  });
}

export async function deactivate(): Promise<void> {
  await ctx?.dispose();
  ctx = undefined;
}

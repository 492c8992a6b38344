// "ccc: Show Status": the daemon's and every folder's status as one read-only markdown document (a virtual document,
// refreshed on every call), so clicking the status item five times leaves one tab, not five Untitled files to discard.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DaemonStatusRequest, StatusRequest, WATCH_POLL_MS, type DaemonStatus, type ProjectStatus } from '../daemon/protocol';
import type { Ctx } from './ctx';
import { ReadOnlyDocument } from './read-only-document';

export interface StatusReport {
  daemon: DaemonStatus;
  projects: ProjectStatus[];
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const when = (ms: number | null) => (ms ? new Date(ms).toLocaleString() : 'never');

function markdown(report: StatusReport): string {
  const { daemon } = report;
  const lines = [
    '# ccc status', '',
    `Daemon ${daemon.version} (protocol ${daemon.protocol}), pid ${daemon.pid}, up ${Math.round(daemon.uptimeMs / 1000)} s,`,
    `${daemon.connections} connections, ${mb(daemon.rssBytes)} RSS, model \`${daemon.model}\`.`, '',
    `Home \`${daemon.home}\`, socket \`${daemon.socket}\`.`, '',
  ];
  for (const p of report.projects) {
    lines.push(`## ${p.root}`, '',
      `- state: **${p.state}**${p.error ? ` — ${p.error}` : ''}`,
      `- ${p.files} files, ${p.chunks} chunks, ${mb(p.indexBytes)} on disk, ${mb(p.memoryBytes)} in memory`,
      `- languages: ${Object.entries(p.languages).map(([l, n]) => `${l} ${n}`).join(', ') || 'none'}`,
      `- model: \`${p.model}\` (${p.dimension}-d); last indexed ${when(p.lastIndexedAt)}`,
      `- changes: ${WATCHING[p.watching]}`, '');
  }
  return lines.join('\n');
}

const WATCHING: Record<ProjectStatus['watching'], string> = {
  events: 'picked up from file events',
  polling: `looked for every ${WATCH_POLL_MS / 1000} s (file events could not start; see the daemon log)`,
  off: 'watched after the first index pass',
};

export async function statusReport(ctx: Ctx, client?: LanguageClient): Promise<StatusReport> {
  client ??= await ctx.connect();
  const [daemon, projects] = await Promise.all([
    client.sendRequest(DaemonStatusRequest),
    Promise.all(ctx.roots().map((root) => client.sendRequest(StatusRequest, { root }))),
  ]);
  return { daemon, projects };
}

/** Index progress arrives many times a second; the document follows at most this often. */
const REFRESH_DEBOUNCE_MS = 1000;

/** Serves the one status document; `show` refreshes its text and reveals it. */
export class StatusView implements vscode.Disposable {
  private readonly document = new ReadOnlyDocument('ccc-status', '/ccc status.md');
  private readonly stateChanges: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: Ctx) {
    this.stateChanges = ctx.onDidChange(() => this.refreshSoon());
  }

  async show(): Promise<StatusReport> {
    const report = await this.refresh();
    await this.document.show();
    return report;
  }

  private async refresh(client?: LanguageClient): Promise<StatusReport> {
    const report = await statusReport(this.ctx, client);
    this.document.set(markdown(report));
    return report;
  }

  /** While the document is on screen it follows index changes; it never starts the daemon for that. */
  private refreshSoon(): void {
    if (!this.document.visible || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const client = this.ctx.runningClient;
      if (!client) return;
      this.refresh(client).catch((error) => this.ctx.log.warn(`status refresh: ${error instanceof Error ? error.message : error}`));
    }, REFRESH_DEBOUNCE_MS);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.stateChanges.dispose();
    this.document.dispose();
  }
}

// One object per window that owns the connection to the daemon, the index state of every workspace folder and the
// disposables. Everything else asks it for the connection; it starts lazily and comes back after the daemon dies.
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { CloseAction, State, WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import { homePaths } from '../daemon/paths';
import {
  DaemonStoppingNotification, IndexChangedNotification, IndexRequest, StatusRequest,
  type DaemonHandshake, type IndexChangedParams, type IndexProgress, type IndexResult,
} from '../daemon/protocol';
import { Config } from './config';
import { createLanguageClient } from './language-client';
import type { PanelIndexState } from '../webview/messages';

export type Connection = 'idle' | 'connecting' | 'connected' | 'stopped' | 'unreachable';

export class Ctx implements vscode.Disposable {
  readonly config = new Config();
  readonly log = vscode.window.createOutputChannel('ccc', { log: true });
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private connection: Connection = 'idle';
  private unreachableReason = '';
  private stopRequested = false;
  private toldAboutRestart = false;
  private progressTokens = 0;
  private readonly states = new Map<string, IndexChangedParams>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the connection or any folder's index state changes. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.log, this.changed];

  constructor(readonly extension: vscode.ExtensionContext) {}

  /** Every workspace folder is a project; its root is the folder's path. */
  roots(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  folderName(root: string): string {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.fsPath === root)?.name ?? root;
  }

  /** The connection, started on first use (and again after the daemon was stopped). */
  async connect(): Promise<LanguageClient> {
    if (this.client?.state === State.Running) return this.client;
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** The connection if it is up; never starts the daemon (for views that only follow it). */
  get runningClient(): LanguageClient | undefined {
    return this.client?.state === State.Running ? this.client : undefined;
  }

  get isConnected(): boolean {
    return this.client?.state === State.Running;
  }

  get handshake(): DaemonHandshake | undefined {
    return this.client?.initializeResult?.capabilities.experimental?.ccc as DaemonHandshake | undefined;
  }

  private async start(): Promise<LanguageClient> {
    this.stopRequested = false;
    this.setConnection('connecting');
    this.client ??= this.createClient();
    try {
      await this.client.start();
    } catch (error) {
      this.unreachableReason = error instanceof Error ? error.message : String(error);
      this.setConnection('unreachable');
      throw error;
    }
    this.setConnection('connected');
    await this.refreshStates(this.client);
    return this.client;
  }

  private createClient(): LanguageClient {
    const notify = (message: string) => {
      this.log.info(message);
      void vscode.window.showInformationMessage(`ccc: ${message}`);
    };
    const client = createLanguageClient(this.log, notify, () => this.onClosed());
    client.onNotification(IndexChangedNotification, (params) => {
      this.states.set(params.root, params);
      this.changed.fire();
    });
    // A stop someone asked for (`ccc daemon stop`, another window's Stop, the idle exit) is announced before the
    // connection closes: the window then shows "stopped" and waits for its next use instead of restarting the daemon.
    client.onNotification(DaemonStoppingNotification, ({ reason, requested }) => {
      this.log.info(`daemon stopping: ${reason}`);
      if (requested) this.stopRequested = true;
    });
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) {
        this.setConnection('connected');
        void this.refreshStates(client);
      }
    });
    return client;
  }

  /** A requested stop (ours or announced by the daemon), or one that left its exit record, leaves it stopped; a crash restarts it. */
  private async onClosed(): Promise<CloseAction> {
    const pid = this.handshake?.pid;
    if (this.stopRequested || (pid !== undefined && this.exitedCleanly(pid))) {
      this.log.info('daemon connection closed; it restarts on the next search');
      this.setConnection('stopped');
      return CloseAction.DoNotRestart;
    }
    this.log.warn(`daemon (pid ${pid ?? '?'}) went away; restarting it`);
    if (!this.toldAboutRestart) {
      this.toldAboutRestart = true;
      void vscode.window.showWarningMessage('ccc: the search daemon stopped unexpectedly and was restarted. "ccc: Show Daemon Log" shows why.');
    }
    this.setConnection('connecting');
    return CloseAction.Restart;
  }

  /** The daemon writes `last_exit` (naming its pid) on an orderly shutdown; a crash leaves none. */
  private exitedCleanly(pid: number): boolean {
    const file = homePaths().lastExit;
    return existsSync(file) && new RegExp(`\\b${pid}\\b`).test(readFileSync(file, 'utf8'));
  }

  private setConnection(connection: Connection): void {
    this.connection = connection;
    this.changed.fire();
  }

  private async refreshStates(client: LanguageClient): Promise<void> {
    await Promise.all(this.roots().map(async (root) => {
      try {
        const status = await client.sendRequest(StatusRequest, { root });
        this.states.set(root, { root, state: status.state, files: status.files, chunks: status.chunks, error: status.error });
      } catch (error) {
        this.log.warn(`status of ${root}: ${error instanceof Error ? error.message : error}`);
      }
    }));
    this.changed.fire();
  }

  /** Runs an index pass on every folder (or the given ones), showing the daemon's progress. */
  async index(roots = this.roots(), location = vscode.ProgressLocation.Notification): Promise<IndexResult[]> {
    const client = await this.connect();
    return Promise.all(roots.map((root) => vscode.window.withProgress(
      { location, title: `ccc: indexing ${this.folderName(root)}` },
      async (progress) => {
        const workDoneToken = `ccc-index-${process.pid}-${++this.progressTokens}`;
        let reported = 0;
        const subscription = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
          const { percentage, message } = value as IndexProgress;
          const increment = percentage === undefined ? undefined : Math.max(0, percentage - reported);
          if (percentage !== undefined) reported = Math.max(reported, percentage);
          progress.report({ message, increment });
        });
        try {
          const result = await client.sendRequest(IndexRequest, { root, workDoneToken });
          this.log.info(`indexed ${root}: ${result.chunks} chunks in ${result.tookMs} ms`);
          return result;
        } finally {
          subscription.dispose();
        }
      },
    )));
  }

  /** Stops our connection, then asks the daemon to stop; windows that still use it start it again when they need it. */
  async prepareStop(): Promise<void> {
    this.stopRequested = true;
    if (this.client?.state === State.Running) await this.client.stop();
    this.setConnection('stopped');
  }

  /** The one line of state the status bar and the panel show, over every folder. */
  indexState(): PanelIndexState {
    const roots = this.roots();
    if (roots.length === 0) return { state: 'noFolder', files: 0, chunks: 0 };
    if (this.connection === 'unreachable') return { state: 'unreachable', files: 0, chunks: 0, message: this.unreachableReason };
    if (this.connection === 'connecting') return { state: 'connecting', files: 0, chunks: 0 };
    if (this.connection === 'stopped' || this.connection === 'idle') return { state: 'stopped', files: 0, chunks: 0 };
    const states = roots.map((root) => this.states.get(root) ?? { root, state: 'notIndexed' as const, files: 0, chunks: 0 });
    const files = states.reduce((n, s) => n + s.files, 0);
    const chunks = states.reduce((n, s) => n + s.chunks, 0);
    const failed = states.find((s) => s.state === 'error');
    if (failed) return { state: 'error', files, chunks, message: failed.error };
    const indexing = states.filter((s) => s.state === 'indexing');
    if (indexing.length) {
      const percentage = Math.round(indexing.reduce((n, s) => n + (s.percentage ?? 0), 0) / indexing.length);
      return { state: 'indexing', files, chunks, percentage };
    }
    if (states.some((s) => s.state === 'loading')) return { state: 'loading', files, chunks };
    if (states.every((s) => s.state === 'ready')) return { state: 'ready', files, chunks };
    return { state: 'notIndexed', files, chunks };
  }

  get connectionState(): Connection {
    return this.connection;
  }

  push(...disposables: vscode.Disposable[]): void {
    this.disposables.push(...disposables);
  }

  async dispose(): Promise<void> {
    // Only our connection ends: the daemon serves other windows and exits on its own when idle.
    if (this.client?.state === State.Running) await this.client.stop().catch(() => undefined);
    for (const d of this.disposables) d.dispose();
  }
}

// Hosts the search panel (a webview view): answers its searches, opens what it picks, and keeps its state line current.
// A search answered while an index pass ran is marked partial and asked again once every folder is ready.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { FromPanel, GrepRequestMessage, PanelMode, ResultsMessage, SearchRequestMessage, ToPanel } from '../webview/messages';
import type { Ctx } from './ctx';
import { openHit } from './open-hit';
import { grepFolders } from './grep';
import { searchFolders, type Hits } from './search';

export const SEARCH_PANEL_ID = 'ccc.searchPanel';

export class SearchPanel implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  /** Messages sent before the panel's script said it is ready. */
  private pending: ToPanel[] = [];
  private ready = false;
  /** The last search, when its answer was partial: run again when indexing ends. */
  private partial: SearchRequestMessage | undefined;
  private lastSeq = 0;

  constructor(private readonly ctx: Ctx) {
    ctx.push(ctx.onDidChange(() => {
      this.post({ type: 'state', index: ctx.indexState() });
      this.rerunPartial();
    }));
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const dist = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    view.webview.html = panelHtml(view.webview, dist);
    view.webview.onDidReceiveMessage((message: FromPanel) => this.receive(message));
    view.onDidDispose(() => (this.view = undefined));
  }

  /** Shows the panel and, if given, runs a query in it (in `mode`, when given). */
  async reveal(query?: string, mode?: PanelMode): Promise<void> {
    await vscode.commands.executeCommand(`${SEARCH_PANEL_ID}.focus`);
    this.post({ type: 'focusQuery', query, mode });
  }

  /** Shows results computed elsewhere (Find Similar) under a title. */
  async showResults(title: string, answer: Hits): Promise<void> {
    await vscode.commands.executeCommand(`${SEARCH_PANEL_ID}.focus`);
    this.partial = undefined;
    this.post(resultsMessage(0, title, answer, false));
  }

  private post(message: ToPanel): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
    else if (message.type !== 'state') this.pending.push(message);
  }

  private async receive(message: FromPanel): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.post({ type: 'state', index: this.ctx.indexState() });
        for (const queued of this.pending.splice(0)) this.post(queued);
        // Opening the panel is a sign of intent: connect now so the first search does not wait for the daemon.
        this.ctx.connect().catch(() => undefined);
        return;
      case 'search':
        return this.search(message);
      case 'grep':
        return this.grep(message);
      case 'open':
        await openHit(message);
        return;
      case 'reindex':
        await vscode.commands.executeCommand('ccc.reindex');
        return;
    }
  }

  private async search(message: SearchRequestMessage, again = false): Promise<void> {
    const title = `"${message.query}"`;
    this.partial = undefined;
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    try {
      const answer = await searchFolders(this.ctx, message.query, {
        mode: message.mode, languages: message.languages, paths: message.paths,
        kinds: message.kinds.length ? message.kinds : undefined, includeWeak: message.includeWeak,
      });
      this.post(resultsMessage(message.seq, title, answer, message.includeWeak));
      if (!answer.indexing || message.seq !== this.lastSeq) return;
      this.partial = message;
      // The pass may have ended while the answer travelled; a second partial answer waits for the next state change.
      if (!again) this.rerunPartial();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.post({ ...resultsMessage(message.seq, title, EMPTY, false), error: `Search failed: ${reason}` });
    }
  }

  /** Structural search: matches stream in, and the panel shows them as they arrive, grouped by file like search hits. */
  private async grep(message: GrepRequestMessage): Promise<void> {
    const title = `structure ${message.pattern}`;
    this.partial = undefined;
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    try {
      const answer = await grepFolders(this.ctx, message, (sofar) => {
        if (message.seq === this.lastSeq) this.post(resultsMessage(message.seq, title, sofar, false));
      });
      this.post(resultsMessage(message.seq, title, answer, false));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.post({ ...resultsMessage(message.seq, title, EMPTY, false), error: `Structural search failed: ${reason}` });
    }
  }

  /** Once no folder is indexing, the partial search runs again under the same seq (the panel drops it if the query changed since). */
  private rerunPartial(): void {
    const state = this.ctx.indexState().state;
    if (!this.partial || state === 'indexing' || state === 'loading' || state === 'connecting') return;
    const request = this.partial;
    this.ctx.log.info(`indexing ended: running "${request.query}" again`);
    void this.search(request, true);
  }
}

const EMPTY: Hits = { hits: [], tookMs: 0, noGoodMatch: false, weakHits: 0, indexing: false };

function resultsMessage(seq: number, title: string, answer: Hits, weakShown: boolean): ResultsMessage {
  return {
    type: 'results', seq, title, hits: answer.hits, tookMs: answer.tookMs, noGoodMatch: answer.noGoodMatch,
    weakHits: answer.weakHits, weakShown, queryNote: answer.queryNote, partial: answer.indexing,
  };
}

function panelHtml(webview: vscode.Webview, dist: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, 'panel.css'));
  const csp = `default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}'; font-src ${webview.cspSource}; img-src ${webview.cspSource}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>ccc search</title>
</head>
<body>
<header>
  <div class="status-row">
    <span id="state" role="status" aria-live="polite">Connecting…</span>
    <button id="reindex" type="button" title="Run an index pass on every workspace folder">Re-index</button>
  </div>
  <input id="query" type="search" placeholder="Describe the code or type a name" aria-label="Search query" autofocus>
  <div class="mode-row">
    <fieldset role="radiogroup" aria-label="Search mode">
      <legend>Search mode</legend>
      <label><input type="radio" name="mode" value="hybrid" checked> Hybrid</label>
      <label><input type="radio" name="mode" value="semantic"> Semantic</label>
      <label><input type="radio" name="mode" value="keyword"> Keyword</label>
      <label title="Match code by example: fetch($URL, $$$)"><input type="radio" name="mode" value="structural"> Structural</label>
    </fieldset>
    <select id="kind" aria-label="File kind" title="Only files of this kind (all kinds rank implementation first)">
      <option value="">all kinds</option>
      <option value="code">code</option>
      <option value="test">tests</option>
      <option value="docs">docs</option>
      <option value="example">examples</option>
      <option value="generated">generated</option>
    </select>
  </div>
  <div class="filters">
    <input id="languages" type="text" placeholder="languages: go, java" title="Languages, comma-separated (python, typescript, go, …)" aria-label="Language filter, comma-separated">
    <input id="paths" type="text" placeholder="paths: src/**, !test/**" title="Path globs, comma-separated; a leading ! excludes (!test/**)" aria-label="Path filter globs, comma-separated; a leading ! excludes">
  </div>
  <div id="summary" aria-live="polite"></div>
  <div id="notes" aria-live="polite"></div>
</header>
<ul id="results" role="listbox" aria-label="Search results"></ul>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

// The search panel's browser side: a query box that searches as you type, filters, and results grouped by file.
// It holds no state the host needs; every search goes to the host by postMessage and comes back as a `results` message.
import type { FromPanel, PanelHit, PanelIndexState, ToPanel } from './messages';
import type { SearchMode } from '../daemon/protocol';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
interface SavedState {
  query: string;
  mode: SearchMode;
  languages: string;
  paths: string;
}
declare function acquireVsCodeApi(): VsCodeApi;

const DEBOUNCE_MS = 200;
const vscode = acquireVsCodeApi();
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const queryBox = byId<HTMLInputElement>('query');
const languagesBox = byId<HTMLInputElement>('languages');
const pathsBox = byId<HTMLInputElement>('paths');
const stateLine = byId<HTMLElement>('state');
const reindexButton = byId<HTMLButtonElement>('reindex');
const resultsList = byId<HTMLElement>('results');
const summary = byId<HTMLElement>('summary');
const modeButtons = Array.from(document.querySelectorAll<HTMLInputElement>('input[name="mode"]'));

let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let hitRows: HTMLElement[] = [];
let lastIndex: PanelIndexState | undefined;

const splitList = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
const currentMode = () => (modeButtons.find((b) => b.checked)?.value ?? 'hybrid') as SearchMode;

function saveState(): void {
  vscode.setState({ query: queryBox.value, mode: currentMode(), languages: languagesBox.value, paths: pathsBox.value });
}

function restoreState(): void {
  const saved = vscode.getState();
  if (!saved) return;
  queryBox.value = saved.query;
  languagesBox.value = saved.languages;
  pathsBox.value = saved.paths;
  for (const b of modeButtons) b.checked = b.value === saved.mode;
}

function searchNow(): void {
  clearTimeout(timer);
  saveState();
  const query = queryBox.value.trim();
  seq += 1;
  if (!query) {
    showMessage('Type what the code does or a name in it, for example "parse a config file".');
    return;
  }
  summary.textContent = 'Searching…';
  vscode.postMessage({ type: 'search', seq, query, mode: currentMode(), languages: splitList(languagesBox.value), paths: splitList(pathsBox.value) });
}

function searchSoon(): void {
  clearTimeout(timer);
  timer = setTimeout(searchNow, DEBOUNCE_MS);
}

function showMessage(text: string): void {
  resultsList.replaceChildren();
  hitRows = [];
  summary.textContent = text;
}

function stateText(index: PanelIndexState): string {
  switch (index.state) {
    case 'ready': return `Indexed: ${index.files} files, ${index.chunks} chunks`;
    case 'indexing': return `Indexing… ${index.percentage ?? 0}% (${index.chunks} chunks so far)`;
    case 'loading': return 'Loading the index…';
    case 'notIndexed': return 'Not indexed yet: searching indexes the project first, or press Re-index.';
    case 'connecting': return 'Connecting to the ccc daemon…';
    case 'stopped': return 'The ccc daemon is not running: it starts on the next search or re-index.';
    case 'noFolder': return 'Open a folder to search its code.';
    case 'unreachable': return `The ccc daemon is not reachable: ${index.message ?? 'see "ccc: Show Daemon Log"'}`;
    case 'error': return `Index error: ${index.message ?? 'see "ccc: Show Daemon Log"'}. Fix it, then press Re-index.`;
  }
}

function showState(index: PanelIndexState): void {
  lastIndex = index;
  stateLine.textContent = stateText(index);
  stateLine.dataset.state = index.state;
  reindexButton.disabled = index.state === 'indexing' || index.state === 'noFolder';
}

function codeBlock(hit: PanelHit): HTMLElement {
  const pre = document.createElement('pre');
  pre.className = 'code';
  hit.content.split('\n').forEach((text, i) => {
    const line = document.createElement('div');
    const number = document.createElement('span');
    number.className = 'ln';
    number.textContent = String(hit.startLine + i);
    const body = document.createElement('span');
    body.textContent = text;
    line.append(number, body);
    pre.append(line);
  });
  return pre;
}

function hitRow(hit: PanelHit): HTMLElement {
  const row = document.createElement('li');
  row.className = 'hit';
  row.tabIndex = -1;
  row.setAttribute('role', 'option');
  const where = `lines ${hit.startLine}–${hit.endLine}`;
  row.setAttribute('aria-label', `${hit.symbol || hit.path}, ${where}, score ${hit.score.toFixed(2)}`);
  const head = document.createElement('div');
  head.className = 'hit-head';
  const symbol = document.createElement('span');
  symbol.className = 'symbol';
  symbol.textContent = hit.symbol || '(text)';
  const range = document.createElement('span');
  range.className = 'range';
  range.textContent = `${hit.startLine}–${hit.endLine}`;
  const score = document.createElement('span');
  score.className = 'score';
  score.textContent = hit.score.toFixed(2);
  head.append(symbol, range, score);
  row.append(head, codeBlock(hit));
  const open = () => vscode.postMessage({ type: 'open', root: hit.root, path: hit.path, startLine: hit.startLine, endLine: hit.endLine });
  row.addEventListener('click', open);
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') open();
  });
  return row;
}

function groupByFile(hits: PanelHit[]): Map<string, PanelHit[]> {
  const groups = new Map<string, PanelHit[]>();
  const multiRoot = new Set(hits.map((h) => h.root)).size > 1;
  for (const hit of hits) {
    const key = multiRoot ? `${hit.folder}: ${hit.path}` : hit.path;
    groups.set(key, [...(groups.get(key) ?? []), hit]);
  }
  return groups;
}

function showResults(message: Extract<ToPanel, { type: 'results' }>): void {
  if (message.seq !== seq && message.seq !== 0) return;
  if (message.error) {
    showMessage(message.error);
    return;
  }
  if (message.hits.length === 0) {
    const indexing = lastIndex?.state === 'indexing' ? ' The index is still being built; results will improve when it is done.' : '';
    showMessage(`No results for ${message.title}. Try other words, another mode, or fewer filters.${indexing}`);
    return;
  }
  resultsList.replaceChildren();
  hitRows = [];
  for (const [file, hits] of groupByFile(message.hits)) {
    const group = document.createElement('li');
    group.className = 'file';
    group.setAttribute('role', 'presentation');
    const name = document.createElement('div');
    name.className = 'file-name';
    name.textContent = file;
    const list = document.createElement('ul');
    list.setAttribute('role', 'group');
    list.setAttribute('aria-label', file);
    for (const hit of hits) {
      const row = hitRow(hit);
      hitRows.push(row);
      list.append(row);
    }
    group.append(name, list);
    resultsList.append(group);
  }
  summary.textContent = `${message.hits.length} results for ${message.title} in ${message.tookMs} ms`;
}

/** ↑/↓ move between results (from the query box too); Enter on a result opens it. */
function moveSelection(step: number): void {
  if (hitRows.length === 0) return;
  const at = hitRows.indexOf(document.activeElement as HTMLElement);
  const next = at < 0 ? (step > 0 ? 0 : hitRows.length - 1) : Math.min(hitRows.length - 1, Math.max(0, at + step));
  hitRows[next].focus();
  hitRows[next].scrollIntoView({ block: 'nearest' });
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'ArrowDown') { moveSelection(1); e.preventDefault(); }
  if (e.key === 'ArrowUp') { moveSelection(-1); e.preventDefault(); }
});
queryBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') searchNow();
});
queryBox.addEventListener('input', searchSoon);
languagesBox.addEventListener('input', searchSoon);
pathsBox.addEventListener('input', searchSoon);
for (const b of modeButtons) b.addEventListener('change', searchNow);
reindexButton.addEventListener('click', () => vscode.postMessage({ type: 'reindex' }));

window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  const message = event.data;
  if (message.type === 'state') showState(message.index);
  if (message.type === 'results') showResults(message);
  if (message.type === 'focusQuery') {
    if (message.query !== undefined) {
      queryBox.value = message.query;
      searchNow();
    }
    queryBox.focus();
  }
});

restoreState();
vscode.postMessage({ type: 'ready' });
if (queryBox.value.trim()) searchNow();
else showMessage('Type what the code does or a name in it, for example "parse a config file".');

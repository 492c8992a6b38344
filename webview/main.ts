// The search panel's browser side: a query box that searches as you type, filters, and results grouped by file, each
// hit a few lines around its match with the query's terms marked (→ or the ▸ button shows the whole chunk).
// It holds no state the host needs; every search goes to the host by postMessage and comes back as a `results` message.
import type { FromPanel, PanelHit, PanelIndexState, PanelMode, ResultsMessage, ToPanel } from './messages';
import type { FileKind } from '../daemon/protocol';
import { previewWindow, termSegments } from './preview';
import { stateText } from './state-text';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
interface SavedState {
  query: string;
  mode: PanelMode;
  languages: string;
  paths: string;
  kind: string;
}
declare function acquireVsCodeApi(): VsCodeApi;

const DEBOUNCE_MS = 200;
const vscode = acquireVsCodeApi();
const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const queryBox = byId<HTMLInputElement>('query');
const languagesBox = byId<HTMLInputElement>('languages');
const pathsBox = byId<HTMLInputElement>('paths');
const kindBox = byId<HTMLSelectElement>('kind');
const stateLine = byId<HTMLElement>('state');
const reindexButton = byId<HTMLButtonElement>('reindex');
const resultsList = byId<HTMLElement>('results');
const summary = byId<HTMLElement>('summary');
const notes = byId<HTMLElement>('notes');
const modeButtons = Array.from(document.querySelectorAll<HTMLInputElement>('input[name="mode"]'));

let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let hitRows: HTMLElement[] = [];
let lastIndex: PanelIndexState | undefined;

const HINT = 'Describe what the code does or type a name in it, for example "parse a config file".';
const STRUCTURAL_HINT = 'Type code with metavariables, for example fetch($URL, $$$) or except $E: pass ($NAME one node, $$$ any, $_ unnamed).';
const PLACEHOLDERS: Record<'search' | 'structural', string> = { search: 'Describe the code or type a name', structural: 'Code pattern: fetch($URL, $$$)' };

const splitList = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
const currentMode = () => (modeButtons.find((b) => b.checked)?.value ?? 'hybrid') as PanelMode;

/** Structural search has no kinds and takes one language; the query box says what it expects. */
function showModeControls(): void {
  const structural = currentMode() === 'structural';
  kindBox.disabled = structural;
  queryBox.placeholder = PLACEHOLDERS[structural ? 'structural' : 'search'];
}

function saveState(): void {
  vscode.setState({ query: queryBox.value, mode: currentMode(), languages: languagesBox.value, paths: pathsBox.value, kind: kindBox.value });
}

function restoreState(): void {
  const saved = vscode.getState();
  if (!saved) return;
  queryBox.value = saved.query;
  languagesBox.value = saved.languages;
  pathsBox.value = saved.paths;
  kindBox.value = saved.kind ?? '';
  for (const b of modeButtons) b.checked = b.value === saved.mode;
  showModeControls();
}

/** `includeWeak`: the "show weak hits" link asks again for the hits under the no-match floor. */
function searchNow(includeWeak = false): void {
  clearTimeout(timer);
  saveState();
  const query = queryBox.value.trim();
  seq += 1;
  const mode = currentMode();
  if (!query) {
    showMessage(mode === 'structural' ? STRUCTURAL_HINT : HINT);
    return;
  }
  summary.textContent = 'Searching…';
  if (mode === 'structural') {
    const paths = splitList(pathsBox.value).filter((path) => !path.startsWith('!'));
    vscode.postMessage({ type: 'grep', seq, pattern: query, language: splitList(languagesBox.value)[0], paths });
    return;
  }
  vscode.postMessage({
    type: 'search', seq, query, mode, languages: splitList(languagesBox.value), paths: splitList(pathsBox.value),
    kinds: kindBox.value ? [kindBox.value as FileKind] : [], includeWeak,
  });
}

function searchSoon(): void {
  clearTimeout(timer);
  timer = setTimeout(() => searchNow(), DEBOUNCE_MS);
}

function showMessage(text: string): void {
  resultsList.replaceChildren();
  hitRows = [];
  notes.replaceChildren();
  summary.textContent = text;
}

function showState(index: PanelIndexState): void {
  lastIndex = index;
  stateLine.textContent = stateText(index);
  stateLine.dataset.state = index.state;
  reindexButton.disabled = index.state === 'indexing' || index.state === 'noFolder';
}

function codeLine(hit: PanelHit, number: number, text: string): HTMLElement {
  const line = document.createElement('div');
  line.className = number === hit.bestLine ? 'line best' : 'line';
  const ln = document.createElement('span');
  ln.className = 'ln';
  ln.textContent = String(number);
  line.append(ln);
  for (const segment of termSegments(text, hit.why?.terms ?? [])) {
    if (!segment.term) {
      line.append(segment.text);
      continue;
    }
    const mark = document.createElement('mark');
    mark.textContent = segment.text;
    line.append(mark);
  }
  return line;
}

/** The match window, or the whole chunk when expanded. */
function codeBlock(hit: PanelHit, expanded: boolean): HTMLElement {
  const pre = document.createElement('pre');
  pre.className = 'code';
  const lines = hit.content.split('\n');
  const { start, end } = expanded ? { start: hit.startLine, end: hit.startLine + lines.length - 1 } : previewWindow(hit);
  for (let number = start; number <= end; number++) pre.append(codeLine(hit, number, lines[number - hit.startLine] ?? ''));
  return pre;
}

function kindBadge(kind: FileKind): HTMLElement {
  const badge = document.createElement('span');
  badge.className = `badge kind-${kind}`;
  badge.textContent = kind;
  badge.title = `A ${kind} file: ranked below implementation unless you filter for it`;
  return badge;
}

/** The preview, and when the chunk is longer, a `▸ N more lines` button that swaps in the whole chunk and back. */
function expandableCode(hit: PanelHit): { code: HTMLElement; toggle?: HTMLElement; setExpanded: (value: boolean) => void } {
  const shown = previewWindow(hit);
  const hidden = hit.endLine - hit.startLine + 1 - (shown.end - shown.start + 1);
  let code = codeBlock(hit, false);
  if (hidden <= 0) return { code, setExpanded: () => undefined };
  let expanded = false;
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'expand';
  toggle.tabIndex = -1;
  const setExpanded = (value: boolean) => {
    expanded = value;
    const next = codeBlock(hit, expanded);
    code.replaceWith(next);
    code = next;
    toggle.textContent = expanded ? '▾ show less' : `▸ ${hidden} more lines`;
    toggle.setAttribute('aria-expanded', String(expanded));
  };
  toggle.textContent = `▸ ${hidden} more lines`;
  toggle.setAttribute('aria-expanded', 'false');
  toggle.addEventListener('click', (e) => {
    e.stopPropagation();
    setExpanded(!expanded);
  });
  return { code, toggle, setExpanded };
}

function hitRow(hit: PanelHit): HTMLElement {
  const row = document.createElement('li');
  row.className = 'hit';
  row.tabIndex = -1;
  row.setAttribute('role', 'option');
  const where = `lines ${hit.startLine}–${hit.endLine}`;
  const kind = hit.kind && hit.kind !== 'code' ? `, ${hit.kind}` : '';
  row.setAttribute('aria-label', `${hit.symbol || hit.path}, ${where}${kind}, score ${hit.score.toFixed(2)}`);
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
  head.append(symbol);
  if (hit.kind && hit.kind !== 'code') head.append(kindBadge(hit.kind));
  head.append(range, score);
  const { code, toggle, setExpanded } = expandableCode(hit);
  row.append(head, code);
  if (toggle) row.append(toggle);
  const open = () => vscode.postMessage({
    type: 'open', root: hit.root, path: hit.path, startLine: hit.startLine, endLine: hit.endLine, bestLine: hit.bestLine ?? hit.startLine,
  });
  row.addEventListener('click', open);
  row.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') open();
    if (e.key === 'ArrowRight') setExpanded(true);
    if (e.key === 'ArrowLeft') setExpanded(false);
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

/** The lines under the summary: partial, cut query, weak hits. */
function showNotes(message: ResultsMessage): void {
  const lines: HTMLElement[] = [];
  const note = (className: string, text: string) => {
    const line = document.createElement('div');
    line.className = `note ${className}`;
    line.textContent = text;
    lines.push(line);
    return line;
  };
  if (message.partial) note('partial', 'Partial: indexing is still running. This search runs again when it ends.');
  if (message.queryNote) note('query-note', message.queryNote);
  if (message.weakShown) note('weak', 'Weak hits: nothing scored above the confidence floor; treat these as guesses.');
  if (message.noGoodMatch && !message.weakShown && message.weakHits > 0) {
    const line = note('weak', '');
    const link = document.createElement('a');
    link.id = 'show-weak';
    link.href = '#';
    link.textContent = `show ${message.weakHits} weak ${message.weakHits === 1 ? 'hit' : 'hits'}`;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      searchNow(true);
    });
    line.append(link);
  }
  notes.replaceChildren(...lines);
}

function noResultsText(message: ResultsMessage): string {
  if (message.noGoodMatch) return `No good match for ${message.title}. Try an identifier from the code, other words, or fewer filters.`;
  const indexing = lastIndex?.state === 'indexing' ? ' The index is still being built; results will improve when it is done.' : '';
  return `No results for ${message.title}. Try other words, another mode, or fewer filters.${indexing}`;
}

function showResults(message: ResultsMessage): void {
  if (message.seq !== seq && message.seq !== 0) return;
  if (message.error) {
    showMessage(message.error);
    return;
  }
  resultsList.replaceChildren();
  hitRows = [];
  showNotes(message);
  resultsList.dataset.partial = String(message.partial);
  if (message.hits.length === 0) {
    summary.textContent = noResultsText(message);
    return;
  }
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
  const n = message.hits.length;
  const noun = message.weakShown ? (n === 1 ? 'weak hit' : 'weak hits') : n === 1 ? 'result' : 'results';
  const count = `${n} ${noun}`;
  summary.textContent = `${count} for ${message.title} in ${message.tookMs} ms`;
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
kindBox.addEventListener('change', () => searchNow());
queryBox.addEventListener('input', searchSoon);
languagesBox.addEventListener('input', searchSoon);
pathsBox.addEventListener('input', searchSoon);
for (const b of modeButtons) {
  b.addEventListener('change', () => {
    showModeControls();
    searchNow();
  });
}
reindexButton.addEventListener('click', () => vscode.postMessage({ type: 'reindex' }));

window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
  const message = event.data;
  if (message.type === 'state') showState(message.index);
  if (message.type === 'results') showResults(message);
  if (message.type === 'focusQuery') {
    if (message.mode) {
      for (const b of modeButtons) b.checked = b.value === message.mode;
      showModeControls();
    }
    if (message.query !== undefined) {
      queryBox.value = message.query;
      searchNow();
    }
    queryBox.focus();
  }
});

restoreState();
showModeControls();
vscode.postMessage({ type: 'ready' });
if (queryBox.value.trim()) searchNow();
else showMessage(HINT);

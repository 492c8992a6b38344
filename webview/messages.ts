// The messages between the search panel (webview/main.ts, in the browser) and its host (extension/search-panel.ts).
// Both sides import this module; nothing else crosses the postMessage boundary.
import type { FileKind, ProjectState, SearchHit, SearchMode } from '../daemon/protocol';

/** A hit as the panel shows it: which workspace folder it came from, plus the daemon's hit. */
export interface PanelHit extends SearchHit {
  /** Absolute path of the project root (the workspace folder). */
  root: string;
  /** The folder's name, shown when the window has more than one. */
  folder: string;
}

/** The index state line at the top of the panel. */
export interface PanelIndexState {
  /** `connecting`, `stopped` and `unreachable` are the window's view of the daemon; the rest are the projects' state. */
  state: ProjectState | 'connecting' | 'stopped' | 'unreachable' | 'noFolder';
  files: number;
  chunks: number;
  percentage?: number;
  /** One line that says what happened and what to do. */
  message?: string;
}

/** The panel's modes: the three search modes, and structural search by example (`ccc grep`). */
export type PanelMode = SearchMode | 'structural';

/** A structural search: the query box holds a code pattern with `$NAME`, `$$$` and `$_` metavariables. */
export interface GrepRequestMessage {
  type: 'grep';
  seq: number;
  pattern: string;
  /** The first language of the languages box, when given; else every language whose grammar parses the pattern. */
  language?: string;
  /** Root-relative files or folders (the paths box; `!` globs do not apply to structural search). */
  paths: string[];
}

export interface SearchRequestMessage {
  type: 'search';
  /** Increases with every query; the panel drops answers to older ones. */
  seq: number;
  query: string;
  mode: SearchMode;
  /** Comma-separated in the UI, split here. */
  languages: string[];
  /** Globs; a leading `!` excludes, as the protocol says. */
  paths: string[];
  /** Empty: every kind. */
  kinds: FileKind[];
  /** Also the hits under the no-match floor ("show weak hits"). */
  includeWeak: boolean;
}

/** A search's answer as the panel shows it. */
export interface ResultsMessage {
  type: 'results';
  seq: number;
  title: string;
  hits: PanelHit[];
  tookMs: number;
  /** Nothing scored above the no-match floor: say so instead of presenting hits as answers. */
  noGoodMatch: boolean;
  /** Hits under the floor that were left out; the panel offers to show them. */
  weakHits: number;
  /** These hits are the weak ones, asked for with `includeWeak`. */
  weakShown: boolean;
  /** Set when the daemon cut a long query: what it kept. */
  queryNote?: string;
  /** Answered while an index pass ran: the host runs it again when the pass ends. */
  partial: boolean;
  error?: string;
}

export type FromPanel =
  | { type: 'ready' }
  | SearchRequestMessage
  | GrepRequestMessage
  | { type: 'open'; root: string; path: string; startLine: number; endLine: number; bestLine: number }
  | { type: 'reindex' };

export type ToPanel =
  | { type: 'state'; index: PanelIndexState }
  | ResultsMessage
  | { type: 'focusQuery'; query?: string; mode?: PanelMode };

// The messages between the search panel (webview/main.ts, in the browser) and its host (extension/search-panel.ts).
// Both sides import this module; nothing else crosses the postMessage boundary.
import type { ProjectState, SearchHit, SearchMode } from '../daemon/protocol';

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

export interface SearchRequestMessage {
  type: 'search';
  /** Increases with every query; the panel drops answers to older ones. */
  seq: number;
  query: string;
  mode: SearchMode;
  /** Comma-separated in the UI, split here. */
  languages: string[];
  paths: string[];
}

export type FromPanel =
  | { type: 'ready' }
  | SearchRequestMessage
  | { type: 'open'; root: string; path: string; startLine: number; endLine: number }
  | { type: 'reindex' };

export type ToPanel =
  | { type: 'state'; index: PanelIndexState }
  | { type: 'results'; seq: number; title: string; hits: PanelHit[]; tookMs: number; error?: string }
  | { type: 'focusQuery'; query?: string };

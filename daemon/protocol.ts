// The protocol between ccc's front ends (VS Code extension, CLI, MCP server) and the daemon.
// JSON-RPC 2.0 with LSP framing. Every method is declared here once, as a typed constant;
// no method name appears as a string anywhere else.
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';

/** Bumped on any incompatible change to the messages below. */
export const PROTOCOL_VERSION = 1;

export type ClientKind = 'vscode' | 'cli' | 'mcp';

/** Sent as `initializationOptions` of the LSP `initialize` request: the version handshake. */
export interface HandshakeOptions {
  client: ClientKind;
  /** The client's package version (semver). */
  version: string;
  protocol: number;
}

/** Carried in the `initialize` reply as `capabilities.experimental.ccc`; `serverInfo.version` holds the daemon's version. */
export interface DaemonHandshake {
  protocol: number;
  pid: number;
  /** mtime of `$CCC_HOME/settings.yml` when the daemon started, or null when the file did not exist. */
  settingsMtimeMs: number | null;
}

// ---------------------------------------------------------------------------------------------
// Errors: JSON-RPC error codes the daemon uses. Messages are one line and say what to do.

export const ErrorCodes = {
  /** The root does not exist, is not a directory, or is not absolute. */
  InvalidRoot: -32001,
  /** A settings file is malformed or has a wrong value. */
  InvalidSettings: -32002,
  /** A request parameter is out of range or malformed (query, limit, glob, range). */
  InvalidParams: -32602,
  /** The daemon is shutting down and takes no new work. */
  ShuttingDown: -32003,
  /** Indexing or searching failed for a reason other than the above (disk full, model failed to load). */
  IndexFailed: -32004,
} as const;

// ---------------------------------------------------------------------------------------------
// Index

export type ProjectState = 'notIndexed' | 'loading' | 'indexing' | 'ready' | 'error';

/** How the daemon notices changes in a project: file events, a full pass every WATCH_POLL_MS where those cannot start, or not yet. */
export type WatchMode = 'events' | 'polling' | 'off';

/** A full pass with nothing to do costs ~0.4 s at 10k files, so polling this often costs about 1 % of a core. */
export const WATCH_POLL_MS = 30_000;

export interface IndexParams {
  /** Absolute path of the project root. */
  root: string;
  /** Index only these files (absolute or root-relative). Omitted: walk the whole project. */
  paths?: string[];
  /** Drop the stored index first and rebuild from scratch. */
  force?: boolean;
  workDoneToken?: string | number;
}

export interface IndexCounts {
  /** Files the walk listed (after ignore rules). */
  files: number;
  added: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Files skipped for a reason (binary, too large, unreadable, not UTF-8, minified). */
  skipped: number;
  errors: number;
  /** Chunk texts that had to be embedded (not found in the cache). */
  chunksEmbedded: number;
}

export interface FileProblem {
  path: string;
  reason: string;
}

export interface IndexResult {
  root: string;
  counts: IndexCounts;
  /** Chunks in the index after the pass. */
  chunks: number;
  /** Files skipped or failed, each with a one-line reason (at most the first 200). */
  problems: FileProblem[];
  tookMs: number;
  /** True when the request had to wait for another pass of the same project to finish first. */
  waited: boolean;
}

/** The `value` of `$/progress` notifications of `ccc/index`: LSP work-done progress plus the running counts. */
export interface IndexProgress {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
  counts?: IndexCounts;
}

// ---------------------------------------------------------------------------------------------
// Search

export type SearchMode = 'hybrid' | 'semantic' | 'keyword';
export const SEARCH_MODES: readonly SearchMode[] = ['hybrid', 'semantic', 'keyword'];
export const DEFAULT_SEARCH_LIMIT = 10;
export const MAX_SEARCH_LIMIT = 100;

export interface SearchFilters {
  /** Language ids (`typescript`, `python`, …). Empty or omitted: all. */
  languages?: string[];
  /** Globs relative to the root (`src/**`, `*.py`); a chunk matches when its file matches any. */
  paths?: string[];
}

export interface SearchParams extends SearchFilters {
  root: string;
  query: string;
  mode?: SearchMode;
  limit?: number;
  offset?: number;
  /** At most this many chunks from one file (default 3; 0 = no cap). */
  maxPerFile?: number;
  workDoneToken?: string | number;
}

export interface SearchHit {
  /** Relative to the root, with forward slashes. */
  path: string;
  language: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Symbol path such as `class Foo > method bar`; empty for text chunks. */
  symbol: string;
  score: number;
  content: string;
}

export interface SearchResult {
  query: string;
  mode: SearchMode;
  tookMs: number;
  results: SearchHit[];
  /** True when the project had never been indexed and this search indexed it first. */
  indexedFirst: boolean;
  /** True when an index pass was running while the search was answered (results may be partial). */
  indexing: boolean;
}

export interface SimilarParams extends SearchFilters {
  root: string;
  /** A file (absolute or root-relative) and a 1-based inclusive line range, or … */
  path?: string;
  startLine?: number;
  endLine?: number;
  /** … a piece of code. */
  code?: string;
  limit?: number;
  offset?: number;
  maxPerFile?: number;
}

// ---------------------------------------------------------------------------------------------
// Status

export interface StatusParams {
  root: string;
}

export interface ProjectStatus {
  root: string;
  state: ProjectState;
  files: number;
  chunks: number;
  /** Chunk count per language. */
  languages: Record<string, number>;
  /** Bytes the project's store takes on disk. */
  indexBytes: number;
  /** Embedding model id and dimension. */
  model: string;
  dimension: number;
  /** When the last pass finished (ms since epoch), or null. */
  lastIndexedAt: number | null;
  watching: WatchMode;
  /** Progress of the running pass, when state is `indexing`. */
  progress?: IndexProgress;
  /** The last error, one line, when state is `error`. */
  error?: string;
}

export interface ProjectSummary {
  root: string;
  state: ProjectState;
  files: number;
  chunks: number;
}

export interface DaemonStatus {
  version: string;
  protocol: number;
  pid: number;
  uptimeMs: number;
  /** Time since the last request or connection; 0 while a client is connected or work runs. */
  idleMs: number;
  connections: number;
  home: string;
  socket: string;
  rssBytes: number;
  model: string;
  projects: ProjectSummary[];
}

export interface RemoveProjectParams {
  root: string;
}

export interface RemoveProjectResult {
  removed: boolean;
}

export interface DoctorParams {
  root: string;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
}

/** Pushed by the daemon to connected editor clients when a project's index changes state or content. */
export interface IndexChangedParams {
  root: string;
  state: ProjectState;
  files: number;
  chunks: number;
  /** 0–100 while indexing. */
  percentage?: number;
  error?: string;
}

// ---------------------------------------------------------------------------------------------
// Methods

export const IndexRequest = new RequestType<IndexParams, IndexResult, void>('ccc/index');
export const SearchRequest = new RequestType<SearchParams, SearchResult, void>('ccc/search');
export const SimilarRequest = new RequestType<SimilarParams, SearchResult, void>('ccc/similar');
export const StatusRequest = new RequestType<StatusParams, ProjectStatus, void>('ccc/status');
export const DaemonStatusRequest = new RequestType0<DaemonStatus, void>('ccc/daemonStatus');
export const RemoveProjectRequest = new RequestType<RemoveProjectParams, RemoveProjectResult, void>('ccc/removeProject');
export const StopRequest = new RequestType0<void, void>('ccc/stop');
export const DoctorRequest = new RequestType<DoctorParams, DoctorReport, void>('ccc/doctor');
export const IndexChangedNotification = new NotificationType<IndexChangedParams>('ccc/indexChanged');

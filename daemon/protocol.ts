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
  /**
   * Added or updated files whose content the index already held (a copy of another file, or a file deleted and restored,
   * as a branch switch does): they kept those chunks and were neither parsed nor embedded.
   */
  reused: number;
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
  /** Where the pass spent its time (for benchmarks: `npm run bench:scale`); absent from older daemons. */
  timings?: IndexTimings;
}

/**
 * Busy time of each stage of a pass, in ms. Chunking a batch overlaps embedding and storing the previous one, so the
 * stages can sum to more than `tookMs`.
 */
export interface IndexTimings {
  /** Listing the files, then reading and hashing those whose (mtime, size) changed. */
  walkMs: number;
  /** The chunker's calls (parsing in its worker included). */
  chunkMs: number;
  /** Embedding-cache look-ups, the embedder, and cache writes. */
  embedMs: number;
  /** Saving to the store and adding to the search index. */
  storeMs: number;
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

/**
 * What a file is for, decided from conventional paths and names per language (`test/`, `*_test.go`, `*.spec.ts`,
 * `CHANGELOG*`, `examples/`, `vendor/`, …). Ranking prefers `code` unless the query or a filter asks for another kind.
 */
export type FileKind = 'code' | 'test' | 'docs' | 'example' | 'generated';
export const FILE_KINDS: readonly FileKind[] = ['code', 'test', 'docs', 'example', 'generated'];

export interface SearchFilters {
  /** Language ids or names, any case (`typescript`, `ts`, `py`, `golang`, …: grammars/language-names.ts). Empty or omitted: all. Unknown ones are refused (InvalidParams). */
  languages?: string[];
  /**
   * Globs relative to the root (`src/**`, `*.py`). A glob starting with `!` excludes. A chunk matches when its file
   * matches any positive glob (or there is none) and no negative one.
   */
  paths?: string[];
  /** File kinds. Empty or omitted: all kinds, ranked code first. */
  kinds?: FileKind[];
}

export interface SearchParams extends SearchFilters {
  root: string;
  query: string;
  mode?: SearchMode;
  limit?: number;
  offset?: number;
  /**
   * At most this many chunks from one file (0 = no cap). Omitted: the first hits hold at most DEFAULT_MAX_PER_FILE
   * chunks of one file, and a file's further hits come after every other file's, so a large limit still gets them all.
   */
  maxPerFile?: number;
  /** Also return the hits under the no-match floor (they are dropped by default; `noGoodMatch` says so). */
  includeWeak?: boolean;
  /** Rank files instead of chunks: `files` in the result, one entry per file scored from its best chunks. */
  files?: boolean;
  workDoneToken?: string | number;
}

export const DEFAULT_MAX_PER_FILE = 3;
/** Queries longer than this are cut (identifiers, paths and error lines kept first), never refused. */
export const MAX_QUERY_BYTES = 10 * 1024;

/** Why a hit matched: the query terms found in it and how much of its score came from each side. */
export interface MatchReason {
  /** Query terms found in the chunk, as the query spelled them. */
  terms: string[];
  /** Share of the score from keywords (BM25), 0–1; `meaning` is the rest. */
  keyword: number;
  meaning: number;
  /** True when the chunk defines a queried identifier (not only mentions it). */
  definition: boolean;
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
  kind: FileKind;
  score: number;
  /** The chunk's whole text (lines startLine..endLine). */
  content: string;
  /** The line (1-based, within startLine..endLine) that best matches the query: previews centre on it, editors put the cursor there. */
  bestLine: number;
  /** The few lines around bestLine that best match (1-based, inclusive): what a preview shows first. */
  matchStart: number;
  matchEnd: number;
  why: MatchReason;
}

/** One file of a `files` search: scored from its best chunks. */
export interface FileHit {
  path: string;
  language: string;
  kind: FileKind;
  score: number;
  /** How many of the file's chunks matched, and the best one's location and symbol. */
  chunks: number;
  bestLine: number;
  symbol: string;
}

export interface SearchResult {
  query: string;
  mode: SearchMode;
  tookMs: number;
  results: SearchHit[];
  /** With `files: true`: the files, best first (results is then empty). */
  files?: FileHit[];
  /** True when no hit scored above the no-match floor: nothing here is a confident answer. */
  noGoodMatch: boolean;
  /** Hits under the floor that were left out (send `includeWeak` to get them). */
  weakHits: number;
  /** Set when the query was cut to MAX_QUERY_BYTES: says what was kept. */
  queryNote?: string;
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
  /** Bytes the project's search index holds in the daemon's memory (0 when not loaded). */
  memoryBytes: number;
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
  /** Bytes of its search index in the daemon's memory (0 when not loaded) and of its store on disk. */
  memoryBytes: number;
  indexBytes: number;
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

/** Sent to every connected client just before a requested stop: windows show "stopped" and do not restart the daemon until next use. */
export interface DaemonStoppingParams {
  /** Why: `ccc/stop from cli#3`, `idle`, `SIGTERM`, … */
  reason: string;
  /** True for a stop someone asked for (or the idle exit); false would be a crash, which is never announced. */
  requested: boolean;
}

export interface RemoveProjectParams {
  root: string;
}

export interface RemoveProjectResult {
  removed: boolean;
}

export interface DoctorParams {
  root: string;
  /** Each check is reported on this token as it finishes (`$/progress` with a DoctorCheck), so a front end can stream them. */
  workDoneToken?: string | number;
}

export type CheckStatus = 'ok' | 'warning' | 'error';

/** One finding of `ccc doctor`: what was checked, what was found, and (unless ok) what to do. */
export interface DoctorCheck {
  /** `settings`, `home`, `daemon`, `model`, `walk`, `index`, `watch`, `log`. */
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a warning or an error. */
  fix?: string;
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
// Structural search (`ccc grep`): a pattern of code with ast-grep metavariables, matched on Tree-sitter trees; no index.

export interface GrepParams {
  root: string;
  /** Code in the target language; `$NAME` one node, `$$$NAME` (or `$$$`) any sequence of nodes, `$_` one node not captured. */
  pattern: string;
  /** A language id or short name (`ts`, `py`, …); absent: every language of the files searched whose grammar parses the pattern. */
  language?: string;
  /** Root-relative files or folders to search (default: the whole project). */
  paths?: string[];
  /** Matches reported per file at most (like rg's -m). */
  maxCount?: number;
  /** Matches are reported on this token as they are found (`$/progress` with a GrepProgress). */
  workDoneToken?: string | number;
}

/** One match. Lines and columns are 1-based; the match ends just before endColumn on endLine. */
export interface GrepMatch {
  /** Root-relative, forward slashes. */
  path: string;
  language: string;
  kind: FileKind;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** The text of the lines startLine..endLine. */
  lines: string;
  /** Named metavariables (without `$`) and the text each matched. */
  captures: Record<string, string>;
}

/** A batch of matches, in the order files finish (each file's matches in source order). */
export interface GrepProgress {
  matches: GrepMatch[];
  /** Sent once, with no matches, when the walk has listed every file (how many a grammar parses). */
  walked?: number;
}

export interface GrepResult {
  matches: number;
  /** Files parsed or ruled out by their text; filesMatched of them hold a match. */
  filesSearched: number;
  filesMatched: number;
  /** Languages whose grammar parses the pattern and that were searched. */
  languages: string[];
  tookMs: number;
}

/** The `data` of an InvalidParams error for a pattern that parses in no language searched. */
export interface GrepPatternErrorData {
  language: string;
  /** 1-based, in the pattern as given. */
  line: number;
  column: number;
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
export const GrepRequest = new RequestType<GrepParams, GrepResult, void>('ccc/grep');
export const IndexChangedNotification = new NotificationType<IndexChangedParams>('ccc/indexChanged');
export const DaemonStoppingNotification = new NotificationType<DaemonStoppingParams>('ccc/stopping');

// The project registry: one Project per root, loaded lazily, kept for the daemon's lifetime.
// The server wires protocol requests to these methods; nothing here knows about sockets.
import type {
  DoctorReport,
  IndexChangedParams,
  IndexParams,
  IndexProgress,
  IndexResult,
  ProjectStatus,
  ProjectSummary,
  RemoveProjectResult,
  SearchParams,
  SearchResult,
  SimilarParams,
} from '../protocol';
import type { Logger } from '../log';
import type { GlobalSettings } from './settings';

export interface RegistryOptions {
  home: string;
  settings: GlobalSettings;
  log: Logger;
  /** Called on every state or content change of a project, for the server to push to editor clients. */
  onIndexChanged: (change: IndexChangedParams) => void;
}

export type ProgressSink = (progress: IndexProgress) => void;

// PLACEHOLDER until the index engine lands: same signatures, no behaviour.
export class ProjectRegistry {
  constructor(private readonly options: RegistryOptions) {}
  get modelId(): string { return this.options.settings.embedding.model; }
  async index(_params: IndexParams, _progress: ProgressSink): Promise<IndexResult> { throw new Error('not implemented'); }
  async search(_params: SearchParams, _progress: ProgressSink): Promise<SearchResult> { throw new Error('not implemented'); }
  async similar(_params: SimilarParams): Promise<SearchResult> { throw new Error('not implemented'); }
  async status(_root: string): Promise<ProjectStatus> { throw new Error('not implemented'); }
  summaries(): ProjectSummary[] { return []; }
  async remove(_root: string): Promise<RemoveProjectResult> { return { removed: false }; }
  async doctor(_root: string): Promise<DoctorReport> { return { checks: [] }; }
  /** True while any project loads or indexes: the daemon does not idle-exit then. */
  isBusy(): boolean { return false; }
  /** Stop watchers and workers, flush every store. */
  async close(): Promise<void> {}
}

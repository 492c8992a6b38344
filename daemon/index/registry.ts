// The project registry: one Project per root, loaded lazily, kept for the daemon's lifetime unless the memory budget
// unloads it.
// The server wires protocol requests to these methods; nothing here knows about sockets.
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { ResponseError } from 'vscode-jsonrpc';
import type {
  DoctorCheck,
  DoctorReport,
  IndexChangedParams,
  IndexParams,
  IndexResult,
  ProjectStatus,
  ProjectSummary,
  RemoveProjectResult,
  SearchParams,
  SearchResult,
  SimilarParams,
} from '../protocol';
import { ErrorCodes } from '../protocol';
import type { Logger } from '../log';
import { homePaths, projectIndexDir } from '../paths';
import { Chunker } from './chunker';
import { loadEmbedder } from './embedder';
import { fullGc } from './full-gc';
import { EmbeddingCache } from './embedding-cache';
import type { ProgressSink } from './indexer';
import { MemoryBudget } from './memory-budget';
import { Project, type Engine } from './project';
import { indexCheck, modelCheck, walkCheck, watchCheck, watchLimits } from './doctor';
import type { GlobalSettings } from './settings';
import { ChunkStore } from './store';

export type { ProgressSink } from './indexer';

export interface RegistryOptions {
  home: string;
  settings: GlobalSettings;
  log: Logger;
  /** Called on every state or content change of a project, for the server to push to editor clients. */
  onIndexChanged: (change: IndexChangedParams) => void;
}

export class ProjectRegistry {
  private readonly projects = new Map<string, Project>();
  /** When each project was last named by a request, and how many of its requests are running; forgotten with the project. */
  private readonly usage = new WeakMap<Project, { lastUsed: number; running: number }>();
  /** Projects being unloaded: a request for one waits until its store is closed before reopening it. */
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly budget: MemoryBudget;
  private engine: Promise<Engine> | null = null;
  /** The embedding cache, opened by the first pass (reading it takes a while, and a start that only searches needs none). */
  private cache: Promise<EmbeddingCache> | null = null;

  constructor(private readonly options: RegistryOptions) {
    this.budget = new MemoryBudget({
      limitBytes: options.settings.index.maxMemoryMB * 2 ** 20,
      log: options.log,
      loaded: () =>
        [...this.projects.values()].map((project) => {
          const usage = this.usage.get(project)!;
          return { root: project.root, lastUsed: usage.lastUsed, busy: project.busy || usage.running > 0 };
        }),
      unload: (root) => this.unload(root),
    });
  }

  get modelId(): string {
    return this.options.settings.embedding.model;
  }

  index(params: IndexParams, progress: ProgressSink): Promise<IndexResult> {
    return this.use(params.root, (project) => project.index({ paths: params.paths, force: params.force }, progress));
  }

  search(params: SearchParams, progress: ProgressSink): Promise<SearchResult> {
    return this.use(params.root, (project) => project.search(params, progress));
  }

  similar(params: SimilarParams): Promise<SearchResult> {
    return this.use(params.root, (project) => project.similar(params));
  }

  status(root: string): Promise<ProjectStatus> {
    return this.use(root, (project) => project.status());
  }

  summaries(): ProjectSummary[] {
    return [...this.projects.values()].map((project) => project.summary());
  }

  /** Drops the project's watcher and deletes its store. */
  async remove(root: string): Promise<RemoveProjectResult> {
    const key = canonicalRoot(root);
    const dir = projectIndexDir(this.options.home, key);
    const existed = existsSync(dir);
    await this.unloading.get(key);
    const project = this.projects.get(key);
    this.projects.delete(key);
    if (project) await project.destroy();
    await ChunkStore.destroy(dir);
    return { removed: existed };
  }

  /** The daemon's checks of `ccc doctor`, each reported as it finishes. */
  async doctor(root: string, report: (check: DoctorCheck) => void): Promise<DoctorReport> {
    const checks: DoctorCheck[] = [];
    const run = async (name: string, check: () => Promise<DoctorCheck>) => {
      const result = await check().catch((error): DoctorCheck => ({ name, status: 'error', detail: oneLine(error) }));
      checks.push(result);
      report(result);
    };
    const key = canonicalRoot(root);
    const project = this.project(key);
    // The model before the store: opening the store schedules a catch-up pass, which would slow the speed measured.
    await run('model', async () => modelCheck((await this.loadEngine()).embedder));
    // The snapshot is taken before that catch-up pass can change the store.
    const stored = await project.storedFiles().catch(() => null);
    await run('walk', () => walkCheck(key));
    await run('index', async () => {
      if (!stored) return { name: 'index', status: 'error', detail: 'the stored index could not be opened (see daemon.log)', fix: 'run ccc index --force' };
      return indexCheck(key, stored.files, stored.chunks, stored.bytes, stored.indexing);
    });
    await run('watch', async () => watchCheck(project.watching, (stored?.files.size ?? 0) > 0, await watchLimits()));
    return { checks };
  }

  /** True while any project loads or indexes: the daemon does not idle-exit then. */
  isBusy(): boolean {
    return [...this.projects.values()].some((project) => project.busy);
  }

  /** Stop watchers and workers, flush every store. */
  async close(): Promise<void> {
    this.budget.close();
    await Promise.all([...this.unloading.values(), ...[...this.projects.values()].map((project) => project.close())]);
    const engine = await this.engine?.catch(() => null);
    const cache = await this.cache?.catch(() => null);
    if (engine) await Promise.all([engine.chunker.close(), cache?.close(), engine.embedder.close()]);
  }

  /** Runs one request on a project, counting it as used (and in use until the request ends). */
  private async use<T>(root: string, run: (project: Project) => Promise<T>): Promise<T> {
    const key = canonicalRoot(root);
    await this.unloading.get(key);
    const project = this.project(key);
    const usage = this.usage.get(project)!;
    usage.lastUsed = Date.now();
    usage.running++;
    try {
      return await run(project);
    } finally {
      usage.running--;
    }
  }

  /** The project of a canonical root, created (not yet loaded) on first use. */
  private project(key: string): Project {
    let project = this.projects.get(key);
    if (!project) {
      project = new Project({
        root: key,
        home: this.options.home,
        log: this.options.log,
        engine: () => this.loadEngine(),
        onChanged: (change) => {
          this.options.onIndexChanged(change);
          // Loading a project and finishing a pass are what make memory grow.
          if (change.state === 'ready') this.budget.check();
        },
      });
      this.projects.set(key, project);
      this.usage.set(project, { lastUsed: Date.now(), running: 0 });
    }
    return project;
  }

  private async unload(key: string): Promise<void> {
    const project = this.projects.get(key);
    if (!project) return;
    this.projects.delete(key);
    const closed = project.close().finally(() => this.unloading.delete(key));
    this.unloading.set(key, closed);
    await closed;
    fullGc();
  }

  /** The model loads once, on first need, and is shared by every project; a failed load is retried next time. */
  private loadEngine(): Promise<Engine> {
    this.engine ??= (async () => {
      const { home, settings } = this.options;
      const { model, batchSize, queryPrefix, documentPrefix } = settings.embedding;
      const embedder = await loadEmbedder(model, { home, batchSize, queryPrefix, documentPrefix });
      this.options.log.info(`embedding model ${embedder.modelId} (${embedder.dimension}-d) loaded`);
      const cache = () => (this.cache ??= EmbeddingCache.open(homePaths(home).cache, embedder.modelId, embedder.dimension, 'document').catch((error) => {
        this.cache = null;
        throw error;
      }));
      return { embedder, cache, chunker: new Chunker({ log: this.options.log }) };
    })().catch((error) => {
      this.engine = null;
      throw new ResponseError(ErrorCodes.IndexFailed, `embedding model "${this.options.settings.embedding.model}" failed to load: ${oneLine(error)}`);
    });
    return this.engine;
  }
}

/** One key per folder, however it was spelled (trailing slash, symlinked path). */
function canonicalRoot(root: string): string {
  try {
    return realpathSync(resolve(root));
  } catch {
    return resolve(root);
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

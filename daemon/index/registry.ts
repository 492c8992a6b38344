// The project registry: one Project per root, loaded lazily, kept for the daemon's lifetime.
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
import { EmbeddingCache } from './embedding-cache';
import type { ProgressSink } from './indexer';
import { Project, type Engine } from './project';
import { loadProjectSettings, type GlobalSettings } from './settings';
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
  private engine: Promise<Engine> | null = null;

  constructor(private readonly options: RegistryOptions) {}

  get modelId(): string {
    return this.options.settings.embedding.model;
  }

  index(params: IndexParams, progress: ProgressSink): Promise<IndexResult> {
    return this.project(params.root).index({ paths: params.paths, force: params.force }, progress);
  }

  search(params: SearchParams, progress: ProgressSink): Promise<SearchResult> {
    return this.project(params.root).search(params, progress);
  }

  similar(params: SimilarParams): Promise<SearchResult> {
    return this.project(params.root).similar(params);
  }

  status(root: string): Promise<ProjectStatus> {
    return this.project(root).status();
  }

  summaries(): ProjectSummary[] {
    return [...this.projects.values()].map((project) => project.summary());
  }

  /** Drops the project's watcher and deletes its store. */
  async remove(root: string): Promise<RemoveProjectResult> {
    const key = canonicalRoot(root);
    const dir = projectIndexDir(this.options.home, key);
    const existed = existsSync(dir);
    const project = this.projects.get(key);
    this.projects.delete(key);
    if (project) await project.destroy();
    await ChunkStore.destroy(dir);
    return { removed: existed };
  }

  async doctor(root: string): Promise<DoctorReport> {
    const checks: DoctorCheck[] = [];
    const check = async (name: string, run: () => Promise<string> | string) => {
      try {
        checks.push({ name, ok: true, detail: await run() });
      } catch (error) {
        checks.push({ name, ok: false, detail: oneLine(error) });
      }
    };
    await check('settings', () => {
      const settings = loadProjectSettings(canonicalRoot(root));
      return `${settings.include.length} include and ${settings.exclude.length} exclude globs`;
    });
    await check('model', async () => {
      const { embedder } = await this.loadEngine();
      const [vector] = await embedder.embed(['read a file']);
      return `${embedder.modelId} (${embedder.dimension}-d), embeds (${vector.length} values)`;
    });
    await check('grammars', async () => {
      const { chunker } = await this.loadEngine();
      const [chunks] = await chunker.chunk([{ path: 'doctor.ts', language: 'typescript', text: 'function doctorCheck() {\n  return 1;\n}\n' }]);
      if (!chunks.some((chunk) => chunk.symbol.includes('doctorCheck'))) throw new Error('the TypeScript grammar did not find a function');
      return 'TypeScript parses into definition chunks';
    });
    const project = this.project(root);
    await check('store', async () => {
      const status = await project.status();
      return `${status.files} files, ${status.chunks} chunks, ${status.indexBytes} bytes`;
    });
    await check('watcher', () => {
      if (!project.watching) throw new Error('not watching: changes are picked up by ccc index (or after the first index pass)');
      return 'watching for changes';
    });
    return { checks };
  }

  /** True while any project loads or indexes: the daemon does not idle-exit then. */
  isBusy(): boolean {
    return [...this.projects.values()].some((project) => project.busy);
  }

  /** Stop watchers and workers, flush every store. */
  async close(): Promise<void> {
    await Promise.all([...this.projects.values()].map((project) => project.close()));
    const engine = await this.engine?.catch(() => null);
    if (engine) await Promise.all([engine.chunker.close(), engine.cache.close(), engine.embedder.close()]);
  }

  private project(root: string): Project {
    const key = canonicalRoot(root);
    let project = this.projects.get(key);
    if (!project) {
      project = new Project({
        root: key,
        home: this.options.home,
        log: this.options.log,
        engine: () => this.loadEngine(),
        onChanged: this.options.onIndexChanged,
      });
      this.projects.set(key, project);
    }
    return project;
  }

  /** The model loads once, on first need, and is shared by every project; a failed load is retried next time. */
  private loadEngine(): Promise<Engine> {
    this.engine ??= (async () => {
      const { home, settings } = this.options;
      const embedder = await loadEmbedder(settings.embedding.model, { home, batchSize: settings.embedding.batchSize });
      const cache = await EmbeddingCache.open(homePaths(home).cache, embedder.modelId, embedder.dimension);
      this.options.log.info(`embedding model ${embedder.modelId} (${embedder.dimension}-d) loaded`);
      return { embedder, cache, chunker: new Chunker() };
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

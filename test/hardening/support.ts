// Helpers for the hardening suites: the suite size (CI or full), generated projects, a raw client per test, and a
// dump of a project's store of record read straight from disk after the daemon stopped.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { silentLogger } from '../../daemon/log';
import { projectIndexDir } from '../../daemon/paths';
import { IndexRequest, SearchRequest, type IndexResult, type SearchParams, type SearchResult } from '../../daemon/protocol';
import { ChunkStore } from '../../daemon/index/store';
import { textHash } from '../../daemon/index/embedding-cache';
import { connect, type DaemonSession } from '../../daemon/client';
import { DAEMON_JS, daemonProcesses, isAlive, makeTempHome, readPid, runCli, waitFor, type TempHome } from '../support';

/** The temporary homes and folders of one test file, named after its prefix; `cleanup()` (from `after`) removes them all. */
export class Scratch {
  private readonly homes: TempHome[] = [];
  private readonly dirs: string[] = [];

  constructor(private readonly prefix: string) {}

  /** A fresh CCC_HOME; its daemons are stopped by `cleanup()`. */
  home(): string {
    const home = makeTempHome(this.prefix);
    this.homes.push(home);
    return home.dir;
  }

  /** A fresh folder under /tmp, `<prefix><kind>-…`. */
  dir(kind: string): string {
    const dir = mkdtempSync(join('/tmp', `${this.prefix}${kind}-`));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.homes.map((home) => home.cleanup()));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** `CCC_HARDENING=full` selects the full-size suite; the default is the CI size. */
export const FULL = process.env.CCC_HARDENING === 'full';

export function sized(ci: number, full: number): number {
  return FULL ? full : ci;
}

/** A word that appears in exactly one generated file, so a search for it proves that file is indexed. */
export function marker(i: number): string {
  return `zq${i.toString(36)}marker`;
}

/** Source text for generated file `i`: a few functions in TypeScript or Python, one carrying the file's marker. */
export function sourceFile(i: number, variant = 0): { path: string; text: string } {
  const folder = `pkg${i % 37}/mod${i % 11}`;
  if (i % 2 === 0) {
    const fns = [0, 1, 2]
      .map((k) => `export function ${marker(i)}Fn${k}v${variant}(input: number): number {\n  const scaled = input * ${k + 2};\n  return scaled + ${i};\n}\n`)
      .join('\n');
    return { path: `${folder}/file${i}.ts`, text: `// module ${i} variant ${variant}\n${fns}` };
  }
  const fns = [0, 1, 2]
    .map((k) => `def ${marker(i)}_fn${k}_v${variant}(values):\n    total = sum(values) * ${k + 2}\n    return total + ${i}\n`)
    .join('\n\n');
  return { path: `${folder}/file${i}.py`, text: `# module ${i} variant ${variant}\n${fns}` };
}

/** Writes `count` generated files (and a `.git` folder so the root is a project root) under a new folder in /tmp. */
export function writeProject(root: string, count: number, variant = 0): void {
  mkdirSync(join(root, '.git'), { recursive: true });
  for (let i = 0; i < count; i++) writeFile(root, sourceFile(i, variant).path, sourceFile(i, variant).text);
}

export function writeFile(root: string, path: string, text: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

export async function startDaemon(home: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const result = await runCli(['daemon', 'start'], { home, env });
  assert.equal(result.code, 0, result.stderr);
  const pid = readPid(home);
  assert.ok(pid, 'daemon.pid written');
  return pid;
}

export async function stopDaemon(home: string): Promise<void> {
  const result = await runCli(['daemon', 'stop'], { home });
  assert.equal(result.code, 0, result.stderr);
  await waitFor(() => daemonProcesses(home).length === 0, 10_000, 'daemon to exit');
}

export async function killDaemon(home: string): Promise<void> {
  for (const pid of daemonProcesses(home)) process.kill(pid, 'SIGKILL');
  await waitFor(() => daemonProcesses(home).every((pid) => !isAlive(pid)), 5000, 'killed daemon to die');
}

/** One request on a fresh connection, as the CLI does; starts the daemon when none runs. */
export async function request<R>(home: string, send: (session: DaemonSession) => Promise<R>): Promise<R> {
  const session = await connect({ client: 'cli', home, daemonScript: DAEMON_JS });
  try {
    return await send(session);
  } finally {
    session.close();
  }
}

export function index(home: string, root: string, extra: { force?: boolean; paths?: string[] } = {}): Promise<IndexResult> {
  return request(home, (raw) => raw.connection.sendRequest(IndexRequest, { root, ...extra }));
}

export function search(home: string, params: SearchParams): Promise<SearchResult> {
  return request(home, (raw) => raw.connection.sendRequest(SearchRequest, params));
}

/** Asserts that a keyword search for file `i`'s marker finds that file: the daemon serves and the content is indexed. */
export async function assertFindable(home: string, root: string, i: number, variant = 0): Promise<void> {
  const result = await search(home, { root, query: `${marker(i)}Fn0v${variant} ${marker(i)}_fn0_v${variant}`, mode: 'keyword', limit: 5 });
  const path = sourceFile(i, variant).path;
  assert.ok(
    result.results.some((hit) => hit.path === path),
    `${path} should be found; got ${result.results.map((hit) => hit.path).join(', ') || 'nothing'}`,
  );
}

export interface StoreDump {
  rebuiltReason: string | null;
  files: string[];
  /** `path:startLine-endLine:hash`, sorted; duplicates kept so they show. */
  chunks: string[];
}

/** Opens the project's store of record as the daemon would (the daemon must not be running) and lists its content. */
export async function dumpStore(home: string, root: string): Promise<StoreDump> {
  const dir = projectIndexDir(home, realpathSync(root));
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { modelId: string; dimension: number };
  const store = await ChunkStore.open(dir, { modelId: manifest.modelId, dimension: manifest.dimension }, silentLogger);
  try {
    const chunks: string[] = [];
    const perFile = new Map<string, number>();
    await store.loadChunks(true, (loaded) => {
      for (const chunk of loaded) {
        chunks.push(`${chunk.path}:${chunk.startLine}-${chunk.endLine}:${textHash(chunk.content!)}`);
        perFile.set(chunk.path, (perFile.get(chunk.path) ?? 0) + 1);
      }
    });
    const records = store.fileRecords();
    for (const record of records.values()) {
      assert.equal(perFile.get(record.path) ?? 0, record.chunkCount, `${record.path} names chunks that are missing`);
    }
    return { rebuiltReason: store.rebuiltReason, files: [...records.keys()].sort(), chunks: chunks.sort() };
  } finally {
    await store.close();
  }
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : 0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// `ccc init`, `ccc index`, `ccc status`, `ccc reset`: set up a project, bring its index up to date, look at it, drop it.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ProgressType } from 'vscode-jsonrpc';
import { treeSitterLanguages } from '../../grammars/languages';
import { daemonStatusIfRunning, findProjectRoot, withDaemon, type ClientOptions } from '../client';
import { cccHome, homePaths, projectIndexDir } from '../paths';
import {
  IndexRequest,
  RemoveProjectRequest,
  StatusRequest,
  WATCH_POLL_MS,
  type IndexProgress,
  type IndexResult,
  type ProjectStatus,
  type WatchMode,
} from '../protocol';
import { formatBytes, notice, printJson, UsageError } from './output';
import { progressDisplay } from './progress-bar';

const clientOptions: ClientOptions = { client: 'cli', notify: notice };

/** The project a command acts on: the nearest ancestor of PATH (or the current folder) holding `.ccc/` or `.git`. */
function projectRoot(path: string | undefined): string {
  const start = resolve(path ?? process.cwd());
  if (!existsSync(start)) throw new Error(`${start} does not exist`);
  return findProjectRoot(statSync(start).isDirectory() ? start : dirname(start));
}

async function runInit(path: string | undefined, flags: { force?: boolean }): Promise<void> {
  // Loaded on demand: the settings code and its YAML parser need not slow down every other ccc command.
  const { defaultProjectSettingsYaml, projectSettingsFile } = await import('../index/settings');
  const root = path ? resolve(path) : findProjectRoot(process.cwd());
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${root} is not a folder`);
  const file = projectSettingsFile(root);
  if (existsSync(file) && !flags.force) throw new Error(`${file} already exists; use --force to overwrite it`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, defaultProjectSettingsYaml());
  process.stdout.write(`wrote ${file}\n`);
}

async function runIndex(path: string | undefined, flags: { json?: boolean; force?: boolean }): Promise<void> {
  const root = projectRoot(path);
  const display = progressDisplay();
  const token = `ccc-index-${process.pid}`;
  let result: IndexResult;
  try {
    result = await withDaemon(clientOptions, (session) => {
      session.connection.onProgress(new ProgressType<IndexProgress>(), token, (progress) => display.update(progress));
      return session.connection.sendRequest(IndexRequest, { root, force: flags.force, workDoneToken: token });
    });
  } finally {
    display.done();
  }
  if (flags.json) return printJson(result);
  process.stdout.write(formatIndexResult(result));
}

export function formatIndexResult(result: IndexResult): string {
  const c = result.counts;
  const lines = [
    `indexed ${result.root} in ${(result.tookMs / 1000).toFixed(1)} s${result.waited ? ' (after waiting for a running pass)' : ''}`,
    `  files: ${c.files} listed, ${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.skipped} skipped, ${c.errors} errors`,
    `  chunks: ${result.chunks} in the index, ${c.chunksEmbedded} embedded now${c.reused > 0 ? `; ${c.reused} files reused known content` : ''}`,
  ];
  if (result.problems.length > 0) {
    lines.push(`  skipped or failed${result.problems.length < c.skipped + c.errors ? ` (first ${result.problems.length})` : ''}:`);
    for (const problem of result.problems.slice(0, 20)) lines.push(`    ${problem.path}: ${problem.reason}`);
    if (result.problems.length > 20) lines.push(`    … ${result.problems.length - 20} more (see --json)`);
  }
  return `${lines.join('\n')}\n`;
}

async function runStatus(path: string | undefined, flags: { json?: boolean }): Promise<void> {
  const root = projectRoot(path);
  const status = await withDaemon(clientOptions, (session) => session.connection.sendRequest(StatusRequest, { root }));
  if (flags.json) return printJson(status);
  process.stdout.write(formatStatus(status));
}

export function formatStatus(status: ProjectStatus): string {
  const languages = Object.entries(status.languages)
    .sort((a, b) => b[1] - a[1])
    .map(([language, chunks]) => `${language} ${chunks}`)
    .join(', ');
  const parsed = treeSitterLanguages();
  const lines = [
    `project: ${status.root}`,
    `state:   ${status.state}${status.progress?.percentage !== undefined ? ` (${status.progress.percentage}%)` : ''}${status.error ? `: ${status.error}` : ''}`,
    `files:   ${status.files}`,
    `chunks:  ${status.chunks}${languages ? ` (${languages})` : ''}`,
    `index:   ${formatBytes(status.indexBytes)} on disk, ${formatBytes(status.memoryBytes)} in the daemon's memory`,
    `model:   ${status.model} (${status.dimension}-d)`,
    `updated: ${status.lastIndexedAt === null ? 'never' : new Date(status.lastIndexedAt).toLocaleString()}`,
    `watch:   ${WATCH_MODE_TEXT[status.watching]}`,
    `parsed:  Tree-sitter for ${parsed.length} languages: ${parsed.join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

const WATCH_MODE_TEXT: Record<WatchMode, string> = {
  events: 'file events',
  polling: `a pass every ${WATCH_POLL_MS / 1000} s (file events could not start; see daemon.log)`,
  off: 'not yet (starts after the first index pass)',
};

async function runReset(path: string | undefined, flags: { all?: boolean }): Promise<void> {
  if (flags.all && path) throw new UsageError('give a PATH or --all, not both');
  if (!flags.all) {
    const root = projectRoot(path);
    const { removed } = await withDaemon(clientOptions, (session) => session.connection.sendRequest(RemoveProjectRequest, { root }));
    process.stdout.write(removed ? `removed the index of ${root}\n` : `${root} had no index\n`);
    return;
  }
  process.stdout.write(`removed ${await resetAll()} project indexes\n`);
}

/** The daemon drops the projects it has open; the indexes of the others are only folders, deleted here. */
async function resetAll(): Promise<number> {
  const home = cccHome();
  const status = await daemonStatusIfRunning(clientOptions);
  const open = status?.projects ?? [];
  for (const project of open) {
    await withDaemon(clientOptions, (session) => session.connection.sendRequest(RemoveProjectRequest, { root: project.root }));
  }
  const openDirs = new Set(open.map((project) => projectIndexDir(home, project.root)));
  const indexRoot = homePaths(home).indexRoot;
  const rest = existsSync(indexRoot) ? readdirSync(indexRoot).map((name) => join(indexRoot, name)) : [];
  for (const dir of rest) if (!openDirs.has(dir)) rmSync(dir, { recursive: true, force: true });
  return open.length + rest.filter((dir) => !openDirs.has(dir)).length;
}

export function register(program: Command): void {
  program
    .command('init')
    .description('write .ccc/settings.yml with the default settings (include, exclude, maxFileSize, languageOverrides)')
    .argument('[path]', 'the project folder (default: the project of the current folder)')
    .option('--force', 'overwrite an existing .ccc/settings.yml')
    .action(runInit);

  program
    .command('index')
    .description('bring the project\'s index up to date (only changed files are re-read and re-embedded)')
    .argument('[path]', 'a folder inside the project (default: the current folder)')
    .option('--force', 'drop the index and rebuild it from scratch')
    .option('--json', 'print the result as JSON')
    .action(runIndex);

  program
    .command('status')
    .description('show the project\'s index: files, chunks per language, size on disk, model, last update')
    .argument('[path]', 'a folder inside the project (default: the current folder)')
    .option('--json', 'print the status as JSON')
    .action(runStatus);

  program
    .command('reset')
    .description('delete the project\'s index (the files themselves are not touched)')
    .argument('[path]', 'a folder inside the project (default: the current folder)')
    .option('--all', 'delete the index of every project')
    .action(runReset);
}

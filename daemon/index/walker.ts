// Lists the files of a project that should be indexed: .gitignore at every level, .git/info/exclude, the project's
// include/exclude globs and size limit. Symlinks are never followed: whatever a link inside the root points to is
// listed once under its real path; links leading outside the root or nowhere are reported.
import { lstat as lstatCallback, readdir as readdirCallback, readFileSync, realpath as realpathCallback } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { FileProblem } from '../protocol';
import { formatSize, type ProjectSettings } from './settings';

export interface WalkedFile {
  /** Root-relative, '/' separators. */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface WalkResult {
  /** Sorted by path. */
  files: WalkedFile[];
  skipped: FileProblem[];
}

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

// The walk's many small calls go through the callback API: on Node 20 it is 3-5x faster than fs/promises for lstat.
const lstat = promisify(lstatCallback);
const readdir = promisify(readdirCallback);
const realpath = promisify(realpathCallback);

/** Parallel fs calls in flight; more only queues in libuv's thread pool. */
const FS_CONCURRENCY = 32;
/** Tests slow each folder's listing to show what happens while a long walk runs (`ccc grep` streams matches meanwhile). */
const TEST_DIR_DELAY_MS = Number(process.env.CCC_TEST_WALK_DIR_DELAY_MS ?? 0);

type Matcher = (path: string) => boolean;

function compilePathGlobs(globs: string[]): Matcher {
  return globs.length === 0 ? () => false : picomatch(globs, { dot: true });
}

/** Globs with a '/' match the whole root-relative path; globs without one match the name at any depth. */
function compileGlobs(globs: string[]): Matcher {
  const byPath = compilePathGlobs(globs.filter((glob) => glob.includes('/')));
  const byName = compilePathGlobs(globs.filter((glob) => !glob.includes('/')));
  return (path) => byPath(path) || byName(path.slice(path.lastIndexOf('/') + 1));
}

/**
 * Decides whether one root-relative path belongs to the index by its name and the ignore rules (not its content).
 * It caches the .gitignore files it reads: load a new filter when a .gitignore or the settings change.
 */
export class ProjectFilter {
  private readonly included: Matcher;
  private readonly excluded: Matcher;
  /** `dir/**` excludes also exclude `dir` itself, so the walk does not descend into it. */
  private readonly excludedDir: Matcher;
  /** Folder (root-relative, '' for the root) → its .gitignore rules, or null when it has none. */
  private readonly gitignores = new Map<string, Ignore | null>();

  private constructor(
    readonly root: string,
    settings: ProjectSettings,
    private readonly infoExclude: Ignore | null,
  ) {
    this.included = compileGlobs(settings.include);
    this.excluded = compileGlobs(settings.exclude);
    this.excludedDir = compilePathGlobs(settings.exclude.filter((glob) => glob.endsWith('/**')).map((glob) => glob.slice(0, -3)));
  }

  static async load(root: string, settings: ProjectSettings): Promise<ProjectFilter> {
    const infoExclude = await readIgnoreFile(join(root, '.git', 'info', 'exclude'));
    return new ProjectFilter(root, settings, infoExclude);
  }

  /** True when the path (a file, or a folder to descend into) passes every rule, its ancestor folders included. */
  accepts(relPath: string, isDir: boolean): boolean {
    const parts = relPath.split('/').filter((part) => part !== '' && part !== '.');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      this.loadGitignoreSync(parts.slice(0, i - 1).join('/'));
      if (!this.acceptsHere(dir, true)) return false;
    }
    if (parts.length === 0) return isDir;
    this.loadGitignoreSync(parts.slice(0, -1).join('/'));
    return this.acceptsHere(parts.join('/'), isDir);
  }

  /** For walkProject: checks one path whose ancestors are known to be accepted and whose folders' .gitignores are loaded. */
  acceptsHere(relPath: string, isDir: boolean): boolean {
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    if (isDir && name === '.git') return false;
    if (this.excluded(relPath) || (isDir && this.excludedDir(relPath))) return false;
    if (this.gitignored(relPath, isDir)) return false;
    return isDir || this.included(relPath);
  }

  /** Git's precedence: .git/info/exclude, then each folder's .gitignore from the root down; the deepest rule that matches wins. */
  private gitignored(relPath: string, isDir: boolean): boolean {
    const suffix = isDir ? '/' : '';
    let ignored = this.infoExclude?.ignores(relPath + suffix) ?? false;
    let dir = '';
    for (;;) {
      const rules = this.gitignores.get(dir);
      if (rules) {
        const result = rules.test((dir ? relPath.slice(dir.length + 1) : relPath) + suffix);
        if (result.ignored) ignored = true;
        else if (result.unignored) ignored = false;
      }
      const next = relPath.indexOf('/', dir ? dir.length + 1 : 0);
      if (next < 0) return ignored;
      dir = relPath.slice(0, next);
    }
  }

  /** For walkProject: a folder's .gitignore rules (or null), read before it looks at the folder's entries. */
  setGitignore(relDir: string, rules: Ignore | null): void {
    this.gitignores.set(relDir, rules);
  }

  private loadGitignoreSync(relDir: string): void {
    if (this.gitignores.has(relDir)) return;
    let rules: Ignore | null = null;
    try {
      rules = ignore().add(readFileSync(join(this.root, relDir, '.gitignore'), 'utf8'));
    } catch {
      // No .gitignore (or an unreadable one) means no rules from this folder.
    }
    this.gitignores.set(relDir, rules);
  }
}

async function readIgnoreFile(file: string): Promise<Ignore | null> {
  try {
    return ignore().add(await readFile(file, 'utf8'));
  } catch {
    return null;
  }
}

/** A counting semaphore: at most `limit` of the wrapped calls run at once. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  // A queue read from a moving head: Array.shift is O(n) on large arrays, and a big tree queues 100k calls.
  let waiting: (() => void)[] = [];
  let head = 0;
  const wakeNext = () => {
    if (head === waiting.length) return;
    const next = waiting[head++];
    if (head === waiting.length) {
      waiting = [];
      head = 0;
    }
    next();
  };
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      wakeNext();
    }
  };
}

function problemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT') return 'vanished while reading';
  if (code === 'ELOOP') return 'symlink loop';
  return `cannot read (${code ?? (error as Error).message.split('\n')[0]})`;
}

function isInside(realRoot: string, realPath: string): boolean {
  return realPath === realRoot || realPath.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}

/** Every file of the project the rules accept and that fits the size limit, sorted by path, and what was left out for a reason. */
export async function walkProject(root: string, settings: ProjectSettings): Promise<WalkResult> {
  return walkFolder(await ProjectFilter.load(root, settings), settings, '');
}

/**
 * The same for the files below one folder (root-relative, '' for the root); nothing when the rules leave the folder out.
 * `onFile` hears of each file as the walk finds it, for work that need not wait for the whole list (`ccc grep`).
 */
export async function walkFolder(
  filter: ProjectFilter, settings: ProjectSettings, folder: string, onFile?: (file: WalkedFile) => void,
): Promise<WalkResult> {
  // accepts() also reads the .gitignores of the folder's ancestors, which the walk below does not visit.
  if (folder !== '' && !filter.accepts(folder, true)) return { files: [], skipped: [] };
  const root = filter.root;
  const realRoot = await realpath(root);
  const files: WalkedFile[] = [];
  const skipped: FileProblem[] = [];
  const fs = limiter(FS_CONCURRENCY);

  const addFile = (path: string, absPath: string, size: number, mtimeMs: number) => {
    if (size > settings.maxFileSize) {
      skipped.push({ path, reason: tooLargeReason(settings.maxFileSize) });
      return;
    }
    const file = { path, absPath, size, mtimeMs };
    files.push(file);
    onFile?.(file);
  };

  // Links are not followed; they are only reported when they lead somewhere the walk cannot list the target.
  const checkLink = async (path: string, absPath: string) => {
    let target: string;
    try {
      target = await fs(() => realpath(absPath));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      skipped.push({ path, reason: code === 'ENOENT' ? 'broken symlink' : problemReason(error) });
      return;
    }
    if (!isInside(realRoot, target)) skipped.push({ path, reason: 'symlink leads outside the project' });
  };

  const walkDir = async (relDir: string): Promise<void> => {
    const absDir = relDir ? join(root, relDir) : root;
    let entries;
    try {
      if (TEST_DIR_DELAY_MS > 0) await sleep(TEST_DIR_DELAY_MS);
      entries = await fs(() => readdir(absDir, { withFileTypes: true }));
    } catch (error) {
      skipped.push({ path: relDir || '.', reason: problemReason(error) });
      return;
    }
    if (entries.some((entry) => entry.name === '.gitignore' && !entry.isDirectory())) {
      filter.setGitignore(relDir, await fs(() => readIgnoreFile(join(absDir, '.gitignore'))));
    } else {
      filter.setGitignore(relDir, null);
    }
    const work: Promise<void>[] = [];
    for (const entry of entries) {
      const path = relDir ? `${relDir}/${entry.name}` : entry.name;
      const absPath = join(absDir, entry.name);
      if (entry.isDirectory()) {
        if (filter.acceptsHere(path, true)) work.push(walkDir(path));
      } else if (entry.isSymbolicLink()) {
        if (filter.acceptsHere(path, false) || filter.acceptsHere(path, true)) work.push(checkLink(path, absPath));
      } else if (entry.isFile() && filter.acceptsHere(path, false)) {
        work.push(
          fs(() => lstat(absPath)).then(
            (info) => addFile(path, absPath, info.size, info.mtimeMs),
            (error) => void skipped.push({ path, reason: problemReason(error) }),
          ),
        );
      }
    }
    await Promise.all(work);
  };

  await walkDir(folder);
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { files: files.sort(byPath), skipped: skipped.sort(byPath) };
}

// ------------------------------------------------------------------------------------------
// Reading one file

/** How much of a file's head decides "binary" and "@generated". */
const HEAD_BYTES = 8192;
/** Files smaller than this are never called minified: a short one-liner is just short. */
const MINIFIED_MIN_BYTES = 4096;
const MINIFIED_AVG_LINE = 500;
const MINIFIED_MAX_LINE = 5000;

/** The file's text, or why it is not indexed: too large, binary, not UTF-8, minified or generated, unreadable. */
export async function readSourceFile(absPath: string, maxFileSize: number): Promise<ReadResult> {
  let bytes: Buffer;
  try {
    const info = await stat(absPath);
    if (!info.isFile()) return { ok: false, reason: 'not a regular file' };
    if (info.size > maxFileSize) return { ok: false, reason: tooLargeReason(maxFileSize) };
    bytes = await readFile(absPath);
  } catch (error) {
    return { ok: false, reason: problemReason(error) };
  }
  if (bytes.length > maxFileSize) return { ok: false, reason: tooLargeReason(maxFileSize) };
  const text = decode(bytes);
  if (text === null) return { ok: false, reason: 'not UTF-8' };
  if (text === undefined) return { ok: false, reason: 'binary file' };
  if (looksGenerated(text)) return { ok: false, reason: 'minified or generated' };
  // CRLF → LF keeps every line number and keeps carriage returns out of chunk text shown in terminals.
  return { ok: true, text: text.includes('\r\n') ? text.replace(/\r\n/g, '\n') : text };
}

function tooLargeReason(maxFileSize: number): string {
  return `larger than maxFileSize (${formatSize(maxFileSize).replace(/(\d)([KMG]?B)$/, '$1 $2')})`;
}

/** Text from UTF-16 (with its BOM) or UTF-8 (BOM dropped); undefined for binary, null for bytes that are not UTF-8. */
function decode(bytes: Buffer): string | null | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return checkText(new TextDecoder('utf-16le').decode(bytes.subarray(2)));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return checkText(new TextDecoder('utf-16be').decode(bytes.subarray(2)));
  if (isBinary(bytes.subarray(0, HEAD_BYTES))) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

function checkText(text: string): string | undefined {
  return isBinary(Buffer.from(text.slice(0, HEAD_BYTES), 'utf8')) ? undefined : text;
}

/** A NUL byte, or more than 10 % control characters other than tab, newline, carriage return and form feed. */
function isBinary(head: Buffer): boolean {
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const byte = head[i];
    if (byte === 0) return true;
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13 && byte !== 12) control++;
  }
  return control > head.length * 0.1;
}

/**
 * Minified: most of the text sits on very long lines, or lines are long on average. A few long lines in ordinary code
 * (a data table, an embedded string) do not make a file minified: TypeScript's own typescript.js has three.
 */
function looksGenerated(text: string): boolean {
  if (/@generated\b|\bDO NOT EDIT\b|<auto-generated/.test(text.slice(0, 1024))) return true;
  if (text.length < MINIFIED_MIN_BYTES) return false;
  let lines = 0;
  let onLongLines = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > MINIFIED_MAX_LINE) onLongLines += end - start;
    lines++;
    start = end + 1;
  }
  return onLongLines > text.length / 2 || text.length / lines > MINIFIED_AVG_LINE;
}

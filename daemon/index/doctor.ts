// The checks of `ccc doctor` that only the daemon can run: the model it loaded, the walk of a project with its real
// rules, the stored index against the files on disk, and how changes reach it. Each check is a value, ok / warning /
// error with what to do; none throws. The front end adds what it can see itself (CCC_HOME, settings, the daemon, the log).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { definitionQuery, languageForPath } from '../../grammars/languages';
import { WATCH_POLL_MS, type DoctorCheck, type FileProblem, type WatchMode } from '../protocol';
import type { Embedder } from './embedder';
import { textHash } from './embedding-cache';
import { DEFAULT_PROJECT_SETTINGS, loadProjectSettings, type ProjectSettings } from './settings';
import type { FileRecord } from './store';
import { ProjectFilter, readSourceFile, walkProject, type WalkedFile } from './walker';

const MODEL_SAMPLE = 'read the settings file and report a clear error when a key is wrong';
/** Texts embedded to measure the model's speed: enough for a stable figure, few enough to answer in a moment. */
const SPEED_TEXTS = 64;
/** Stale files listed by name; the rest are counted. */
const EXAMPLES = 3;
/** The walk check reads files to find those a pass would skip; past this many it samples (a monorepo's doctor stays quick). */
const MAX_FILES_READ = 20_000;
const READERS = 8;

export async function modelCheck(embedder: Embedder): Promise<DoctorCheck> {
  const [vector] = await embedder.embed([MODEL_SAMPLE], 'query');
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  if (vector.length !== embedder.dimension || !(Math.abs(norm - 1) < 1e-3)) {
    return {
      name: 'model', status: 'error',
      detail: `${embedder.modelId} returned a ${vector.length}-d vector of length ${norm.toFixed(3)} (expected ${embedder.dimension}-d, length 1)`,
      fix: 'set embedding.model back to builtin in CCC_HOME/settings.yml, or delete CCC_HOME/models to download the model again',
    };
  }
  const texts = Array.from({ length: SPEED_TEXTS }, (_, i) => `${MODEL_SAMPLE} number ${i}`);
  const started = performance.now();
  await embedder.embed(texts, 'document');
  const perSecond = Math.round(SPEED_TEXTS / ((performance.now() - started) / 1000));
  return { name: 'model', status: 'ok', detail: `${embedder.modelId}, ${embedder.dimension}-d, embeds ~${perSecond} texts/s` };
}

/** Files the walk takes, the reasons others are left out (one example each), and include globs that match nothing. */
export async function walkCheck(root: string): Promise<DoctorCheck> {
  let settings: ProjectSettings;
  try {
    settings = loadProjectSettings(root);
  } catch (error) {
    return { name: 'walk', status: 'error', detail: `not walked: ${(error as Error).message}`, fix: 'fix the project settings first' };
  }
  const [walk, ignored] = await Promise.all([walkProject(root, settings), ignoredTopLevel(root, settings)]);
  const reasons = new Map<string, { count: number; example: string }>();
  const count = (reason: string, path: string) => {
    const seen = reasons.get(reason);
    if (seen) seen.count++;
    else reasons.set(reason, { count: 1, example: path });
  };
  for (const problem of walk.skipped) count(problem.reason, problem.path);
  const unreadable = await contentProblems(walk.files.slice(0, MAX_FILES_READ), settings.maxFileSize);
  for (const problem of unreadable) count(problem.reason, problem.path);
  const skipped = new Set(unreadable.map((problem) => problem.path));
  for (const file of walk.files) {
    if (skipped.has(file.path)) continue;
    if (!hasGrammar(languageForPath(file.path, settings.languageOverrides))) count('no grammar (cut as plain text)', file.path);
  }
  if (ignored.length > 0) reasons.set('ignored (.gitignore or exclude)', { count: ignored.length, example: ignored.slice(0, EXAMPLES).join(', ') });
  const top = [...reasons].sort((a, b) => b[1].count - a[1].count).slice(0, 6);
  const left = top.map(([reason, { count: n, example }]) => `${reason}: ${n} (e.g. ${example})`).join('; ');
  const read = walk.files.length > MAX_FILES_READ ? ` (contents of the first ${MAX_FILES_READ} checked)` : '';
  const detail = `${walk.files.length - skipped.size} files included${read}${left ? `; left out: ${left}` : ''}`;
  if (walk.files.length === 0) {
    return { name: 'walk', status: 'error', detail, fix: 'check include/exclude in .ccc/settings.yml and the .gitignore files: nothing is indexed' };
  }
  // The defaults name every usual language, so only a project's own include globs that match nothing are worth a word.
  const ownUnmatched = settings.include
    .filter((glob) => !DEFAULT_PROJECT_SETTINGS.include.includes(glob))
    .filter((glob) => !walk.files.some((file) => picomatch.isMatch(file.path, glob, { dot: true, basename: !glob.includes('/') })));
  if (ownUnmatched.length > 0) {
    return { name: 'walk', status: 'warning', detail: `${detail}; include globs matching no file: ${ownUnmatched.join(', ')}`, fix: 'correct or remove those globs in .ccc/settings.yml' };
  }
  return { name: 'walk', status: 'ok', detail };
}

/** Markdown is cut along its headings without a grammar; any other language without a definitions query is plain text. */
function hasGrammar(language: string): boolean {
  return language === 'markdown' || definitionQuery(language) !== undefined;
}

/** Files whose content a pass would refuse (binary, not UTF-8, minified), read as a pass reads them, a few at a time. */
async function contentProblems(files: WalkedFile[], maxFileSize: number): Promise<FileProblem[]> {
  const problems: FileProblem[] = [];
  let next = 0;
  const reader = async () => {
    while (next < files.length) {
      const file = files[next++];
      const result = await readSourceFile(file.absPath, maxFileSize);
      if (!result.ok) problems.push({ path: file.path, reason: result.reason });
    }
  };
  await Promise.all(Array.from({ length: READERS }, reader));
  return problems.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** Top-level entries the project's rules leave out (node_modules, build output, …): the biggest "ignored" reasons. */
async function ignoredTopLevel(root: string, settings: ProjectSettings): Promise<string[]> {
  const filter = await ProjectFilter.load(root, settings);
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.name !== '.git' && !filter.accepts(entry.name, entry.isDirectory()))
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort();
}

/** Files and chunks per language, and whether the stored index still matches the files on disk. */
export async function indexCheck(root: string, stored: Map<string, FileRecord>, chunks: number, bytes: number, indexing: boolean): Promise<DoctorCheck> {
  if (stored.size === 0) {
    return { name: 'index', status: 'warning', detail: 'not indexed yet', fix: 'run ccc index (or search once: the first search indexes)' };
  }
  const languages = new Map<string, number>();
  for (const record of stored.values()) languages.set(record.language, (languages.get(record.language) ?? 0) + record.chunkCount);
  const perLanguage = [...languages].sort((a, b) => b[1] - a[1]).map(([language, n]) => `${language} ${n}`).join(', ');
  const stale = await staleFiles(root, stored);
  const detail = `${stored.size} files, ${chunks} chunks (${perLanguage}), ${(bytes / 1e6).toFixed(1)} MB on disk`;
  if (stale.length === 0) return { name: 'index', status: 'ok', detail: `${detail}; every stored file matches the disk` };
  const examples = stale.slice(0, EXAMPLES).join(', ');
  return {
    name: 'index', status: 'warning',
    detail: `${detail}; ${stale.length} stored file${stale.length === 1 ? ' is' : 's are'} stale (${examples})`,
    fix: indexing ? 'an index pass is bringing them up to date now' : 'run ccc index',
  };
}

/** Stored files that are gone or whose content changed: (mtime, size) first, then the content hash, as a pass decides. */
async function staleFiles(root: string, stored: Map<string, FileRecord>): Promise<string[]> {
  const stale: string[] = [];
  for (const record of stored.values()) {
    const abs = join(root, record.path);
    const info = await stat(abs).catch(() => null);
    if (!info) {
      stale.push(`${record.path} (deleted)`);
      continue;
    }
    if (info.mtimeMs === record.mtimeMs && info.size === record.size) continue;
    const text = await readFile(abs, 'utf8').catch(() => null);
    if (text === null || textHash(text) !== record.hash) stale.push(record.path);
  }
  return stale.sort();
}

/** The OS's file-watch limit and how many this daemon uses (Linux inotify; elsewhere the OS has no such limit to report). */
export interface WatchLimits {
  limit: number | null;
  used: number | null;
}

export function watchCheck(mode: WatchMode, indexed: boolean, limits: WatchLimits): DoctorCheck {
  const usage = limits.limit !== null && limits.used !== null ? `; ${limits.used} of the OS's ${limits.limit} file watches in use by the daemon` : '';
  if (mode === 'events') return { name: 'watch', status: 'ok', detail: `file events${usage}` };
  if (mode === 'polling') {
    return {
      name: 'watch', status: 'warning',
      detail: `polling: file events could not start, so changes are found by a full pass every ${WATCH_POLL_MS / 1000} s${usage}`,
      fix: limits.limit !== null ? `raise the watch limit (sysctl fs.inotify.max_user_watches=${Math.max(524288, limits.limit * 2)}), then ccc daemon restart` : 'see daemon.log for why watching failed',
    };
  }
  if (indexed) return { name: 'watch', status: 'ok', detail: 'the watcher is starting (the project was just loaded)' };
  return { name: 'watch', status: 'warning', detail: 'not watched yet: the watcher starts after the first index pass', fix: 'run ccc index' };
}

/** inotify's per-user limit and the watches this process holds (one `inotify wd:` line each in /proc/self/fdinfo). */
export async function watchLimits(): Promise<WatchLimits> {
  if (process.platform !== 'linux') return { limit: null, used: null };
  const limitText = await readFile('/proc/sys/fs/inotify/max_user_watches', 'utf8').catch(() => null);
  const limit = limitText === null ? null : Number(limitText.trim());
  let used = 0;
  const fds = await readdir('/proc/self/fdinfo').catch(() => [] as string[]);
  for (const fd of fds) {
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    used += info.split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return { limit: Number.isFinite(limit) ? limit : null, used };
}

// Corpora for `npm run bench:scale`, rebuilt the same way on any machine from code that npm and Debian packages ship:
// JavaScript/TypeScript from this repository's node_modules (source-corpus.ts), the Python standard library Debian
// installs (`/usr/lib/python3.N`) and the Python packages installed beside it (`/usr/lib/python3/dist-packages`).
// The files of the three pools are taken in turn, so every size mixes languages.
//
// A corpus lives under os.tmpdir() in a folder named by a content key (the sources' paths, sizes and mtimes, the copy
// count and this builder's version), with a `.complete` marker beside it: a re-run on the same machine reuses it.
// The million-chunk corpus is the 100k one copied into `copy0/` … `copy9/`; every copy but the first gets a comment line
// `variant <k>` at its top and after each definition head, so its chunk texts differ from the original's and are embedded,
// not found in the embedding cache.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative, sep } from 'node:path';
import { listSources } from './source-corpus';

/** Bump when the corpus a key names would come out different. */
const BUILDER_VERSION = 1;
const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');
const PY_MIN_BYTES = 1_000;
const PY_MAX_BYTES = 300_000;
/** Folder names the default settings exclude get a suffix: the corpus is indexed, not its ignore rules. */
const EXCLUDED = new Set(['node_modules', 'dist', 'build', 'out', 'target', 'vendor', 'coverage', '__pycache__']);

export interface SourceFile {
  /** Absolute path of the shipped file. */
  from: string;
  /** Where it goes in the corpus, with forward slashes. */
  rel: string;
}

export interface Corpus {
  root: string;
  files: string[];
  /** True when it was built now, false when a previous run's copy was reused. */
  built: boolean;
}

function corpusPath(pool: string, rel: string): string {
  const parts = rel.split(sep).map((part) => (EXCLUDED.has(part) || part.startsWith('.') ? `${part.replace(/^\./, '')}_` : part));
  return [pool, ...parts].join('/');
}

/** The newest `/usr/lib/python3.N` Debian installed, and the packages folder beside it, where they exist. */
function pythonRoots(): { stdlib?: string; packages?: string } {
  const lib = '/usr/lib';
  if (!existsSync(lib)) return {};
  const stdlib = readdirSync(lib)
    .filter((name) => /^python3\.\d+$/.test(name))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]))
    .map((name) => join(lib, name))
    .at(-1);
  const packages = join(lib, 'python3', 'dist-packages');
  return { stdlib, packages: existsSync(packages) ? packages : undefined };
}

function listPython(root: string | undefined, pool: string): SourceFile[] {
  if (!root) return [];
  const found: SourceFile[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !['site-packages', 'dist-packages', '__pycache__'].includes(entry.name)) visit(path);
      else if (entry.isFile() && entry.name.endsWith('.py')) {
        const size = statSync(path).size;
        if (size >= PY_MIN_BYTES && size <= PY_MAX_BYTES) found.push({ from: path, rel: corpusPath(pool, relative(root, path)) });
      }
    }
  };
  visit(root);
  return found;
}

/** Every usable source file, the pools taken in turn (stdlib, node_modules, packages), in a stable order. */
export function realSources(): SourceFile[] {
  const { stdlib, packages } = pythonRoots();
  const js = listSources(Number.MAX_SAFE_INTEGER).map((from) => ({ from, rel: corpusPath('js', relative(NODE_MODULES, from)) }));
  const pools = [listPython(stdlib, 'py-stdlib'), js, listPython(packages, 'py-packages')];
  const merged: SourceFile[] = [];
  for (let i = 0; pools.some((pool) => i < pool.length); i++) {
    for (const pool of pools) if (i < pool.length) merged.push(pool[i]);
  }
  return merged;
}

const PY_HEAD = /^\s*(async\s+def|def|class)\s/;
/** A line opening a function, method or class body (not an if/for/while block). */
const JS_HEAD = /(\bfunction\b|\bclass\b|=>\s*\{\s*$|^\s*(?!(?:if|for|while|switch|catch|with)\b)(?:(?:public|private|protected|static|async|get|set|readonly)\s+)*[\w$#]+\s*\(.*\)\s*(?::[^{]*)?\{\s*$)/;

/** The file with a `variant <k>` comment at its top and after each definition head, so each chunk's text is new. */
export function variantText(text: string, rel: string, k: number): string {
  const python = rel.endsWith('.py');
  const comment = python ? `# variant ${k}` : `// variant ${k}`;
  const head = python ? PY_HEAD : JS_HEAD;
  const out = [comment];
  for (const line of text.split('\n')) {
    out.push(line);
    if (head.test(line) && line.trimEnd().endsWith(python ? ':' : '{')) out.push(`${line.match(/^\s*/)![0]}    ${comment}`);
  }
  return out.join('\n');
}

function contentKey(sources: SourceFile[], copies: number): string {
  const hash = createHash('sha256').update(`${BUILDER_VERSION}\n${copies}\n`);
  for (const source of sources) {
    const info = statSync(source.from);
    hash.update(`${source.from}\t${source.rel}\t${info.size}\t${Math.floor(info.mtimeMs)}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

function markerOf(root: string): string {
  return `${root}.complete`;
}

/** Marks a corpus as being changed (the churn phase), so an interrupted run leaves it to be rebuilt, not reused. */
export function markIncomplete(root: string): void {
  rmSync(markerOf(root), { force: true });
}

export function markComplete(root: string): void {
  writeFileSync(markerOf(root), `${new Date().toISOString()}\n`);
}

/**
 * The first `fileCount` sources, once per copy (`copies` 1: at the root; more: under `copy<k>/`, edited for k ≥ 1),
 * in a project root holding `.git`. Reused when a complete one with the same key exists.
 */
export function buildCorpus(fileCount: number, copies: number): Corpus {
  const sources = realSources().slice(0, fileCount);
  if (sources.length === 0) throw new Error('no sources found: run npm install, and on Debian install python3');
  const root = join(tmpdir(), `ccc-scale-corpus-${sources.length}x${copies}-${contentKey(sources, copies)}`);
  const files = Array.from({ length: copies }, (_, k) => sources.map((source) => (copies === 1 ? source.rel : `copy${k}/${source.rel}`))).flat();
  if (existsSync(markerOf(root)) && existsSync(root)) return { root, files, built: false };
  rmSync(root, { recursive: true, force: true });
  const partial = mkdtempSync(`${root}.partial-`);
  mkdirSync(join(partial, '.git'));
  for (let k = 0; k < copies; k++) {
    for (const source of sources) {
      const rel = copies === 1 ? source.rel : `copy${k}/${source.rel}`;
      const to = join(partial, rel);
      mkdirSync(join(to, '..'), { recursive: true });
      const text = readFileSync(source.from, 'latin1');
      writeFileSync(to, k === 0 ? text : variantText(text, rel, k), 'latin1');
    }
  }
  renameSync(partial, root);
  markComplete(root);
  return { root, files, built: true };
}

export interface Queries {
  sentences: string[];
  identifiers: string[];
}

const PY_DOC = /^\s*(?:r?""")([A-Z][a-z]+(?: [\w'-]+){3,11})[.\s]/;
const JS_DOC = /^\s*\*\s+([A-Z][a-z]+(?: [\w'-]+){3,11})[.\s]/;
const DEFINED = /^\s*(?:(?:export\s+)?(?:async\s+)?(?:def|function|class)\s+)([A-Za-z_$][\w$]{7,40})/;

/**
 * Queries drawn from the corpus itself, spread over its files: the first line of doc comments (sentences a user might
 * type) and names of defined functions and classes (identifiers), `count` of each.
 */
export function drawQueries(root: string, files: string[], count: number): Queries {
  const sentences = new Set<string>();
  const identifiers = new Set<string>();
  const step = Math.max(1, Math.floor(files.length / (count * 4)));
  for (let i = 0; i < files.length && (sentences.size < count || identifiers.size < count); i += step) {
    const lines = readFileSync(join(root, files[i]), 'latin1').split('\n');
    const sentence = lines.map((line) => (PY_DOC.exec(line) ?? JS_DOC.exec(line))?.[1]).find((found) => found !== undefined);
    const identifier = lines.map((line) => DEFINED.exec(line)?.[1]).find((found) => found !== undefined && /[a-z][A-Z]|[a-z]_[a-z]/.test(found));
    if (sentence && sentences.size < count) sentences.add(sentence.toLowerCase());
    if (identifier && identifiers.size < count) identifiers.add(identifier);
  }
  return { sentences: [...sentences], identifiers: [...identifiers] };
}

/** The most common first two path segments among the files: a folder for a path filter that keeps a real slice. */
export function biggestFolder(files: string[], depth: number): string {
  const counts = new Map<string, number>();
  for (const file of files) {
    const parts = file.split('/');
    if (parts.length <= depth) continue;
    const folder = parts.slice(0, depth).join('/');
    counts.set(folder, (counts.get(folder) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

const SOURCE_EXTENSIONS = new Set(['.js', '.ts', '.mjs', '.cjs', '.py']);

export interface BranchRepo {
  /** The repository; its parent folder (a temp folder) holds the packed releases too and is the one to delete. */
  root: string;
  /** Commits of the older and the newer release; source files that differ between them, and in the newer one. */
  older: string;
  newer: string;
  differing: number;
  files: number;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  }).trim();

/** `npm pack`s one release of a package into `dir`; returns the folder holding its files. */
function packRelease(spec: string, dir: string): string {
  const tarball = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8', timeout: 300_000 })
    .trim()
    .split('\n')
    .at(-1)!;
  const out = join(dir, spec.replace(/[^\w.-]/g, '_'));
  mkdirSync(out);
  execFileSync('tar', ['xzf', join(dir, tarball), '-C', out]);
  return join(out, 'package');
}

/** A git repository in a temp folder with two commits: the package's older release, then its newer one. */
export function buildBranchRepo(pkg: string, olderVersion: string, newerVersion: string): BranchRepo {
  const work = mkdtempSync(join(tmpdir(), 'ccc-scale-branch-'));
  const root = join(work, 'repo');
  mkdirSync(root);
  git(root, 'init', '-q');
  const commit = (version: string) => {
    for (const entry of readdirSync(root)) if (entry !== '.git') rmSync(join(root, entry), { recursive: true, force: true });
    execFileSync('cp', ['-a', `${packRelease(`${pkg}@${version}`, work)}/.`, root]);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', `${pkg} ${version}`);
    return git(root, 'rev-parse', 'HEAD');
  };
  const older = commit(olderVersion);
  const newer = commit(newerVersion);
  const sources = (listing: string) => listing.split('\n').filter((path) => SOURCE_EXTENSIONS.has(extname(path))).length;
  return { root, older, newer, differing: sources(git(root, 'diff', '--name-only', older, newer)), files: sources(git(root, 'ls-files')) };
}

// `npm run model:corpus`: installs the corpus sources by name (apt-get, npm pack), extracts (documentation, code) pairs
// with ccc's grammars, applies the corpus rules and writes .cache/model-corpus/{pairs.jsonl,sources.json}.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { languageForPath } from '../grammars/languages';
import { CorpusRules, debianLicense, isPermissive, SHARED_EVAL_DIR } from './corpus-rules';
import { EXCLUDED_SOURCES, SOURCES, type Source } from './corpus-sources';
import { DOC_LANGUAGES, DocPairExtractor } from './doc-pairs';

export const CORPUS_DIR = join(__dirname, '../.cache/model-corpus');

/** Read by hand from copyright files that are not machine-readable (Debian's older free-form format). */
const DECLARED_LICENSES: Record<string, string> = {
  'libpython3.11-minimal': 'PSF-2.0',
  'libpython3.11-stdlib': 'PSF-2.0',
  'python3-numpy': 'BSD-3-clause',
  'python3-matplotlib': 'Matplotlib (PSF-based, BSD-compatible)',
  'python3-astropy': 'BSD-3-clause',
  'python3-jinja2': 'BSD-3-clause',
  'python3-pil': 'HPND (the PIL licence)',
  'python3-lxml': 'BSD-3-clause',
  'python3-html5lib': 'MIT',
  'python3-markupsafe': 'BSD-3-clause',
  'python3-decorator': 'BSD-2-clause',
  'rust-src': 'MIT or Apache-2.0',
};

/** A file bigger than this is generated data, not code someone documented. */
const MAX_FILE_BYTES = 1_000_000;
/** A summary shared by more functions than this is boilerplate ("See above.", "Alias for foo."). */
const MAX_FUNCTIONS_PER_DOC = 2;

export interface Pair {
  doc: string;
  code: string;
  language: string;
  source: string;
}

export interface SourceRecord {
  name: string;
  kind: Source['kind'];
  version: string;
  license: string;
  files: number;
  pairs: number;
  pairsByLanguage: Record<string, number>;
}

function run(command: string, args: string[], cwd?: string): string {
  return execFileSync(command, args, { encoding: 'utf8', cwd, maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
}

function installDebian(packages: string[]): void {
  const missing = packages.filter((name) => {
    try {
      return run('dpkg-query', ['-W', '-f', '${Status}', name]).trim() !== 'install ok installed';
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  console.log(`apt-get install ${missing.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
    stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function debianFiles(name: string, under: string[] = ['/']): string[] {
  return run('dpkg', ['-L', name]).split('\n').filter((path) => under.some((folder) => path.startsWith(folder)) && isCodeFile(path));
}

function installNpm(name: string, version: string): { dir: string; license: string } {
  const dir = join(CORPUS_DIR, 'npm', `${name}@${version}`);
  if (!existsSync(join(dir, 'package', 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    const tarball = run('npm', ['pack', `${name}@${version}`, '--silent'], dir).trim().split('\n').pop()!;
    run('tar', ['-xzf', tarball], dir);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package', 'package.json'), 'utf8')) as { license?: string; version: string };
  if (manifest.version !== version) throw new Error(`npm ${name}: got version ${manifest.version}, wanted ${version}`);
  return { dir: join(dir, 'package'), license: manifest.license ?? 'unknown' };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...walk(path));
    } else if (isCodeFile(path)) out.push(path);
  }
  return out;
}

function isCodeFile(path: string): boolean {
  if (/\.(min\.js|d\.ts)$/.test(path) || /\/(testdata|vendor)\//.test(path)) return false;
  return (DOC_LANGUAGES as readonly string[]).includes(languageForPath(path, {}));
}

/** The CoSQA corpus functions, as written and as the extractor strips their docstrings: no pair may equal one. */
async function loadRules(extractor: DocPairExtractor): Promise<CorpusRules> {
  const rules = new CorpusRules();
  const functions = Object.keys(JSON.parse(readFileSync(join(SHARED_EVAL_DIR, 'cosqa', 'code_idx_map.txt'), 'utf8')));
  for (const code of functions) {
    rules.addEvaluationCode(code);
    for (const pair of await extractor.pairs(code, 'python')) rules.addEvaluationCode(pair.original, pair.code);
  }
  return rules;
}

interface Extracted {
  pairs: Pair[];
  droppedEvaluation: number;
  files: number;
}

async function extractFiles(paths: string[], root: string, source: string, rules: CorpusRules, extractor: DocPairExtractor): Promise<Extracted> {
  const out: Extracted = { pairs: [], droppedEvaluation: 0, files: 0 };
  for (const path of paths) {
    if (rules.isHeldOutPath(relative(root, path)) || statSync(path).size > MAX_FILE_BYTES) continue;
    const language = languageForPath(path, {});
    out.files++;
    for (const pair of await extractor.pairs(readFileSync(path, 'utf8'), language)) {
      if (rules.isEvaluationCode(pair.original) || rules.isEvaluationCode(pair.code)) out.droppedEvaluation++;
      else out.pairs.push({ doc: pair.doc, code: pair.code, language, source });
    }
  }
  return out;
}

/** The code that decides what a pair is: a change to it re-extracts every source. */
function extractorHash(): string {
  const hash = createHash('sha256');
  for (const file of ['doc-pairs.ts', 'corpus-rules.ts', 'corpus.ts']) hash.update(readFileSync(join(__dirname, file)));
  for (const file of ['held-out.txt', 'cosqa/code_idx_map.txt']) hash.update(readFileSync(join(SHARED_EVAL_DIR, file)));
  return hash.digest('hex').slice(0, 12);
}

/** One source's pairs, kept per version and extractor so a run re-extracts only what changed. */
async function cachedExtraction(key: string, extract: () => Promise<Extracted>): Promise<Extracted> {
  const file = join(CORPUS_DIR, 'sources', `${key.replace(/[^\w.@+-]/g, '_')}-${extractorHash()}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Extracted;
  const extracted = await extract();
  mkdirSync(join(CORPUS_DIR, 'sources'), { recursive: true });
  writeFileSync(file, JSON.stringify(extracted));
  return extracted;
}

/** Exact duplicates go (a module shipped twice), and so do summaries shared by many functions. */
function dedupe(pairs: Pair[]): Pair[] {
  const seen = new Set<string>();
  const unique = pairs.filter((pair) => {
    const key = `${pair.doc}\u0000${pair.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const perDoc = new Map<string, number>();
  for (const pair of unique) perDoc.set(pair.doc, (perDoc.get(pair.doc) ?? 0) + 1);
  return unique.filter((pair) => perDoc.get(pair.doc)! <= MAX_FUNCTIONS_PER_DOC);
}

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(CORPUS_DIR, { recursive: true });
  const extractor = new DocPairExtractor();
  const rules = await loadRules(extractor);
  console.log(`CoSQA functions blocked (as written and without docstring): ${rules.evaluationFunctions}`);
  for (const name of Object.keys(EXCLUDED_SOURCES)) console.log(`excluded ${name}: ${EXCLUDED_SOURCES[name]}`);

  const heldOut = SOURCES.filter((source) => rules.isHeldOutName(source.package));
  if (heldOut.length > 0) throw new Error(`held-out projects in the source list: ${heldOut.map((s) => s.package).join(', ')}`);
  installDebian(SOURCES.filter((s) => s.kind === 'debian').map((s) => s.package));

  const records: SourceRecord[] = [];
  let pairs: Pair[] = [];
  let droppedEvaluation = 0;
  for (const source of SOURCES) {
    let license: string;
    let version: string;
    let paths: string[];
    let root = '/';
    if (source.kind === 'debian') {
      license = debianLicense(readFileSync(`/usr/share/doc/${source.package}/copyright`, 'utf8'), source.package, DECLARED_LICENSES);
      version = run('dpkg-query', ['-W', '-f', '${Version}', source.package]);
      paths = debianFiles(source.package, source.under);
    } else {
      const installed = installNpm(source.package, source.version);
      ({ license } = installed);
      version = source.version;
      root = installed.dir;
      paths = walk(installed.dir);
    }
    if (!isPermissive(license)) {
      console.log(`skipped ${source.package} ${version}: licence ${license} is not permissive`);
      continue;
    }
    const extracted = await cachedExtraction(`${source.package}@${version}`, () => extractFiles(paths, root, source.package, rules, extractor));
    droppedEvaluation += extracted.droppedEvaluation;
    pairs = pairs.concat(extracted.pairs);
    records.push({ name: source.package, kind: source.kind, version, license, files: extracted.files, pairs: 0, pairsByLanguage: {} });
    console.log(`${source.package} ${version}: ${extracted.files} files, ${extracted.pairs.length} pairs before de-duplication`);
  }

  const kept = dedupe(pairs);
  const bySource = new Map(records.map((record) => [record.name, record]));
  for (const pair of kept) {
    const record = bySource.get(pair.source)!;
    record.pairs++;
    record.pairsByLanguage[pair.language] = (record.pairsByLanguage[pair.language] ?? 0) + 1;
  }
  writeFileSync(join(CORPUS_DIR, 'pairs.jsonl'), kept.map((pair) => JSON.stringify(pair)).join('\n') + '\n');
  writeFileSync(join(CORPUS_DIR, 'sources.json'), JSON.stringify(records, null, 2));
  printSummary(records, kept, pairs.length, droppedEvaluation, (Date.now() - started) / 1000);
}

function printSummary(records: SourceRecord[], kept: Pair[], extracted: number, droppedEvaluation: number, seconds: number): void {
  for (const r of records) {
    const languages = Object.entries(r.pairsByLanguage).map(([language, n]) => `${language} ${n}`).join(', ');
    console.log(`${r.name.padEnd(26)} ${r.version.padEnd(26)} ${r.license.padEnd(22)} ${String(r.files).padStart(6)} files ${String(r.pairs).padStart(7)} pairs  ${languages}`);
  }
  const byLanguage = new Map<string, number>();
  for (const pair of kept) byLanguage.set(pair.language, (byLanguage.get(pair.language) ?? 0) + 1);
  console.log(`pairs by language: ${[...byLanguage].map(([language, n]) => `${language} ${n}`).join(', ')}`);
  console.log(`${kept.length} pairs kept of ${extracted} extracted; ${droppedEvaluation} dropped as CoSQA functions; ${seconds.toFixed(0)} s`);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`model corpus: ${error.message}`);
    process.exit(1);
  });
}

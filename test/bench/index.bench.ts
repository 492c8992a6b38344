// `npm run bench:index`: indexing with the real built daemon on a temporary CCC_HOME, on this repository's sources and on
// a ~10k-file corpus of real sources copied from node_modules. Prints full-pass throughput beside the raw chunker and
// embedder on the same files, the no-op pass, edit-to-searchable latency and the daemon's RSS, next to baselines.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Chunker } from '../../daemon/index/chunker';
import { loadEmbedder } from '../../daemon/index/embedder';
import { loadProjectSettings } from '../../daemon/index/settings';
import { readSourceFile, walkProject } from '../../daemon/index/walker';
import { SearchRequest, type IndexResult } from '../../daemon/protocol';
import { languageForPath } from '../../grammars/languages';
import { cliJson, connectRaw, daemonRss, DIST, makeTempHome } from '../support';

const REPO = resolve(__dirname, '..', '..');
const CORPUS_FILES = Number(process.env.CCC_BENCH_FILES ?? 10_000);
const SOURCE = /\.(ts|js|mjs|cjs|py|md|json|css|go|rs|java|c|h|cpp)$/;

function copyRepository(target: string): number {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' })
    .split('\n')
    .filter((path) => path && SOURCE.test(path));
  let copied = 0;
  for (const path of files) {
    try {
      mkdirSync(dirname(join(target, path)), { recursive: true });
      copyFileSync(join(REPO, path), join(target, path));
      copied++;
    } catch {
      // A file deleted since git listed it.
    }
  }
  return copied;
}

/** Real sources from node_modules, under 100 KB each, into `target/<package>/...`. */
function copyCorpus(target: string, limit: number): number {
  let copied = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (copied >= limit) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile() && SOURCE.test(entry.name) && !entry.name.endsWith('.min.js') && statSync(path).size < 100_000) {
        const to = join(target, path.slice(join(REPO, 'node_modules').length + 1));
        mkdirSync(dirname(to), { recursive: true });
        copyFileSync(path, to);
        copied++;
      }
    }
  };
  visit(join(REPO, 'node_modules'));
  return copied;
}

/** The chunker and the embedder alone, in this process, on the files the pass indexed. */
async function rawThroughput(root: string, home: string): Promise<{ files: number; chunks: number; chunkMs: number; embedMs: number }> {
  const settings = loadProjectSettings(root);
  const files: { path: string; language: string; text: string }[] = [];
  for (const file of (await walkProject(root, settings)).files) {
    const read = await readSourceFile(file.absPath, settings.maxFileSize);
    if (read.ok) files.push({ path: file.path, language: languageForPath(file.path, settings.languageOverrides), text: read.text });
  }
  const chunker = new Chunker({ distDir: DIST });
  let started = Date.now();
  const chunks = (await chunker.chunk(files)).flat();
  const chunkMs = Date.now() - started;
  await chunker.close();
  const embedder = await loadEmbedder('builtin', { home, batchSize: 32, builtinModelDir: join(DIST, 'model') });
  started = Date.now();
  await embedder.embed(chunks.map((chunk) => chunk.content), 'document');
  const embedMs = Date.now() - started;
  await embedder.close();
  return { files: files.length, chunks: chunks.length, chunkMs, embedMs };
}

async function editToSearchable(home: string, root: string): Promise<number> {
  const raw = await connectRaw(home, { client: 'cli' });
  try {
    // Letters only: digits would be a token of their own and match other files.
    const word = `benchmarkquokka${Math.random().toString(36).replace(/[^a-z]/g, '')}`;
    const started = Date.now();
    writeFileSync(join(root, 'bench-edit.ts'), `export function ${word}(): number {\n  return 1;\n}\n`);
    for (;;) {
      const result = await raw.connection.sendRequest(SearchRequest, { root, query: word, mode: 'keyword', limit: 1 });
      if (result.results.some((hit) => hit.path === 'bench-edit.ts')) return Date.now() - started;
      if (Date.now() - started > 30_000) throw new Error('the edit was not searchable after 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    raw.close();
  }
}

async function bench(name: string, fill: (root: string) => number): Promise<void> {
  const home = makeTempHome('ccc-bench-');
  const root = mkdtempSync('/tmp/ccc-bench-src-');
  try {
    mkdirSync(join(root, '.git'));
    const copied = fill(root);
    const full = await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, timeoutMs: 3_600_000 });
    const noop = await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, timeoutMs: 600_000 });
    await new Promise((r) => setTimeout(r, 500)); // the watcher starts right after the first pass
    const latency = await editToSearchable(home.dir, root);
    const rss = await daemonRss(home.dir);
    const raw = await rawThroughput(root, home.dir);
    const perSecond = (count: number, ms: number) => Math.round((count / Math.max(ms, 1)) * 1000);
    console.log(`\n## ${name}: ${copied} files copied, ${full.counts.files} indexed files, ${full.chunks} chunks`);
    console.log(`full pass        ${(full.tookMs / 1000).toFixed(1)} s = ${perSecond(full.chunks, full.tookMs)} chunks/s, ${perSecond(full.counts.files, full.tookMs)} files/s (${full.counts.skipped} skipped)`);
    console.log(`raw chunker      ${perSecond(raw.chunks, raw.chunkMs)} chunks/s, ${perSecond(raw.files, raw.chunkMs)} files/s   (FACTS baseline: parse+chunk ~890 files/s on one idle core)`);
    console.log(`raw embedder     ${perSecond(raw.chunks, raw.embedMs)} chunks/s           (FACTS baseline: 400–1,100 embeddings/s at batch 8)`);
    console.log(`no-op pass       ${noop.tookMs} ms, ${noop.counts.chunksEmbedded} embedded, ${noop.counts.updated} updated`);
    console.log(`edit→searchable  ${latency} ms                       (target: < 1,000 ms on a 10k-file repo)`);
    console.log(`daemon RSS       ${Math.round(rss / 1048576)} MB                    (peer: cocoindex-code ~590 MB after one search)`);
  } finally {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
}

(async () => {
  console.log(`load average ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim()} on ${require('node:os').cpus().length} cores`);
  await bench('this repository', copyRepository);
  await bench(`${CORPUS_FILES}-file corpus from node_modules`, (root) => copyCorpus(root, CORPUS_FILES));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});

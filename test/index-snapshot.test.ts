// End to end: a restarted daemon loads the store from its checkpoint, the chunks from their snapshot and the keyword
// index from its snapshot, instead of reading every record and tokenising every chunk, and ranks exactly as before; a
// damaged snapshot or a store in an older format is never misread: it is rebuilt, with a log line.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { projectIndexDir } from '../daemon/paths';
import type { IndexResult, ProjectStatus, SearchResult } from '../daemon/protocol';
import { copySources } from './bench/source-corpus';
import { cliJson, makeTempHome, runCli, waitFor, type TempHome } from './support';

const LONG = { timeoutMs: 180_000 };
const QUERIES = ['createReadStream', 'parse the options object', 'throw new TypeError', 'encode uri component', 'emit error event'];

let home: TempHome;
let root: string;

before(() => {
  home = makeTempHome();
  root = mkdtempSync(join(tmpdir(), 'ccc-snapshot-'));
  mkdirSync(join(root, '.git'));
  assert.ok(copySources(root, 120) > 0, 'node_modules holds source files to index');
});
after(async () => {
  await home.cleanup();
  rmSync(root, { recursive: true, force: true });
});

const indexDir = () => projectIndexDir(home.dir, root);
const log = () => readFileSync(join(home.dir, 'daemon.log'), 'utf8');
const stop = async () => assert.equal((await runCli(['daemon', 'stop'], { home: home.dir })).code, 0);

/** Every query's keyword and hybrid hits with their scores; hits of equal score (copies of one file) in path order. */
async function rankings(): Promise<string[]> {
  const lines: string[] = [];
  for (const query of QUERIES) {
    for (const mode of ['keyword', 'hybrid']) {
      const result = await cliJson<SearchResult>(['search', '--json', '-m', mode, '-n', '20', query], { home: home.dir, cwd: root, ...LONG });
      const hits = [...result.results].sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.startLine - b.startLine);
      // Copies tied at the page's last score may be cut at either one, by the order they were indexed in: not compared.
      const last = hits[hits.length - 1]?.score.toFixed(9);
      const kept = hits.filter((hit) => hit.score.toFixed(9) !== last);
      lines.push(...kept.map((hit) => `${mode} ${query}: ${hit.path}:${hit.startLine} ${hit.score.toFixed(9)}`));
    }
  }
  return lines;
}

/** Starts the daemon on the project (a status request loads it) and waits until its keyword index is complete. */
async function startAndWarm(): Promise<void> {
  const ready = () => log().split('\n').filter((line) => line.includes('keyword index of')).length;
  const before = ready();
  assert.equal((await runCli(['status', '--json'], { home: home.dir, cwd: root, ...LONG })).code, 0);
  await waitFor(() => ready() > before, 60_000, 'the keyword index to be ready');
}

/** The last "(N of M files from the chunk snapshot)" line's numbers. */
function lastPlacement(): { adopted: number; files: number } {
  const lines = log().split('\n').filter((line) => line.includes('from the chunk snapshot'));
  const match = /(\d+) of (\d+) files from the chunk snapshot/.exec(lines[lines.length - 1] ?? '');
  assert.ok(match, 'the daemon logged how it placed the chunks');
  return { adopted: Number(match[1]), files: Number(match[2]) };
}

/** The last "keyword index: N chunks from the snapshot, M tokenised" line's numbers. */
function lastWarm(): { fromSnapshot: number; tokenised: number } {
  const lines = log().split('\n').filter((line) => line.includes('chunks from the snapshot'));
  const match = /(\d+) chunks from the snapshot, (\d+) tokenised/.exec(lines[lines.length - 1] ?? '');
  assert.ok(match, 'the daemon logged how it built the keyword index');
  return { fromSnapshot: Number(match[1]), tokenised: Number(match[2]) };
}

let expected: string[];
let chunks: number;

let files: number;

test('after a pass the snapshots are saved; a restart loads them and ranks exactly as before', async () => {
  const result = await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, ...LONG });
  chunks = result.chunks;
  files = result.counts.files;
  assert.ok(chunks > 200, `${chunks} chunks`);
  for (const name of ['keywords.bin', 'chunks.bin', 'checkpoint.bin']) {
    await waitFor(() => existsSync(join(indexDir(), name)), 30_000, `${name} to be written`);
  }
  expected = await rankings();
  assert.ok(expected.length > 20);
  await stop();

  await startAndWarm();
  assert.deepEqual(lastPlacement(), { adopted: files, files }, 'every file\'s chunks came from the chunk snapshot');
  assert.deepEqual(lastWarm(), { fromSnapshot: chunks, tokenised: 0 }, 'nothing was tokenised');
  assert.deepEqual(await rankings(), expected);

  const status = await cliJson<ProjectStatus>(['status', '--json'], { home: home.dir, cwd: root, ...LONG });
  assert.ok(status.memoryBytes > chunks * 100 && status.indexBytes > chunks * 100, `${status.memoryBytes} B in memory, ${status.indexBytes} B on disk`);
  const daemon = await runCli(['daemon', 'status'], { home: home.dir });
  assert.match(daemon.stdout, /\d+ chunks, [\d.]+ [KMG]?B in memory, [\d.]+ [KMG]?B on disk/);
});

test('a file indexed after the snapshots is read from the store at the next start, and found', async () => {
  const late = join(root, 'late_arrival.js');
  writeFileSync(late, 'function quiteUniqueLateArrival(widget) {\n  return widget.frobnicate();\n}\n');
  await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, ...LONG });
  await stop();
  await startAndWarm();
  assert.deepEqual(lastPlacement(), { adopted: files, files: files + 1 }, 'the new file came from its record');
  const found = await cliJson<SearchResult>(['search', '--json', 'quiteUniqueLateArrival'], { home: home.dir, cwd: root, ...LONG });
  assert.equal(found.results[0]?.path, 'late_arrival.js');
  rmSync(late);
  await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, ...LONG });
  const gone = await cliJson<SearchResult>(['search', '--json', 'quiteUniqueLateArrival'], { home: home.dir, cwd: root, ...LONG });
  assert.ok(gone.results.every((hit) => hit.path !== 'late_arrival.js'));
});

test('a damaged chunk snapshot is refused with a log line, every record is read, and the ranking is the same', async () => {
  await stop();
  const file = join(indexDir(), 'chunks.bin');
  const data = readFileSync(file);
  data[data.length - 7] ^= 0xff;
  writeFileSync(file, data);
  await startAndWarm();
  assert.match(log(), /chunk snapshot unreadable \(checksum mismatch\): every record is read instead/);
  assert.deepEqual(lastPlacement(), { adopted: 0, files });
  assert.deepEqual(await rankings(), expected);
});

test('a damaged snapshot is refused with a log line, every chunk is tokenised, and the ranking is the same', async () => {
  await stop();
  const file = join(indexDir(), 'keywords.bin');
  const data = readFileSync(file);
  data[Math.floor(data.length / 2)] ^= 0xff;
  writeFileSync(file, data);
  await startAndWarm();
  assert.deepEqual(await rankings(), expected);
  assert.match(log(), /the keyword snapshot is unusable, tokenising every chunk instead: /);
  assert.deepEqual(lastWarm(), { fromSnapshot: 0, tokenised: chunks });
});

test('a store in the previous format is rebuilt from the files with a log line, never misread', async () => {
  await stop();
  const manifestFile = join(indexDir(), 'manifest.json');
  writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(readFileSync(manifestFile, 'utf8')), format: 2 }));
  const result = await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, ...LONG });
  assert.match(log(), /is rebuilt from scratch: it was written in format 2, this ccc reads 3/);
  assert.equal(result.chunks, chunks);
  await waitFor(() => existsSync(join(indexDir(), 'keywords.bin')), 30_000, 'the keyword snapshot to be written');
  assert.deepEqual(await rankings(), expected);
});

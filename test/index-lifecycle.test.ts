// End to end, on TypeScript's own lib/*.d.ts (large real files, several batches per pass): a forced rebuild keeps answering
// searches, and stopping the daemon mid-pass exits at once instead of waiting for the pass.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IndexRequest, SearchRequest, StatusRequest, StopRequest, type IndexResult, type SearchResult } from '../daemon/protocol';
import { cliJson, connectRaw, isAlive, makeTempHome, readPid, runCli, waitFor, type TempHome } from './support';

const TS_LIB = resolve(__dirname, '..', 'node_modules', 'typescript', 'lib');
/** Copies of the lib files: more files make the passes long enough to act on mid-pass; equal texts cost one embedding. */
const COPIES = 3;

function makeDtsProject(): string {
  const root = mkdtempSync('/tmp/ccc-dts-');
  mkdirSync(join(root, '.git'));
  const libs = readdirSync(TS_LIB).filter((name) => name.endsWith('.d.ts'));
  for (let copy = 0; copy < COPIES; copy++) {
    mkdirSync(join(root, `copy${copy}`));
    for (const name of libs) cpSync(join(TS_LIB, name), join(root, `copy${copy}`, name));
  }
  return root;
}

/** Exited: gone, or a zombie that this container's init has not reaped yet (that takes it up to ~2 s here). */
function exited(pid: number | null): boolean {
  if (!isAlive(pid)) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits until the daemon reports the project as being indexed. */
async function untilIndexing(home: string, root: string): Promise<void> {
  const raw = await connectRaw(home, { client: 'cli' });
  try {
    await waitFor(async () => (await raw.connection.sendRequest(StatusRequest, { root })).state === 'indexing', 60_000, 'the pass to start');
  } finally {
    raw.close();
  }
}

describe('index passes on TypeScript lib files', { timeout: 300_000 }, () => {
  let home: TempHome;
  let root: string;

  before(() => {
    home = makeTempHome();
    root = makeDtsProject();
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('stopping the daemon mid-pass exits in well under a second; the next pass completes the index', async () => {
    const started = await runCli(['daemon', 'start'], { home: home.dir });
    assert.equal(started.code, 0, started.stderr);
    const pid = readPid(home.dir);
    const raw = await connectRaw(home.dir, { client: 'cli' });
    const pass = raw.connection.sendRequest(IndexRequest, { root }).catch((error: Error) => error);
    await untilIndexing(home.dir, root);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stopAt = Date.now();
    await raw.connection.sendRequest(StopRequest);
    await waitFor(() => exited(pid), 5000, 'the daemon to exit');
    const tookMs = Date.now() - stopAt;
    raw.close();
    assert.ok(tookMs < 1000, `the daemon took ${tookMs} ms to exit mid-pass`);
    assert.ok((await pass) instanceof Error, 'the interrupted pass did not complete');

    const resumed = await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, timeoutMs: 240_000 });
    assert.equal(resumed.counts.errors, 0);
    assert.ok(resumed.counts.added > 0, 'the files the stopped pass had not landed are indexed now');
    const again = await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, timeoutMs: 240_000 });
    assert.equal(again.counts.added + again.counts.updated, 0, 'the resumed pass left nothing to do');
  });

  test('a search sent during a forced rebuild is answered before the rebuild ends, flagged indexing', async () => {
    await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, timeoutMs: 240_000 });
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      let rebuiltAt = 0;
      const rebuild = raw.connection.sendRequest(IndexRequest, { root, force: true }).then((result) => {
        rebuiltAt = Date.now();
        return result;
      });
      await untilIndexing(home.dir, root);
      const search: SearchResult = await raw.connection.sendRequest(SearchRequest, { root, query: 'promise resolve callback', limit: 5 });
      const answeredAt = Date.now();
      assert.equal(rebuiltAt, 0, 'the search waited for the whole rebuild');
      assert.equal(search.indexing, true);
      assert.equal(search.indexedFirst, false);
      assert.equal(search.results.length, 5);
      const result = await rebuild;
      assert.ok(answeredAt < rebuiltAt);
      const status = await raw.connection.sendRequest(StatusRequest, { root });
      assert.equal(result.counts.added, status.files);
      assert.equal(result.counts.chunksEmbedded, 0, 'a rebuild takes its embeddings from the cache');
    } finally {
      raw.close();
    }
  });
});

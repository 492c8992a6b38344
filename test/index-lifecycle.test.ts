// End to end, on TypeScript's own lib/*.d.ts (large real files, several batches per pass): a forced rebuild keeps answering
// searches, and stopping the daemon mid-pass exits without waiting for the pass.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { homePaths } from '../daemon/paths';
import { IndexRequest, SearchRequest, StatusRequest, StopRequest, type IndexResult, type SearchResult } from '../daemon/protocol';
import { cliJson, connectRaw, exited, makeDtsProject, makeTempHome, readPid, runCli, untilIndexing, waitFor, type TempHome } from './support';

/** Far less than the pass takes, so the daemon cannot have waited for it; how fast it really stops is `npm run bench:daemon`. */
const STOP_BOUND_MS = 10_000;

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

  test('stopping the daemon mid-pass ends it without waiting for the pass; the next pass completes the index', async () => {
    const started = await runCli(['daemon', 'start'], { home: home.dir });
    assert.equal(started.code, 0, started.stderr);
    const pid = readPid(home.dir);
    const raw = await connectRaw(home.dir, { client: 'cli' });
    const pass = raw.connection.sendRequest(IndexRequest, { root }).catch((error: Error) => error);
    await untilIndexing(home.dir, root);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await raw.connection.sendRequest(StopRequest);
    await waitFor(() => exited(pid), STOP_BOUND_MS, 'the daemon to exit mid-pass');
    raw.close();
    assert.match(JSON.parse(readFileSync(homePaths(home.dir).lastExit, 'utf8')).reason, /^ccc\/stop from cli#/, 'the requested stop path ran');
    assert.equal(readPid(home.dir), null, 'the pid file went last');
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
      let rebuilt = false;
      const rebuild = raw.connection.sendRequest(IndexRequest, { root, force: true }).then((result) => {
        rebuilt = true;
        return result;
      });
      await untilIndexing(home.dir, root);
      const search: SearchResult = await raw.connection.sendRequest(SearchRequest, { root, query: 'promise resolve callback', limit: 5 });
      assert.equal(rebuilt, false, 'the search waited for the whole rebuild');
      assert.equal(search.indexing, true);
      assert.equal(search.indexedFirst, false);
      assert.equal(search.results.length, 5);
      const result = await rebuild;
      const status = await raw.connection.sendRequest(StatusRequest, { root });
      assert.equal(result.counts.added, status.files);
      assert.equal(result.counts.chunksEmbedded, 0, 'a rebuild takes its embeddings from the cache');
    } finally {
      raw.close();
    }
  });
});

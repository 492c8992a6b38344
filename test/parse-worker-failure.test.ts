// A daemon whose parse workers cannot start says so: the pass counts each file as an error with the reason, the log
// says why, and no file that has a grammar is quietly indexed as plain text (issue 10, point 13).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { homePaths } from '../daemon/paths';
import type { IndexResult } from '../daemon/protocol';
import { cliJson, makeTempHome, type TempHome } from './support';

const FILES = ['greeter.py', 'billing.py'];

describe('a daemon whose parse workers cannot start', () => {
  let home: TempHome;
  let root: string;
  let indexed: IndexResult;

  before(async () => {
    home = makeTempHome();
    root = mkdtempSync(join(tmpdir(), 'ccc-noparse-'));
    for (const name of FILES) writeFileSync(join(root, name), `def ${name.split('.')[0]}(name):\n    return name.upper()\n`);
    indexed = await cliJson<IndexResult>(['index', '--json'], {
      home: home.dir,
      cwd: root,
      env: { CCC_TEST_PARSE_WORKER_START_FAIL: 'injected: the worker cannot start' },
      timeoutMs: 180_000,
    });
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('counts every file as an error, with the reason, instead of indexing it as text', () => {
    assert.equal(indexed.counts.errors, FILES.length, JSON.stringify(indexed));
    assert.equal(indexed.counts.added, 0);
    for (const name of FILES) {
      const problem = indexed.problems.find((p) => p.path === name);
      assert.ok(problem, `${name} should be reported: ${JSON.stringify(indexed.problems)}`);
      assert.match(problem.reason, /parse worker could not start: .*injected: the worker cannot start/);
    }
  });

  test('logs why', () => {
    const log = readFileSync(homePaths(home.dir).log, 'utf8');
    assert.match(log, /the parse worker could not start \(.*injected: the worker cannot start.*\), attempt 1 of 3/);
  });
});

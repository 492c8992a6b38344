import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../test/support';
import { silentLogger } from '../log';
import { ProjectWatcher } from './watcher';

/** A watcher on `root` whose change reports land in `calls`. */
function watcherOn(root: string, pollMs?: number) {
  const calls: { paths: string[]; rulesChanged: boolean }[] = [];
  const watcher = new ProjectWatcher({
    root,
    home: join(root, '.no-home'),
    log: silentLogger,
    accepts: () => true,
    onChanges: (paths, rulesChanged) => calls.push({ paths, rulesChanged }),
    pollMs,
  });
  return { watcher, calls };
}

describe('ProjectWatcher', () => {
  const root = mkdtempSync(join(tmpdir(), 'ccc-watch-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('reports a created file from file events', async () => {
    const { watcher, calls } = watcherOn(root);
    await watcher.start();
    try {
      assert.equal(watcher.mode, 'events');
      writeFileSync(join(root, 'new.ts'), 'export const a = 1;\n');
      await waitFor(() => calls.some((call) => call.paths.includes('new.ts')), 10_000, 'the event');
      assert.ok(calls.every((call) => !call.rulesChanged));
    } finally {
      await watcher.close();
    }
  });

  it('polls with full passes when file events cannot start, and stops polling when closed', async () => {
    const { watcher, calls } = watcherOn(join(root, 'does-not-exist'), 50);
    await watcher.start();
    assert.equal(watcher.mode, 'polling');
    await waitFor(() => calls.length >= 2, 5000, 'two polls');
    assert.ok(calls.every((call) => call.rulesChanged && call.paths.length === 0), 'each poll asks for a full pass');
    await watcher.close();
    const seen = calls.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(calls.length, seen);
    assert.equal(watcher.mode, 'off');
  });
});

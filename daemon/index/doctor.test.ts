import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../log';
import { watchCheck, watchLimits } from './doctor';
import { ProjectWatcher } from './watcher';

function watcherOn(root: string): ProjectWatcher {
  return new ProjectWatcher({ root, home: join(root, '.no-home'), log: silentLogger, accepts: () => true, onChanges: () => {} });
}

describe('the watch check', () => {
  const root = mkdtempSync(join(tmpdir(), 'ccc-doctor-watch-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('file events are ok, and on Linux it counts the inotify watches the process holds', async () => {
    const watcher = watcherOn(root);
    await watcher.start();
    try {
      const limits = await watchLimits();
      const check = watchCheck(watcher.mode, true, limits);
      assert.equal(check.status, 'ok');
      assert.match(check.detail, /^file events/);
      if (process.platform === 'linux') {
        assert.ok(limits.limit! > 0);
        assert.ok(limits.used! >= 1, 'the watcher holds at least one inotify watch');
        assert.match(check.detail, new RegExp(`${limits.used} of the OS's ${limits.limit} file watches`));
      }
    } finally {
      await watcher.close();
    }
  });

  it('polling (file events could not start) is a warning that says how to raise the limit', async () => {
    const watcher = watcherOn(join(root, 'does-not-exist'));
    await watcher.start();
    try {
      assert.equal(watcher.mode, 'polling');
      const check = watchCheck(watcher.mode, true, { limit: 8192, used: 8190 });
      assert.equal(check.status, 'warning');
      assert.match(check.detail, /^polling: .* every 30 s; 8190 of the OS's 8192 file watches/);
      assert.match(check.fix!, /fs\.inotify\.max_user_watches=524288/);
    } finally {
      await watcher.close();
    }
  });

  it('a project not indexed yet is not watched yet', () => {
    assert.equal(watchCheck('off', false, { limit: null, used: null }).status, 'warning');
  });
});

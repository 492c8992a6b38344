// End to end: `index.maxMemoryMB` in the global settings. Over the budget, the daemon unloads the project used least
// recently (never the one used last); an unloaded project answers its next request from its store as before.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DaemonStatus, IndexResult, SearchResult } from '../daemon/protocol';
import { cliJson, makeTempHome, waitFor, type TempHome } from './support';

/** A one-file project whose file holds a word found nowhere else. */
function makeProject(word: string): string {
  const root = mkdtempSync(`/tmp/ccc-budget-${word}-`);
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, 'main.ts'), `export function ${word}(): number {\n  return 1;\n}\n`);
  return root;
}

describe('the memory budget', () => {
  let home: TempHome;
  const words = ['alphaowl', 'betaowl', 'gammaowl'];
  const roots: string[] = [];

  before(() => {
    home = makeTempHome();
    // The smallest budget allowed, far below what the model alone takes: every check is over it.
    writeFileSync(join(home.dir, 'settings.yml'), 'index:\n  maxMemoryMB: 64\n');
    for (const word of words) roots.push(makeProject(word));
  });
  after(async () => {
    await home.cleanup();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  const loadedRoots = async () => (await cliJson<DaemonStatus>(['daemon', 'status', '--json'], { home: home.dir })).projects.map((p) => p.root);
  const search = (i: number) => cliJson<SearchResult>(['search', '--json', '-m', 'keyword', words[i]], { home: home.dir, cwd: roots[i] });

  test('keeps only the project used last loaded, and an unloaded one still answers', async () => {
    for (const root of roots) await cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root });
    await waitFor(async () => JSON.stringify(await loadedRoots()) === JSON.stringify([roots[2]]), 20_000, 'the older projects to be unloaded');

    const reopened = await search(0);
    assert.deepEqual(reopened.results.map((hit) => hit.path), ['main.ts']);
    assert.ok(!reopened.indexedFirst, 'the unloaded project was reopened from its store, not indexed anew');
    await waitFor(async () => JSON.stringify(await loadedRoots()) === JSON.stringify([roots[0]]), 20_000, 'the reopened project to be the one kept');
  });
});

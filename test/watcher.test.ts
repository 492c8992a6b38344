// End to end: after one `ccc index`, the daemon's watcher keeps the index current by itself — a created, edited,
// renamed and deleted file, and an ignore rule added to .gitignore — with no further index request; and what changed
// while no daemon ran is caught up when the next one opens the project.
import assert from 'node:assert/strict';
import { renameSync, rmSync, unlinkSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SearchResult } from '../daemon/protocol';
import { makePolyglotProject } from './polyglot-fixture';
import { cliJson, makeTempHome, runCli, waitFor, type TempHome } from './support';

/** Generous for a loaded CI machine; on an idle one a change is searchable well within a second. */
const SEARCHABLE_WITHIN_MS = 20_000;

describe('the file watcher', () => {
  let home: TempHome;
  let root: string;

  const paths = async (word: string): Promise<string[]> => {
    const result = await cliJson<SearchResult>(['search', '--json', '-m', 'keyword', word], { home: home.dir, cwd: root });
    return result.results.map((hit) => hit.path);
  };
  const eventually = (word: string, expected: string[], what: string) =>
    waitFor(async () => JSON.stringify(await paths(word)) === JSON.stringify(expected), SEARCHABLE_WITHIN_MS, what);

  before(async () => {
    home = makeTempHome();
    root = makePolyglotProject();
    await cliJson(['index', '--json'], { home: home.dir, cwd: root, timeoutMs: 180_000 });
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('picks up a created file', async () => {
    const started = Date.now();
    writeFileSync(join(root, 'src/feature.ts'), 'export function pelicanlaunch(): number {\n  return 42;\n}\n');
    await eventually('pelicanlaunch', ['src/feature.ts'], 'the new file to be searchable');
    process.stderr.write(`# create → searchable in ${Date.now() - started} ms\n`);
  });

  test('picks up an edit', async () => {
    writeFileSync(join(root, 'src/feature.ts'), 'export function walrusland(): number {\n  return 7;\n}\n');
    await eventually('walrusland', ['src/feature.ts'], 'the edit to be searchable');
    assert.deepEqual(await paths('pelicanlaunch'), []);
  });

  test('picks up a rename', async () => {
    renameSync(join(root, 'src/feature.ts'), join(root, 'src/renamed.ts'));
    await eventually('walrusland', ['src/renamed.ts'], 'the renamed file to replace the old one');
  });

  test('picks up a delete', async () => {
    unlinkSync(join(root, 'src/renamed.ts'));
    await eventually('walrusland', [], 'the deleted file to leave the index');
  });

  test('ignores files the rules ignore, and re-reads the rules when .gitignore changes', async () => {
    writeFileSync(join(root, 'build/late.js'), 'const ignoredosprey = 1;\n');
    writeFileSync(join(root, 'src/visible.ts'), 'export const visiblefinch = 1;\n');
    await eventually('visiblefinch', ['src/visible.ts'], 'the accepted file to be searchable');
    assert.deepEqual(await paths('ignoredosprey'), []);

    assert.deepEqual(await paths('toolbar'), ['web/style.css']);
    appendFileSync(join(root, '.gitignore'), 'web/\n');
    await eventually('toolbar', [], 'web/ to leave the index after the .gitignore change');
  });

  test('catches up on what changed while no daemon ran, with no index request', async () => {
    writeFileSync(join(root, 'src/before.ts'), 'export const heronbefore = 1;\n');
    await eventually('heronbefore', ['src/before.ts'], 'the file to be indexed before the stop');
    const stopped = await runCli(['daemon', 'stop'], { home: home.dir });
    assert.equal(stopped.code, 0, stopped.stderr);
    unlinkSync(join(root, 'src/before.ts'));
    writeFileSync(join(root, 'src/while.ts'), 'export const ibiswhile = 2;\n');
    await eventually('ibiswhile', ['src/while.ts'], 'the file created while stopped to be searchable');
    assert.deepEqual(await paths('heronbefore'), []);
  });
});

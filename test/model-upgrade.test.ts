// End to end: an index and an embedding cache made by the previous built-in model (GloVe, `builtin-glove100-v2`,
// 100-d) are rebuilt once, automatically, when the daemon with the trained model opens them; the next start reuses them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { homePaths, projectIndexDir } from '../daemon/paths';
import type { IndexResult, ProjectStatus, SearchResult } from '../daemon/protocol';
import { cliJson, makeTempHome, runCli, type TempHome } from './support';

const LONG = { timeoutMs: 180_000 };
const OLD_MODEL_ID = 'builtin-glove100-v2';

let home: TempHome;
let root: string;

before(() => {
  home = makeTempHome();
  root = mkdtempSync('/tmp/ccc-upgrade-');
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, 'unique.py'), 'def uniq(items):\n    seen = set()\n    return [x for x in items if not (x in seen or seen.add(x))]\n');
  writeFileSync(join(root, 'area.py'), 'import math\n\ndef circle_area(radius):\n    return math.pi * radius ** 2\n');
});
after(async () => {
  await home.cleanup();
  rmSync(root, { recursive: true, force: true });
});

const index = () => cliJson<IndexResult>(['index', '--json'], { home: home.dir, cwd: root, ...LONG });
const status = () => cliJson<ProjectStatus>(['status', '--json'], { home: home.dir, cwd: root, ...LONG });
const rebuildLines = () => readFileSync(join(home.dir, 'daemon.log'), 'utf8').split('\n').filter((line) => line.includes(`rebuilt from scratch: the embedding model changed from ${OLD_MODEL_ID}`));

test('an index of the old built-in model is rebuilt once for the new one', async () => {
  await index();
  const current = (await status()).model;
  assert.notEqual(current, OLD_MODEL_ID);
  assert.equal((await runCli(['daemon', 'stop'], { home: home.dir })).code, 0);

  // Make the stored index the old model's, as an earlier ccc left it.
  const manifestFile = join(projectIndexDir(home.dir, root), 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  writeFileSync(manifestFile, JSON.stringify({ ...manifest, modelId: OLD_MODEL_ID, dimension: 100 }));
  const cacheFiles = () => readdirSync(homePaths(home.dir).cache).filter((f) => f.endsWith('.vectors'));
  const cachesBefore = cacheFiles();

  const rebuilt = await index();
  assert.equal(rebuilt.counts.added, 2, 'every file is indexed again');
  assert.equal(rebuildLines().length, 1, rebuildLines().join('\n'));
  assert.equal((await status()).model, current);
  assert.deepEqual(cacheFiles(), cachesBefore, 'the new model keeps its own cache file');
  const hits = await cliJson<SearchResult>(['search', '--json', '-m', 'semantic', 'remove duplicate entries from a list'], { home: home.dir, cwd: root, ...LONG });
  assert.equal(hits.results[0]?.path, 'unique.py');

  assert.equal((await runCli(['daemon', 'stop'], { home: home.dir })).code, 0);
  const again = await index();
  assert.equal(again.counts.added, 0, 'the rebuilt index is reused');
  assert.equal(rebuildLines().length, 1, 'no second rebuild');
});

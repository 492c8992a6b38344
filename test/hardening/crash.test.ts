// Crash safety: SIGKILL the daemon at random moments of full and incremental passes and of a compaction, then let it
// finish: the store of record must equal a clean rebuild of the same tree, and must load after every kill.
// A full disk must fail the pass with a clear error and leave the previous index loadable.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { projectIndexDir } from '../../daemon/paths';
import { ErrorCodes, IndexRequest } from '../../daemon/protocol';
import { connectRaw, daemonProcesses, runCli, waitFor } from '../support';
import {
  assertFindable,
  dumpStore,
  index,
  killDaemon,
  Scratch,
  sized,
  sleep,
  sourceFile,
  stopDaemon,
  writeFile,
  writeProject,
  type StoreDump,
} from './support';

const scratch = new Scratch('ccc-hc-');
const freshHome = () => scratch.home();
const freshRoot = () => scratch.dir('proj');
after(() => scratch.cleanup());

/** `daemon restart` also forgets earlier crashes, which a kill loop is made of. */
async function restart(home: string): Promise<void> {
  const result = await runCli(['daemon', 'restart'], { home });
  assert.equal(result.code, 0, result.stderr);
}

/** Starts an index pass on its own connection; `done()` turns true once it answered (or the daemon died). */
async function startPass(home: string, root: string): Promise<{ done: () => boolean }> {
  const raw = await connectRaw(home, { client: 'cli' });
  let done = false;
  raw.connection.sendRequest(IndexRequest, { root }).then(
    () => (done = true),
    () => (done = true),
  );
  return { done: () => done };
}

async function cleanRebuild(root: string): Promise<StoreDump> {
  const home = freshHome();
  await index(home, root);
  await stopDaemon(home);
  return dumpStore(home, root);
}

function assertNoDuplicates(dump: StoreDump): void {
  const lines = dump.chunks.map((chunk) => chunk.split(':').slice(0, 2).join(':'));
  assert.equal(new Set(lines).size, lines.length, 'no chunk is stored twice');
}

function assertSameIndex(actual: StoreDump, expected: StoreDump): void {
  assert.equal(actual.rebuiltReason, null);
  assert.deepEqual(actual.files, expected.files, 'same files');
  assert.equal(actual.chunks.length, expected.chunks.length, 'same number of chunks');
  assert.deepEqual(actual.chunks, expected.chunks, 'same chunks (path, lines, hash)');
}

/** Changes some files, deletes some and adds some, so the next pass is an incremental one with every kind of update. */
function mutate(root: string, files: number, round: number): number {
  for (let i = round % 5; i < files; i += 5) writeFile(root, sourceFile(i, round).path, sourceFile(i, round).text);
  for (let i = round % 7; i < files; i += 23) rmSync(join(root, sourceFile(i).path), { force: true });
  const added = files + 20;
  for (let i = files; i < added; i++) writeFile(root, sourceFile(i, round).path, sourceFile(i, round).text);
  return added;
}

describe('crash safety', () => {
  test('SIGKILL at random moments of full and incremental passes; the finished index equals a clean rebuild', async () => {
    const kills = sized(5, 20);
    const home = freshHome();
    const root = freshRoot();
    let files = sized(300, 1500);
    writeProject(root, files);
    // A file that no later round rewrites or deletes, with the variant it was written with: the last one added.
    let newest = { file: 2, variant: 0 };
    // A seeded sequence, so a failure can be replayed.
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const firstPass = Date.now();
    await index(home, root, { force: true });
    const passMs = Date.now() - firstPass;
    await killDaemon(home);
    for (let kill = 0; kill < kills; kill++) {
      await restart(home);
      // Odd rounds start from scratch (force), even rounds change the tree first (incremental).
      if (kill % 2 === 1) {
        files = mutate(root, files, kill);
        newest = { file: files - 1, variant: kill };
      }
      const raw = await connectRaw(home, { client: 'cli' });
      raw.connection.sendRequest(IndexRequest, { root, force: kill % 4 === 0 }).catch(() => undefined);
      await sleep(50 + random() * passMs);
      await killDaemon(home);
      raw.close();
      const dump = await dumpStore(home, root);
      assert.equal(dump.rebuiltReason, null, `after kill ${kill + 1} the store loads`);
      assertNoDuplicates(dump);
    }
    await restart(home);
    await index(home, root);
    await assertFindable(home, root, newest.file, newest.variant);
    await stopDaemon(home);
    const survived = await dumpStore(home, root);
    assertSameIndex(survived, await cleanRebuild(root));
    console.log(`crash: ${kills} kills survived over ${files} files (pass ${passMs} ms); ${survived.chunks.length} chunks match a clean rebuild`);
  });

  test('SIGKILL during a store compaction leaves a loadable store that finishes into a clean rebuild', async () => {
    const rounds = sized(3, 8);
    const home = freshHome();
    const root = freshRoot();
    const files = sized(1000, 2000);
    writeProject(root, files);
    await index(home, root);
    const dir = projectIndexDir(home, realpathSync(root));
    let caught = 0;
    for (let round = 1; round <= rounds; round++) {
      // Rewriting every file leaves more dead bytes than live ones: the pass ends in a compaction.
      writeProject(root, files, round);
      const live = () => new Set((JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { segments: { name: string }[] }).segments.map((s) => s.name));
      const before = live();
      const pass = await startPass(home, root);
      let compacting = false;
      while (!compacting && !pass.done()) {
        compacting = readdirSync(dir).some((name) => name.startsWith('seg-') && !before.has(name) && !live().has(name));
        if (!compacting) await new Promise((resolve) => setImmediate(resolve));
      }
      if (compacting) caught++;
      await sleep(round * 20);
      await killDaemon(home);
      const dump = await dumpStore(home, root);
      assert.equal(dump.rebuiltReason, null, `after kill in round ${round} the store loads`);
      assert.equal(dump.files.length, files, 'every file is still indexed (old or new version)');
      assertNoDuplicates(dump);
      await restart(home);
    }
    assert.ok(caught > 0, 'at least one kill landed during a compaction');
    await index(home, root);
    await stopDaemon(home);
    assertSameIndex(await dumpStore(home, root), await cleanRebuild(root));
    console.log(`compaction: ${rounds} kills, ${caught} during a compaction`);
  });

  test('a full disk fails the pass with one clear line; the previous index still loads and serves', async (t) => {
    const home = freshHome();
    const root = freshRoot();
    const mount = join(home, 'small');
    mkdirSync(mount);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mount]);
    } catch {
      t.skip('cannot mount a tmpfs here (needs root)');
      return;
    }
    try {
      writeProject(root, 100);
      await index(mount, root);
      await assertFindable(mount, root, 4);
      for (let i = 100; i < 3000; i++) writeFile(root, sourceFile(i).path, `${sourceFile(i).text}\n// ${'padding '.repeat(200)}\n`);
      await assert.rejects(index(mount, root), (error: ResponseError<unknown>) => {
        assert.equal(error.code, ErrorCodes.IndexFailed);
        assert.match(error.message, /^the disk is full\b.*free some space/);
        assert.doesNotMatch(error.message, /\n/);
        console.log(`disk full: ${error.message}`);
        return true;
      });
      await assertFindable(mount, root, 4);
      await stopDaemon(mount);
      const dump = await dumpStore(mount, root);
      assert.equal(dump.rebuiltReason, null, 'the store written before the disk filled still loads');
      for (let i = 0; i < 100; i++) assert.ok(dump.files.includes(sourceFile(i).path), `${sourceFile(i).path} kept`);
    } finally {
      await killDaemon(mount).catch(() => undefined);
      await waitFor(() => daemonProcesses(mount).length === 0, 5000, 'daemon to exit').catch(() => undefined);
      execFileSync('umount', ['-l', mount]);
      if (existsSync(mount)) rmSync(mount, { recursive: true, force: true });
    }
  });
});

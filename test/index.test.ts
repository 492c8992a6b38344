// End to end: `ccc init/index/status/search/reset` against the real built daemon on a temporary CCC_HOME, on the polyglot
// fixture (≥ 10 languages, nested .gitignore with negation, files to skip) — incremental passes, a daemon killed mid-pass,
// a corrupt store and a model switch.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectIndexDir } from '../daemon/paths';
import { ErrorCodes, SearchRequest, StatusRequest, type IndexResult, type ProjectStatus, type SearchResult } from '../daemon/protocol';
import { INDEXED, IGNORED, makePolyglotProject, PERMISSIONS_APPLY, SKIPPED, widenIncludes } from './polyglot-fixture';
import { CCC_JS, cliJson, connectRaw, DIST, makeTempHome, readPid, runCli, waitFor, type TempHome } from './support';

const LONG = { timeoutMs: 180_000 };

function search(home: string, root: string, words: string, mode = 'keyword'): Promise<SearchResult> {
  return cliJson<SearchResult>(['search', '--json', '-m', mode, '-n', '20', words], { home, cwd: root, ...LONG });
}

function status(home: string, root: string): Promise<ProjectStatus> {
  return cliJson<ProjectStatus>(['status', '--json'], { home, cwd: root, ...LONG });
}

function index(home: string, root: string, ...flags: string[]): Promise<IndexResult> {
  return cliJson<IndexResult>(['index', '--json', ...flags], { home, cwd: root, ...LONG });
}

async function stopDaemon(home: string): Promise<void> {
  const stopped = await runCli(['daemon', 'stop'], { home });
  assert.equal(stopped.code, 0, stopped.stderr);
}

function lineOf(root: string, path: string, needle: string): number {
  return readFileSync(join(root, path), 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;
}

describe('ccc index on the polyglot fixture', () => {
  let home: TempHome;
  let root: string;
  let first: IndexResult;

  before(async () => {
    home = makeTempHome();
    root = makePolyglotProject();
    const init = await runCli(['init'], { home: home.dir, cwd: root });
    assert.equal(init.code, 0, init.stderr);
    widenIncludes(root);
    first = await index(home.dir, root);
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('init refuses to overwrite without --force', async () => {
    const again = await runCli(['init'], { home: home.dir, cwd: root });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists; use --force/);
    assert.equal(again.stderr.trim().split('\n').length, 1);
  });

  test('indexes the right files and reports the skipped ones with reasons', async () => {
    const expected = INDEXED.length + (PERMISSIONS_APPLY ? 0 : 1);
    assert.equal(first.counts.added, expected, JSON.stringify(first, null, 1));
    assert.equal(first.counts.errors, 0);
    for (const [path, reason] of Object.entries(SKIPPED)) {
      const problem = first.problems.find((p) => p.path === path);
      assert.ok(problem, `${path} should be reported: ${JSON.stringify(first.problems)}`);
      assert.match(problem.reason, reason);
    }
    assert.ok(first.problems.some((p) => p.path.startsWith('links/')), 'the symlink loop is reported');
    if (PERMISSIONS_APPLY) assert.ok(first.problems.some((p) => p.path === 'lib/secret.rb'), 'the unreadable file is reported');
    for (const path of IGNORED) assert.ok(!first.problems.some((p) => p.path === path), `${path} is ignored, not reported`);

    const st = await status(home.dir, root);
    assert.equal(st.state, 'ready');
    assert.equal(st.files, expected);
    assert.equal(st.chunks, first.chunks);
    for (const language of ['typescript', 'javascript', 'python', 'go', 'rust', 'java', 'ruby', 'c', 'cpp', 'csharp', 'php', 'kotlin', 'lua', 'bash', 'css']) {
      assert.ok((st.languages[language] ?? 0) > 0, `chunks of ${language}: ${JSON.stringify(st.languages)}`);
    }
    assert.ok(st.indexBytes > 0);
    assert.ok(st.lastIndexedAt && st.lastIndexedAt > Date.now() - 600_000);
    await waitFor(async () => (await status(home.dir, root)).watching === 'events', 20_000, 'the watcher to start after the first pass');
    const text = await runCli(['status'], { home: home.dir, cwd: root });
    assert.match(text.stdout, /^watch: +file events$/m);
    assert.match(text.stdout, /^parsed: +Tree-sitter for \d+ languages: .*\bclojure\b.*\bhcl\b.*\btypescript\b/m);
  });

  test('ignored and skipped files are not searchable; the negated ones are', async () => {
    assert.deepEqual((await search(home.dir, root, 'heron')).results.map((hit) => hit.path), []);
    assert.deepEqual((await search(home.dir, root, 'ibex')).results.map((hit) => hit.path), ['generated/keep_me.ts']);
    assert.deepEqual((await search(home.dir, root, 'yak')).results.map((hit) => hit.path), ['lib/nested/important.tmp']);
  });

  test('keyword hits carry exact line ranges, symbol paths and the lines as content', async () => {
    const path = 'scripts/report_builder.py';
    const { results } = await search(home.dir, root, 'render_capybara_summary');
    const hit = results[0];
    assert.equal(hit.path, path);
    assert.equal(hit.language, 'python');
    const def = lineOf(root, path, 'def render_capybara_summary');
    const next = lineOf(root, path, 'def render_footer_kiwi');
    assert.ok(hit.startLine <= def && hit.endLine >= def + 16 && hit.endLine < next, `lines ${hit.startLine}-${hit.endLine}, def at ${def}`);
    assert.match(hit.symbol, /ReportBuilder.*render_capybara_summary/);
    const lines = readFileSync(join(root, path), 'utf8').split('\n');
    assert.equal(hit.content.trim(), lines.slice(hit.startLine - 1, hit.endLine).join('\n').trim());

    const go = (await search(home.dir, root, 'PopWombat')).results[0];
    assert.equal(go.path, 'lib/queue.go');
    assert.ok(go.startLine <= lineOf(root, 'lib/queue.go', 'func (q *Queue) PopWombat') && go.endLine >= lineOf(root, 'lib/queue.go', 'return item, true'));
    assert.match(go.symbol, /PopWombat/);
  });

  test('search parameters are validated with one-line messages', async () => {
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const codeOf = (params: object) =>
        raw.connection.sendRequest(SearchRequest, { root, query: 'x', ...params }).then(
          () => null,
          (error: { code: number; message: string }) => error,
        );
      const empty = await codeOf({ query: '   ' });
      assert.equal(empty?.code, ErrorCodes.InvalidParams);
      assert.equal(empty?.message, 'query is empty: type what you are looking for');
      assert.equal((await codeOf({ limit: 0 }))?.code, ErrorCodes.InvalidParams);
      assert.equal((await codeOf({ limit: 1000 }))?.code, ErrorCodes.InvalidParams);
      const long = await raw.connection.sendRequest(SearchRequest, { root, query: 'q '.repeat(10_000) });
      assert.match(long.queryNote ?? '', /^query cut from \d+ to \d+ bytes/, 'cut, not refused');
      assert.equal((await codeOf({ mode: 'fuzzy' }))?.code, ErrorCodes.InvalidParams);
      const ok = await raw.connection.sendRequest(SearchRequest, { root, query: 'queue push pop', limit: 2 });
      assert.equal(ok.results.length, 2);
      assert.equal(ok.mode, 'hybrid');
    } finally {
      raw.close();
    }
  });

  test('an edit re-embeds only that file; a no-op pass changes nothing; a delete removes the chunks', async () => {
    const indexed = (await status(home.dir, root)).files;
    const noop = await index(home.dir, root);
    const { files: _files, skipped: _skipped, ...changes } = noop.counts;
    assert.deepEqual(changes, { added: 0, updated: 0, unchanged: indexed, deleted: 0, errors: 0, reused: 0, chunksEmbedded: 0 });

    // Changes are made while the daemon is stopped, so that its watcher does not index them before we ask.
    const path = join(root, 'scripts/report_builder.py');
    await stopDaemon(home.dir);
    const before = readFileSync(path, 'utf8');
    writeFileSync(path, before.replace('Render the footer with page numbers.', 'Render the footer with page numbers and the marmoset total.'));
    const edited = await index(home.dir, root);
    assert.equal(edited.counts.updated, 1);
    assert.equal(edited.counts.added + edited.counts.deleted, 0);
    assert.equal(edited.counts.chunksEmbedded, 1, 'only the footer chunk changed');
    assert.equal((await search(home.dir, root, 'marmoset')).results[0]?.path, 'scripts/report_builder.py');

    // Same content, new mtime: read and hashed, nothing re-chunked or embedded.
    await stopDaemon(home.dir);
    writeFileSync(path, readFileSync(path, 'utf8'));
    const touched = await index(home.dir, root);
    assert.equal(touched.counts.updated + touched.counts.chunksEmbedded, 0);

    const chunksBefore = (await status(home.dir, root)).chunks;
    await stopDaemon(home.dir);
    const greeter = readFileSync(join(root, 'lib/greeter.rb'), 'utf8');
    unlinkSync(join(root, 'lib/greeter.rb'));
    const deleted = await index(home.dir, root);
    assert.equal(deleted.counts.deleted, 1);
    assert.equal(deleted.chunks, chunksBefore - 1);
    assert.deepEqual((await search(home.dir, root, 'flamingo')).results, []);

    // Restored later, as a branch switch does, and copied under another name: the known content keeps its chunks.
    await stopDaemon(home.dir);
    writeFileSync(join(root, 'lib/greeter.rb'), greeter);
    writeFileSync(join(root, 'scripts/report_copy.py'), readFileSync(path, 'utf8'));
    const restored = await index(home.dir, root);
    assert.deepEqual([restored.counts.added, restored.counts.reused, restored.counts.chunksEmbedded], [2, 2, 0], 'neither file is parsed nor embedded');
    assert.equal((await search(home.dir, root, 'flamingo')).results[0]?.path, 'lib/greeter.rb', 'its text is searchable again');
    const copies = (await search(home.dir, root, 'marmoset')).results.map((hit) => hit.path).sort();
    assert.deepEqual(copies, ['scripts/report_builder.py', 'scripts/report_copy.py']);
    await stopDaemon(home.dir);
    unlinkSync(join(root, 'lib/greeter.rb'));
    unlinkSync(join(root, 'scripts/report_copy.py'));
    await index(home.dir, root);
    // lib/secret.rb is the other Ruby file, indexed only when its permissions cannot stop us.
    assert.equal((await status(home.dir, root)).languages.ruby ?? 0, PERMISSIONS_APPLY ? 0 : 1);
  });

  test('ccc index --force rebuilds from scratch with cached embeddings', async () => {
    const indexed = (await status(home.dir, root)).files;
    const rebuilt = await index(home.dir, root, '--force');
    assert.equal(rebuilt.counts.added, indexed);
    assert.equal((await status(home.dir, root)).files, indexed);
    assert.equal(rebuilt.counts.chunksEmbedded, 0);
  });

  test('a bad settings file fails the pass with one line naming it; search keeps serving', async () => {
    const file = join(root, '.ccc', 'settings.yml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace(/maxFileSize: .*/, 'maxFileSize: banana'));
    try {
      const failed = await runCli(['index'], { home: home.dir, cwd: root });
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /settings\.yml.*maxFileSize/);
      assert.equal(failed.stderr.trim().split('\n').length, 1);
      const st = await status(home.dir, root);
      assert.equal(st.state, 'error');
      assert.match(st.error ?? '', /maxFileSize/);
      assert.equal((await search(home.dir, root, 'PopWombat')).results[0]?.path, 'lib/queue.go');
    } finally {
      writeFileSync(file, good);
    }
    assert.equal((await index(home.dir, root)).counts.errors, 0);
    // Restoring settings.yml is itself a change the watcher answers with a pass of its own, which may start after ours.
    await waitFor(async () => (await status(home.dir, root)).state === 'ready', 30_000, 'the project to be ready again');
  });

  test('a corrupt store is rebuilt, not a crash', async () => {
    const expected = (await status(home.dir, root)).files;
    assert.equal((await runCli(['daemon', 'stop'], { home: home.dir })).code, 0);
    const manifest = join(projectIndexDir(home.dir, root), 'manifest.json');
    writeFileSync(manifest, '{ this is not json');
    // A poll tolerates a failed status call (e.g. while a daemon restarts); the assertions below do not.
    await waitFor(async () => (await status(home.dir, root).catch(() => null))?.files === expected, 120_000, 'the corrupt index to be rebuilt');
    assert.equal((await search(home.dir, root, 'PopWombat')).results[0]?.path, 'lib/queue.go');
    assert.match(readFileSync(join(home.dir, 'daemon.log'), 'utf8'), /rebuilt from scratch/);
  });

  test('switching embedding.model rebuilds the index automatically', async () => {
    const before = await status(home.dir, root);
    const modelCopy = mkdtempSync('/tmp/ccc-model-');
    cpSync(join(DIST, 'model'), modelCopy, { recursive: true });
    try {
      writeFileSync(join(home.dir, 'settings.yml'), `embedding:\n  model: ${JSON.stringify(modelCopy)}\n`);
      await waitFor(async () => {
        const now = await status(home.dir, root).catch(() => null);
        return !!now && now.model !== before.model && now.files === before.files && now.state === 'ready';
      }, 120_000, 'the index to be rebuilt for the new model');
      assert.equal((await search(home.dir, root, 'PopWombat')).results[0]?.path, 'lib/queue.go');
    } finally {
      await runCli(['daemon', 'stop'], { home: home.dir });
      rmSync(join(home.dir, 'settings.yml'), { force: true });
      rmSync(modelCopy, { recursive: true, force: true });
    }
  });

  test('ccc reset drops the index', async () => {
    const reset = await runCli(['reset'], { home: home.dir, cwd: root });
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /removed the index/);
    const after = await status(home.dir, root);
    assert.equal(after.files, 0);
    assert.equal(after.lastIndexedAt, null);
    const usage = await runCli(['reset', root, '--all'], { home: home.dir, cwd: root });
    assert.equal(usage.code, 2);
  });
});

describe('a daemon killed during a pass', () => {
  let home: TempHome;
  let clean: TempHome;
  let root: string;
  const FILES = 300;

  before(() => {
    home = makeTempHome();
    clean = makeTempHome();
    root = mkdtempSync('/tmp/ccc-kill-');
    mkdirSync(join(root, '.git'));
    for (let i = 0; i < FILES; i++) {
      const dir = join(root, `pkg${i % 10}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, `mod${i}.ts`),
        `// Module ${i}.\nexport function computeUniqueToken${i}(value: number): number {\n  return value * ${i} + ${i % 7};\n}\n\n` +
          `export class Holder${i} {\n  constructor(readonly amount${i}: number) {}\n  describe(): string {\n    return 'holder ${i} of ' + this.amount${i};\n  }\n}\n`,
      );
    }
  });
  after(async () => {
    await home.cleanup();
    await clean.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('the next pass completes and the index holds every file exactly once', async () => {
    const child = spawn(process.execPath, [CCC_JS, 'index'], { cwd: root, env: { ...process.env, CCC_HOME: home.dir }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Kill once part of the project has landed in the store.
    await waitFor(async () => {
      const pid = readPid(home.dir);
      if (!pid) return false;
      const raw = await connectRaw(home.dir, { client: 'cli' }).catch(() => null);
      if (!raw) return false;
      try {
        const st = await raw.connection.sendRequest(StatusRequest, { root });
        return st.files > 0 && st.files < FILES;
      } finally {
        raw.close();
      }
    }, 120_000, 'the first batches to land');
    process.kill(readPid(home.dir)!, 'SIGKILL');
    await exited;

    const resumed = await index(home.dir, root);
    assert.ok(resumed.counts.unchanged > 0, 'the files that landed before the kill are kept');
    assert.equal(resumed.counts.added + resumed.counts.unchanged, FILES);
    const killed = await status(home.dir, root);
    const rebuilt = await index(clean.dir, root);
    const fresh = await status(clean.dir, root);
    assert.equal(killed.files, FILES);
    assert.equal(killed.chunks, fresh.chunks);
    assert.equal(rebuilt.chunks, fresh.chunks);
    assert.deepEqual(killed.languages, fresh.languages);
    for (const i of [0, 137, FILES - 1]) {
      const hits = (await search(home.dir, root, `computeUniqueToken${i}`)).results.filter((hit) => hit.content.includes(`computeUniqueToken${i}(`));
      assert.equal(hits.length, 1, `module ${i} is in the index once`);
    }
  });
});

describe('a pass over 1,000 files', () => {
  let home: TempHome;
  let root: string;
  const FILES = 1000;

  before(() => {
    home = makeTempHome();
    root = mkdtempSync('/tmp/ccc-big-pass-');
    mkdirSync(join(root, '.git'));
    for (let i = 0; i < FILES; i++) {
      const dir = join(root, `pkg${i % 20}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `mod${i}.ts`), `// Module ${i}.\nexport function settleToken${i}(value: number): number {\n  return value * ${i};\n}\n`);
    }
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('ends by freezing the keyword index before its full GC, and every file stays searchable', async () => {
    const first = await index(home.dir, root);
    assert.equal(first.counts.added, FILES);
    const log = readFileSync(join(home.dir, 'daemon.log'), 'utf8');
    // Frozen before the collection, the keyword index's per-term Maps die in it instead of outliving it.
    assert.match(log, /keyword index frozen; full GC after the pass took \d+ ms/);
    for (const i of [0, 500, FILES - 1]) {
      const hits = (await search(home.dir, root, `settleToken${i}`)).results.filter((hit) => hit.content.includes(`settleToken${i}(`));
      assert.equal(hits.length, 1, `module ${i} is found once by keyword`);
    }
  });
});

// The chunker end to end: the real worker bundle and real grammars from dist/ (run `npm run build` first).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { samples } from '../../test/fixtures/chunker/samples';
import { silentLogger } from '../log';
import { SMALL_CHARS } from './chunk-layout';
import { Chunk, Chunker, SourceFile } from './chunker';
import { MAX_CHARS } from './text-splitter';

const distDir = resolve(__dirname, '../../dist');

/** Every chunk is within the hard maximum and is exactly the file's text for its lines (or a cut of one long line); together they cover every non-blank line. */
function assertFaithful(file: SourceFile, chunks: Chunk[]): void {
  const lines = file.text.split('\n');
  const covered = new Set<number>();
  for (const chunk of chunks) {
    assert.ok(chunk.content.length <= MAX_CHARS, `${file.path}:${chunk.startLine} has ${chunk.content.length} chars`);
    assert.equal(chunk.path, file.path);
    assert.equal(chunk.language, file.language);
    assert.ok(chunk.startLine >= 1 && chunk.startLine <= chunk.endLine && chunk.endLine <= lines.length);
    const exact = lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
    if (chunk.content !== exact) {
      assert.equal(chunk.startLine, chunk.endLine, `${file.path}:${chunk.startLine}-${chunk.endLine} is not the file's text`);
      assert.ok(exact.includes(chunk.content));
    }
    for (let line = chunk.startLine; line <= chunk.endLine; line++) covered.add(line);
  }
  lines.forEach((text, i) => assert.ok(text.trim() === '' || covered.has(i + 1), `${file.path}:${i + 1} is in no chunk`));
}

describe('Chunker', () => {
  let chunker: Chunker;
  before(() => {
    assert.ok(existsSync(resolve(distDir, 'parse-worker.js')), 'dist/parse-worker.js is missing: run `npm run build` first');
    chunker = new Chunker({ distDir });
  });
  after(() => chunker.close());

  describe(`yields whole definitions with their line ranges and symbol paths (${samples.length} samples)`, () => {
    let results: Chunk[][];
    before(async () => {
      results = await chunker.chunk(samples);
    });
    samples.forEach((sample, i) => {
      it(`${sample.path} (${sample.language})`, () => {
        const chunks = results[i];
        assertFaithful(sample, chunks);
        const small = chunks.filter((c) => chunks.length > 1 && c.content.trim().length < SMALL_CHARS);
        assert.deepEqual(small.map((c) => `${c.startLine} ${c.content}`), [], `${sample.path}: chunks too small to stand alone`);
        const lines = sample.text.split('\n');
        for (const expected of sample.expected) {
          const chunk = chunks.find((c) => c.symbol === expected.symbol);
          const got = chunks.map((c) => `${c.startLine}-${c.endLine} ${c.symbol}`).join('; ');
          assert.ok(chunk, `${sample.language}: no chunk "${expected.symbol}" in: ${got}`);
          assert.ok(lines[chunk.startLine - 1].includes(expected.first), `${sample.language} "${expected.symbol}" starts at line ${chunk.startLine}: ${lines[chunk.startLine - 1]}`);
          assert.ok(lines[chunk.endLine - 1].includes(expected.last), `${sample.language} "${expected.symbol}" ends at line ${chunk.endLine}: ${lines[chunk.endLine - 1]}`);
        }
      });
    });
  });

  it('merges small sibling definitions into one chunk', async () => {
    const text = ['export function a() { return 1; }', '', 'export function b() { return 2; }', '', 'export class C {', '  m() {}', '}', ''].join('\n');
    const [chunks] = await chunker.chunk([{ path: 'small.ts', language: 'typescript', text }]);
    assert.deepEqual(chunks.map((c) => [c.startLine, c.endLine, c.symbol]), [[1, 7, 'function a, function b, class C']]);
  });

  it('splits JSON and YAML by top-level keys', async () => {
    // Keys big enough to stand alone: smaller ones join a neighbour.
    const json = JSON.stringify({ description: 'words '.repeat(30), scripts: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`task${i}`, `node run.js --step ${i}`])), dependencies: { a: '1' } }, null, 2);
    const yaml = [`description: ${'words '.repeat(30)}`, 'jobs:', ...Array.from({ length: 80 }, (_, i) => `  job${i}: { runs-on: ubuntu-latest, step: ${i} }`), 'env:', '  A: 1', ''].join('\n');
    const [jsonChunks, yamlChunks] = await chunker.chunk([
      { path: 'package.json', language: 'json', text: json },
      { path: 'ci.yml', language: 'yaml', text: yaml },
    ]);
    assertFaithful({ path: 'package.json', language: 'json', text: json }, jsonChunks);
    assert.ok(jsonChunks.some((c) => c.symbol.startsWith('scripts') && c.content.includes('"task0"')), jsonChunks.map((c) => c.symbol).join('; '));
    assert.ok(yamlChunks.some((c) => c.symbol.includes('jobs') && c.startLine === 2), yamlChunks.map((c) => `${c.startLine} ${c.symbol}`).join('; '));
  });

  it('cuts a 10 MB single-line minified file into chunks within the hard maximum, fast', async () => {
    const unit = 'function a(b,c){return b+c}var d=a(1,2);';
    const text = unit.repeat(Math.ceil(10_000_000 / unit.length));
    const file = { path: 'dist/app.min.js', language: 'javascript', text };
    const started = performance.now();
    const [chunks] = await chunker.chunk([file]);
    const elapsed = performance.now() - started;
    assert.ok(chunks.every((c) => c.content.length <= MAX_CHARS && c.startLine === 1 && c.endLine === 1));
    assert.equal(chunks.map((c) => c.content).join(''), text);
    assert.ok(elapsed < 5000, `took ${Math.round(elapsed)} ms`);
  });

  it('counts lines right in a file with CRLF line endings', async () => {
    const sample = samples.find((s) => s.language === 'typescript')!;
    const crlf = { ...sample, path: 'src/crlf.ts', text: sample.text.replace(/\n/g, '\r\n') };
    const [lf, withCr] = await chunker.chunk([sample, crlf]);
    assertFaithful(crlf, withCr);
    assert.deepEqual(withCr.map((c) => [c.startLine, c.endLine, c.symbol]), lf.map((c) => [c.startLine, c.endLine, c.symbol]));
    assert.ok(withCr[1].content.includes('\r\n'));
  });

  it('still chunks broken syntax, and uses the text splitter for an unknown language', async () => {
    const broken = { path: 'broken.py', language: 'python', text: 'def ok():\n    return 1\n\ndef broken(:\n    x = = 2\n\nclass Fine:\n    def m(self):\n        pass\n' };
    const prose = Array.from({ length: 30 }, (_, i) => `Paragraph ${i} of some notes.\n${'words '.repeat(40)}\n`).join('\n');
    const notes = { path: 'NOTES.txt', language: 'text', text: prose };
    const [brokenChunks, proseChunks] = await chunker.chunk([broken, notes]);
    assertFaithful(broken, brokenChunks);
    assert.ok(brokenChunks.some((c) => c.symbol.includes('function ok')), brokenChunks.map((c) => c.symbol).join('; '));
    assertFaithful(notes, proseChunks);
    assert.ok(proseChunks.length > 3 && proseChunks.every((c) => c.symbol === '' && c.content.startsWith('Paragraph')));
  });
});

describe('Chunker worker lifecycle', () => {
  // One light grammar, so that each new worker has little to load.
  const python = samples.find((s) => s.language === 'python')!;
  const files: SourceFile[] = Array.from({ length: 3 }, (_, i) => ({ ...python, path: `app/file${i}.py` }));

  it('recycles the worker after N files and keeps working', async () => {
    const chunker = new Chunker({ distDir, recycleAfterFiles: 2 });
    try {
      const first = await chunker.chunk(files);
      const second = await chunker.chunk(files);
      // 2 files per worker: files 1-2, then 3 and (second call) 1, then 2-3.
      assert.equal(chunker.workersStarted, 3);
      assert.deepEqual(second, first);
      assert.ok(first[0].some((c) => c.symbol === 'class Greeter > method greet'));
    } finally {
      await chunker.close();
    }
  });

  it('release lets the worker go after the queued calls; the next call starts a new one', async () => {
    const chunker = new Chunker({ distDir });
    try {
      const first = chunker.chunk(files);
      chunker.release();
      const parsed = await first;
      assert.ok(parsed[0].some((c) => c.symbol === 'class Greeter > method greet'), 'the call queued before release completes');
      await chunker.chunk(files);
      assert.equal(chunker.workersStarted, 2, 'released after the first call, so the second started another');
      await chunker.chunk(files);
      assert.equal(chunker.workersStarted, 2, 'without a release the worker stays for the next call');
    } finally {
      await chunker.close();
    }
  });

  it('replaces a worker that dies mid-file, tries the file once more, then cuts it as text and reports why', async () => {
    const crashing = { ...samples.find((s) => s.language === 'go')!, language: 'python' };
    process.env.CCC_TEST_PARSE_CRASH_PATH = crashing.path;
    const chunker = new Chunker({ distDir });
    const problems: string[] = [];
    try {
      const [before, crashed, afterwards] = await chunker.chunk([files[0], crashing, files[1]], (path, reason) => problems.push(`${path}: ${reason}`));
      assert.ok(before.some((c) => c.symbol === 'class Greeter > method greet'));
      assertFaithful(crashing, crashed);
      assert.ok(crashed.length > 0 && crashed.every((c) => c.symbol === ''), 'the crashed file falls back to the text splitter');
      assert.ok(afterwards.some((c) => c.symbol === 'class Greeter > method greet'), 'the next file is parsed by a new worker');
      assert.equal(chunker.workersStarted, 3, 'one worker, one for the second try, one for the files after');
      assert.deepEqual(problems, [`${crashing.path}: parsed as plain text: the parse worker exited with code 1`]);
    } finally {
      delete process.env.CCC_TEST_PARSE_CRASH_PATH;
      await chunker.close();
    }
  });

  it('retries a worker that cannot start, then fails the call with the reason instead of cutting files as text', async () => {
    // What a daemon started from a folder that was later deleted met: every new worker died with ENOENT uv_cwd.
    const home = process.cwd();
    const gone = mkdtempSync(join(tmpdir(), 'ccc-gone-'));
    const warnings: string[] = [];
    const log = { ...silentLogger, warn: (message: string) => warnings.push(message) };
    const chunker = new Chunker({ distDir, log, startRetryMs: 2000 });
    const problems: string[] = [];
    try {
      process.chdir(gone);
      rmSync(gone, { recursive: true });
      await assert.rejects(chunker.chunk(files, (path) => problems.push(path)), /the parse worker could not start: .*uv_cwd/);
      assert.equal(chunker.workersStarted, 3);
      assert.deepEqual(problems, [], 'no file was quietly cut as text');
      assert.equal(warnings.length, 3);
      assert.match(warnings[0], /could not start \(.*uv_cwd.*\), attempt 1 of 3/);
      process.chdir(home);
      await assert.rejects(chunker.chunk(files), /could not start: .*uv_cwd/, 'a call right after fails at once, without three more tries');
      assert.equal(chunker.workersStarted, 3);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const [chunks] = await chunker.chunk(files.slice(0, 1));
      assert.ok(chunks.some((c) => c.symbol === 'class Greeter > method greet'), 'the next call starts a worker again');
    } finally {
      process.chdir(home);
      await chunker.close();
    }
  });

  it('treats a tree-sitter that cannot start (a broken tree-sitter.wasm) as a worker that cannot start', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'ccc-broken-dist-'));
    cpSync(join(distDir, 'parse-worker.js'), join(broken, 'parse-worker.js'));
    cpSync(join(distDir, 'grammars'), join(broken, 'grammars'), { recursive: true });
    writeFileSync(join(broken, 'grammars', 'tree-sitter.wasm'), 'not wasm');
    const chunker = new Chunker({ distDir: broken });
    const problems: string[] = [];
    try {
      await assert.rejects(chunker.chunk(files, (path) => problems.push(path)), /the parse worker could not start: .*CompileError/);
      assert.equal(chunker.workersStarted, 3);
      assert.deepEqual(problems, []);
    } finally {
      await chunker.close();
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('counts a worker that fails before tree-sitter is ready as not started, not as a file that crashed it', async () => {
    process.env.CCC_TEST_PARSE_WORKER_START_FAIL = 'injected start failure';
    const chunker = new Chunker({ distDir });
    try {
      await assert.rejects(chunker.chunk(files), /the parse worker could not start: .*injected start failure/);
      assert.equal(chunker.workersStarted, 3);
    } finally {
      delete process.env.CCC_TEST_PARSE_WORKER_START_FAIL;
      await chunker.close();
    }
  });

  describe('on TypeScript\'s lib/*.d.ts (large real files, more than the worker keeps queued)', () => {
    const lib = resolve(__dirname, '../../node_modules/typescript/lib');
    const dts: SourceFile[] = readdirSync(lib)
      .filter((name) => name.endsWith('.d.ts') && name !== 'lib.dom.d.ts')
      .slice(0, 48)
      .map((name) => ({ path: name, language: 'typescript', text: readFileSync(join(lib, name), 'utf8') }));

    it('gives the same chunks whether one worker parses them all or a new worker every 5 files', { timeout: 120_000 }, async () => {
      const steady = new Chunker({ distDir });
      const recycled = new Chunker({ distDir, recycleAfterFiles: 5 });
      try {
        const expected = await steady.chunk(dts);
        const [first, second] = await Promise.all([recycled.chunk(dts.slice(0, 30)), recycled.chunk(dts.slice(30))]);
        assert.deepEqual([...first, ...second], expected);
        assert.equal(recycled.workersStarted, Math.ceil(dts.length / 5));
        assert.ok(expected.every((chunks) => chunks.length > 0));
      } finally {
        await Promise.all([steady.close(), recycled.close()]);
      }
    });

    it('closes at once mid-parse: the calls not yet answered reject, so shutdown never waits on the worker', { timeout: 30_000 }, async () => {
      const chunker = new Chunker({ distDir, recycleAfterFiles: 5 });
      const running = chunker.chunk(dts).then(() => null, (error: Error) => error);
      const queued = chunker.chunk(dts).then(() => null, (error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const started = performance.now();
      await chunker.close();
      const [runningError, queuedError] = await Promise.all([running, queued]);
      const elapsed = performance.now() - started;
      assert.match(runningError?.message ?? '', /closed/);
      assert.match(queuedError?.message ?? '', /closed/);
      // A bound of seconds, not a timing: that both calls rejected already shows close did not wait for the parse.
      assert.ok(elapsed < 5000, `closing took ${Math.round(elapsed)} ms`);
      await assert.rejects(chunker.chunk(dts.slice(0, 1)), /closed/);
    });
  });
});

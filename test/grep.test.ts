// `ccc grep` end to end: the built CLI and a real daemon on a temporary CCC_HOME, on real files; the streaming of
// matches over a raw protocol connection; the MCP tool through the SDK's client.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ProgressType } from 'vscode-jsonrpc';
import { GrepRequest, type GrepMatch, type GrepProgress } from '../daemon/protocol';
import { connectMcp, connectRaw, makeTempHome, runCli, toolText as textOf, waitFor } from './support';

const files: Record<string, string> = {
  '.gitignore': 'generated/\n',
  'src/api.ts': [
    'export async function save(url: string, body: string) {',
    '  await fetch(url, { method: "POST", body });',
    '  await fetch(url, { method: "GET" });',
    '  return fetch(`${url}/again`, {',
    '    // a comment between the fields',
    '    method: "POST",',
    '  });',
    '}',
    '',
  ].join('\n'),
  'src/jobs.py': ['def run(job):', '    try:', '        job()', '    except TimeoutError: pass', '    except ValueError:', '        raise', ''].join('\n'),
  'lib/more.ts': 'fetch(api, { method: "POST" });\n',
  // Ignored by .gitignore: a walk like the indexer's never sees it.
  'generated/client.ts': 'fetch(hidden, { method: "POST" });\n',
};

const POST = 'fetch($URL, { method: "POST", $$$ })';

describe('ccc grep', () => {
  const home = makeTempHome('ccc-grep-');
  let root = '';
  const cli = (args: string[], cwd = root) => runCli(['grep', ...args], { home: home.dir, cwd, timeoutMs: 120_000 });

  before(() => {
    root = mkdtempSync('/tmp/ccc-grep-proj-');
    mkdirSync(join(root, '.git'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
  });

  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('prints path:line:col and the matched lines, skips ignored files, exits 0', async () => {
    const result = await cli([POST, '-t', 'ts']);
    assert.equal(result.code, 0, result.stderr);
    const locations = result.stdout.split('\n').filter((line) => /^\S+:\d+:\d+$/.test(line)).sort();
    assert.deepEqual(locations, ['lib/more.ts:1:1', 'src/api.ts:2:9', 'src/api.ts:4:10']);
    assert.match(result.stdout, /^src\/api\.ts:4:10\n  return fetch\(`\$\{url\}\/again`, \{\n    \/\/ a comment between the fields\n    method: "POST",\n  \}\);$/m);
    assert.doesNotMatch(result.stdout, /generated|GET/);
    assert.doesNotMatch(result.stdout, /\x1b\[/, 'no colour when stdout is not a terminal');
  });

  test('without -t, every language whose grammar parses the pattern is searched', async () => {
    const result = await cli(['except $E: pass']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'src/jobs.py:4:5\n    except TimeoutError: pass\n');
  });

  test('paths narrow the search and are shown relative to the current folder', async () => {
    const result = await cli([POST, '../lib', '-t', 'typescript'], join(root, 'src'));
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '../lib/more.ts:1:1\nfetch(api, { method: "POST" });\n');
  });

  test('--json prints one object per match with the captures', async () => {
    const result = await cli([POST, '--json', '-t', 'ts', 'src']);
    assert.equal(result.code, 0, result.stderr);
    const matches = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as GrepMatch);
    matches.sort((a, b) => a.startLine - b.startLine);
    assert.deepEqual(matches.map((m) => [m.path, m.startLine, m.startColumn, m.endLine, m.endColumn, m.captures]), [
      ['src/api.ts', 2, 9, 2, 45, { URL: 'url' }],
      ['src/api.ts', 4, 10, 7, 5, { URL: '`${url}/again`' }],
    ]);
    assert.equal(matches[0].language, 'typescript');
  });

  test('-m caps the matches per file', async () => {
    const result = await cli([POST, '-m', '1', '--json', '-t', 'ts']);
    assert.equal(result.code, 0, result.stderr);
    const paths = result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as GrepMatch).path).sort();
    assert.deepEqual(paths, ['lib/more.ts', 'src/api.ts']);
  });

  test('exits 1 when nothing matches', async () => {
    const result = await cli(['fetch($URL, { method: "DELETE" })', '-t', 'ts']);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.stdout, '');
  });

  test('exits 2 with the place a pattern stops parsing', async () => {
    const result = await cli(['fetch($URL, {', '-t', 'ts']);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'ccc: the pattern does not parse as typescript at 1:14:\n  fetch($URL, {\n               ^\n');
  });

  test('exits 2 for a language ccc does not parse, a bad -m or a path outside the project', async () => {
    const language = await cli(['f($A)', '-t', 'cobol']);
    assert.equal(language.code, 2);
    assert.match(language.stderr, /cannot parse language "cobol"; use one of: typescript, /);
    assert.equal((await cli(['f($A)', '-m', '0'])).code, 2);
    const outside = await cli(['f($A)', 'src', '/tmp']);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /outside the project/);
  });
});

describe('ccc/grep streaming', () => {
  const home = makeTempHome('ccc-grep-stream-');
  let root = '';

  before(async () => {
    root = mkdtempSync('/tmp/ccc-grep-big-');
    mkdirSync(join(root, '.git'));
    for (let dir = 0; dir < 30; dir++) {
      mkdirSync(join(root, `pkg${dir}`));
      for (let file = 0; file < 40; file++) {
        const body = Array.from({ length: 20 }, (_, i) => `export function f${i}(x: number) {\n  return log.debug("step", x + ${i});\n}\n`).join('');
        writeFileSync(join(root, `pkg${dir}`, `m${file}.ts`), body);
      }
    }
    assert.equal((await runCli(['daemon', 'start'], { home: home.dir })).code, 0);
  });

  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('matches arrive as progress before the response, in batches, and add up to the count', async () => {
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const token = 'grep-stream';
      const events: string[] = [];
      let streamed = 0;
      raw.connection.onProgress(new ProgressType<GrepProgress>(), token, ({ matches }) => {
        events.push('progress');
        streamed += matches.length;
      });
      const result = await raw.connection.sendRequest(GrepRequest, { root, pattern: 'log.debug($MSG, $X)', language: 'ts', workDoneToken: token });
      events.push('response');
      assert.equal(result.matches, 1200 * 20);
      assert.equal(result.filesMatched, 1200);
      assert.equal(streamed, result.matches);
      assert.equal(events[0], 'progress');
      assert.equal(events.at(-1), 'response');
      assert.ok(events.length > 10, `matches came in ${events.length - 1} notifications`);
    } finally {
      raw.close();
    }
  });

  test('the walk says when it has listed every file, after the last match batch at the latest', async () => {
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const token = 'grep-walked';
      const walked: number[] = [];
      raw.connection.onProgress(new ProgressType<GrepProgress>(), token, (progress) => {
        if (progress.walked !== undefined) walked.push(progress.walked);
      });
      await raw.connection.sendRequest(GrepRequest, { root, pattern: 'log.debug($MSG, $X)', language: 'ts', workDoneToken: token });
      assert.deepEqual(walked, [1200]);
    } finally {
      raw.close();
    }
  });

  test('a client that leaves mid-search stops it', async () => {
    const raw = await connectRaw(home.dir, { client: 'cli' });
    const token = 'grep-leave';
    const firstBatch = new Promise<void>((resolve) => raw.connection.onProgress(new ProgressType<GrepProgress>(), token, () => resolve()));
    raw.connection.sendRequest(GrepRequest, { root, pattern: 'log.debug($MSG, $X)', language: 'ts', workDoneToken: token }).catch(() => {});
    await firstBatch;
    raw.close();
    const log = join(home.dir, 'daemon.log');
    await waitFor(() => /ccc grep stopped after \d+ files/.test(readFileSync(log, 'utf8')), 60_000, 'the grep to stop');
    const searched = Number(/ccc grep stopped after (\d+) files/.exec(readFileSync(log, 'utf8'))![1]);
    assert.ok(searched < 1200, `searched ${searched} files`);
  });
});

describe('ccc mcp grep', () => {
  const home = makeTempHome('ccc-grep-mcp-');
  let root = '';
  let client: Client;

  before(async () => {
    root = mkdtempSync('/tmp/ccc-grep-mcp-proj-');
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'src', 'main.go'), 'package main\n\nfunc run() error {\n\terr := step()\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn nil\n}\n');
    ({ client } = await connectMcp(home.dir, root));
  });

  after(async () => {
    await client?.close();
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });


  test('returns the matches with their captures', async () => {
    const result = await client.callTool({ name: 'grep', arguments: { pattern: 'if $E != nil { return $E }', language: 'go' } }, undefined, { timeout: 120_000 });
    assert.notEqual(result.isError, true, textOf(result));
    assert.equal(textOf(result), '1 match(es) in 1 of 1 files:\n\nsrc/main.go:5:2\n\tif err != nil {\n\t\treturn err\n\t}\n  $E = err');
  });

  test('a pattern that does not parse is a tool error that shows where', async () => {
    const result = await client.callTool({ name: 'grep', arguments: { pattern: 'if $E != nil {', language: 'go' } });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /does not parse as go at 1:\d+:\n {2}if \$E != nil \{\n {2}\s*\^/);
  });
});

describe('ccc grep on a walk that takes long', () => {
  // Each folder's listing is slowed (a test hook in the walker), and the folders nest, so the walk takes over 8 s while
  // the first folder's files can be matched at once: their matches must arrive before the walk has ended.
  const home = makeTempHome('ccc-grep-slow-');
  const root = mkdtempSync(join(tmpdir(), 'ccc-grep-slow-'));
  let daemonEnv: Record<string, string>;

  before(async () => {
    mkdirSync(join(root, '.git'));
    let folder = root;
    for (let depth = 0; depth < 8; depth++) {
      writeFileSync(join(folder, `m${depth}.ts`), `export function f${depth}(x: number) {\n  return log.debug("step", x);\n}\n`);
      folder = join(folder, `d${depth}`);
      mkdirSync(folder);
    }
    daemonEnv = { CCC_TEST_WALK_DIR_DELAY_MS: '1000' };
    assert.equal((await runCli(['daemon', 'start'], { home: home.dir, env: daemonEnv })).code, 0);
  });

  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('matches stream while the walk still runs', async () => {
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const token = 'grep-slow';
      const events: string[] = [];
      raw.connection.onProgress(new ProgressType<GrepProgress>(), token, (progress) => {
        if (progress.matches.length > 0) events.push('matches');
        if (progress.walked !== undefined) events.push('walked');
      });
      const result = await raw.connection.sendRequest(GrepRequest, { root, pattern: 'log.debug($MSG, $X)', language: 'ts', workDoneToken: token });
      assert.equal(result.matches, 8);
      assert.equal(events[0], 'matches', `the first match came before the walk ended: ${events.join(', ')}`);
      assert.ok(events.includes('walked'), 'the walk said it ended');
    } finally {
      raw.close();
    }
  });
});

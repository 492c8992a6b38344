// `ccc search` / `ccc similar` end to end: the real daemon, model and grammars on a small project written here.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IndexRequest, SearchRequest, type SearchHit, type SearchResult } from '../daemon/protocol';
import { copySources } from './bench/source-corpus';
import { cliJson, connectRaw, makeTempHome, runCli } from './support';

const FILES: Record<string, string> = {
  'src/config/config.ts': `export function parseConfigFile(text: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of text.split('\\n')) {
    const [key, value] = line.split('=');
    if (key && value) settings[key.trim()] = value.trim();
  }
  return settings;
}
`,
  'src/text/uniq.py': `def uniq(items):
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result
`,
  'src/text/slug.py': `import re


def slugify(title):
    lowered = title.lower()
    return re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")
`,
  'src/net/fetch.go': `package net

import (
	"io"
	"net/http"
	"time"
)

func fetchWithRetry(url string, attempts int) ([]byte, error) {
	var lastErr error
	for i := 0; i < attempts; i++ {
		resp, err := http.Get(url)
		if err == nil {
			defer resp.Body.Close()
			return io.ReadAll(resp.Body)
		}
		lastErr = err
		time.Sleep(time.Duration(i+1) * time.Second)
	}
	return nil, lastErr
}
`,
  'src/net/socket.ts': `export class ReconnectingSocket {
  private attempts = 0;

  constructor(private readonly url: string) {}

  connect(): WebSocket {
    const socket = new WebSocket(this.url);
    socket.onclose = () => this.scheduleReconnect();
    return socket;
  }

  private scheduleReconnect(): void {
    this.attempts += 1;
    setTimeout(() => this.connect(), Math.min(30000, 1000 * 2 ** this.attempts));
  }
}
`,
  'src/math/stats.py': `def mean(values):
    return sum(values) / len(values)


def variance(values):
    m = mean(values)
    return sum((v - m) ** 2 for v in values) / len(values)
`,
  'src/math/matrix.ts': `export function multiplyMatrices(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((sum, x, k) => sum + x * b[k][j], 0)));
}

export function transpose(m: number[][]): number[][] {
  return m[0].map((_, j) => m.map((row) => row[j]));
}
`,
  'lib/cache.go': `package lib

type LRUCache struct {
	capacity int
	order    []string
	values   map[string]string
}

func (c *LRUCache) Get(key string) (string, bool) {
	v, ok := c.values[key]
	return v, ok
}
`,
};

function writeProject(files: Record<string, string>): string {
  const root = mkdtempSync('/tmp/ccc-search-proj-');
  mkdirSync(join(root, '.git'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const key = (hit: SearchHit) => `${hit.path}:${hit.startLine}`;

describe('ccc search', () => {
  const home = makeTempHome('ccc-st-');
  let root = '';
  const search = (args: string[], cwd = root) => cliJson<SearchResult>(['search', ...args, '--json'], { home: home.dir, cwd });

  before(async () => {
    root = writeProject(FILES);
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('the first search of a never-indexed project indexes it and says so', async () => {
    const result = await runCli(['search', 'parseConfigFile', '--json'], { home: home.dir, cwd: root });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).indexedFirst, true);
    assert.match(result.stderr, /indexed it first/);
  });

  test('an exact identifier finds its definition first in keyword and hybrid', async () => {
    for (const mode of ['keyword', 'hybrid']) {
      const result = await search(['parseConfigFile', '--mode', mode]);
      assert.equal(result.mode, mode);
      assert.equal(result.results[0]?.path, 'src/config/config.ts', `${mode}: ${JSON.stringify(result.results.map(key))}`);
      assert.match(result.results[0].symbol, /parseConfigFile/);
    }
  });

  test('a paraphrase finds a function that shares no word with it, in semantic and hybrid', async () => {
    for (const mode of ['semantic', 'hybrid']) {
      const result = await search(['remove duplicate entries from a list', '--mode', mode, '--limit', '3']);
      assert.ok(
        result.results.some((hit) => hit.path === 'src/text/uniq.py'),
        `${mode} top 3: ${JSON.stringify(result.results.map(key))}`,
      );
    }
  });

  test('language and path filters return only matching chunks', async () => {
    const python = await search(['values', '--lang', 'python', '--limit', '20']);
    assert.ok(python.results.length > 0);
    for (const hit of python.results) assert.equal(hit.language, 'python');
    const net = await search(['retry connection', '--path', 'src/net/**', '--limit', '20']);
    assert.ok(net.results.length > 0);
    for (const hit of net.results) assert.match(hit.path, /^src\/net\//);
  });

  test('from a subfolder it searches that subfolder, unless --path says otherwise', async () => {
    const here = await search(['function', '--limit', '20'], join(root, 'src', 'math'));
    assert.ok(here.results.length > 0);
    for (const hit of here.results) assert.match(hit.path, /^src\/math\//);
    const elsewhere = await search(['cache', '--path', 'lib/**'], join(root, 'src', 'math'));
    assert.equal(elsewhere.results[0]?.path, 'lib/cache.go');
  });

  test('offset pages do not overlap', async () => {
    // Words many chunks hold: "function values" now has only 3 hits above the no-match floor (most chunks hold only "function").
    const first = await search(['values items text', '--limit', '3', '--offset', '0']);
    const second = await search(['values items text', '--limit', '3', '--offset', '3']);
    assert.equal(first.results.length, 3);
    assert.ok(second.results.length > 0);
    const seen = new Set(first.results.map(key));
    for (const hit of second.results) assert.ok(!seen.has(key(hit)), `${key(hit)} on both pages`);
  });

  test('--json prints exactly what the daemon answers over a raw connection', async () => {
    const cli = await search(['reconnect the socket', '--limit', '5']);
    const raw = await connectRaw(home.dir, { client: 'cli' });
    try {
      const direct = await raw.connection.sendRequest(SearchRequest, { root, query: 'reconnect the socket', mode: 'hybrid', limit: 5, offset: 0 });
      assert.equal(cli.query, direct.query);
      assert.equal(cli.mode, direct.mode);
      assert.equal(typeof cli.tookMs, 'number');
      assert.deepEqual(cli.results, direct.results);
      assert.equal('indexedFirst' in cli, false, 'indexedFirst is printed only when true');
    } finally {
      raw.close();
    }
  });

  test('text output: a header per hit, numbered lines, no colour when not a terminal', async () => {
    const result = await runCli(['search', 'multiplyMatrices', '--limit', '1'], { home: home.dir, cwd: root });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0], /^src\/math\/matrix\.ts:1-\d+  typescript  .*multiplyMatrices.*  \d\.\d{3}$/);
    assert.match(lines[1], /^1: export function multiplyMatrices/, 'the matching line, numbered like rg');
    assert.doesNotMatch(result.stdout, /\x1b\[/);
  });

  test('--refresh brings the index up to date before searching', async () => {
    writeFileSync(join(root, 'src', 'fresh.ts'), 'export function zanzibarQuokka(): number {\n  return 42;\n}\n');
    const result = await search(['zanzibarQuokka', '--refresh', '--mode', 'keyword']);
    assert.equal(result.results[0]?.path, 'src/fresh.ts');
  });

  test('usage errors exit 2 and say what is allowed', async () => {
    const mode = await runCli(['search', 'x', '--mode', 'fuzzy'], { home: home.dir, cwd: root });
    assert.equal(mode.code, 2);
    assert.match(mode.stderr, /hybrid, semantic, keyword/);
    for (const limit of ['0', '101', '2.5', 'ten']) {
      const bad = await runCli(['search', 'x', '--limit', limit], { home: home.dir, cwd: root });
      assert.equal(bad.code, 2, `--limit ${limit}`);
      assert.match(bad.stderr, /limit must be a whole number from 1 to 100/);
    }
    const empty = await runCli(['search', ' '], { home: home.dir, cwd: root });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /query is empty/);
    const similar = await runCli(['similar', 'src/text/uniq.py'], { home: home.dir, cwd: root });
    assert.equal(similar.code, 2);
    assert.match(similar.stderr, /FILE:START\[-END\]/);
  });

  test('ccc similar finds code like a range of lines, path relative to the current folder', async () => {
    const result = await cliJson<SearchResult>(['similar', 'stats.py:1-2', '--json', '--limit', '5'], {
      home: home.dir,
      cwd: join(root, 'src', 'math'),
    });
    assert.ok(result.results.length > 0);
    assert.ok(result.results.some((hit) => hit.path.startsWith('src/math/') || hit.language === 'python'));
  });
});

describe('a search during an index pass', () => {
  const home = makeTempHome('ccc-si-');
  let root = '';
  before(() => {
    root = writeProject(FILES);
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('is answered before the pass ends', async () => {
    const first = await runCli(['search', 'parseConfigFile', '--json'], { home: home.dir, cwd: root });
    assert.equal(first.code, 0, first.stderr);
    // Enough files that the pass outlasts the half second before the search and the search itself.
    copySources(root, 400);
    const indexer = await connectRaw(home.dir, { client: 'cli' });
    const searcher = await connectRaw(home.dir, { client: 'cli' });
    try {
      let indexEnded = false;
      const pass = indexer.connection.sendRequest(IndexRequest, { root }).then((result) => {
        indexEnded = true;
        return result;
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const result = await searcher.connection.sendRequest(SearchRequest, { root, query: 'parseConfigFile', limit: 5 });
      assert.equal(indexEnded, false, 'the search waited for the whole index pass');
      assert.equal(result.indexing, true);
      assert.equal(result.results[0]?.path, 'src/config/config.ts', 'what was indexed before the pass stays searchable');
      const finished = await pass;
      assert.ok(finished.counts.added + finished.counts.unchanged >= 400, JSON.stringify(finished.counts));
    } finally {
      indexer.close();
      searcher.close();
    }
  });
});

// `ccc mcp` end to end: the SDK's own MCP client spawns `node dist/ccc.js mcp` inside a project and calls its tools.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { connectMcp, makeTempHome, toolText as textOf } from './support';

describe('ccc mcp', () => {
  const home = makeTempHome('ccc-mcp-');
  let root = '';
  let client: Client;
  let stderr = () => '';

  before(async () => {
    root = mkdtempSync('/tmp/ccc-mcp-proj-');
    mkdirSync(join(root, '.git'));
    mkdirSync(join(root, 'src'));
    writeFileSync(
      join(root, 'src', 'orders.ts'),
      `export function computeOrderTotal(prices: number[], taxRate: number): number {
  const subtotal = prices.reduce((sum, price) => sum + price, 0);
  return subtotal * (1 + taxRate);
}
`,
    );
    writeFileSync(join(root, 'src', 'greet.py'), 'def greet(name):\n    return f"hello {name}"\n');
    ({ client, stderr } = await connectMcp(home.dir, join(root, 'src')));
  });

  after(async () => {
    await client?.close();
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('lists its tools with descriptions that say when to use them', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['doctor', 'grep', 'index_status', 'reindex', 'search']);
    const search = tools.find((tool) => tool.name === 'search')!;
    assert.match(search.description ?? '', /grep/);
    assert.deepEqual((search.inputSchema.required as string[]) ?? [], ['query']);
  });

  test('search answers with path:lines, symbol and code', async () => {
    const result = await client.callTool({ name: 'search', arguments: { query: 'computeOrderTotal', limit: 3 } }, undefined, { timeout: 120_000 });
    assert.notEqual(result.isError, true, textOf(result));
    const text = textOf(result);
    assert.match(text, /\[1\] src\/orders\.ts:1-4 .*computeOrderTotal/);
    assert.match(text, /subtotal \* \(1 \+ taxRate\)/);
  });

  test('filters reach the daemon', async () => {
    const result = await client.callTool({ name: 'search', arguments: { query: 'greet hello name', languages: ['python'] } });
    const text = textOf(result);
    assert.match(text, /src\/greet\.py/);
    assert.doesNotMatch(text, /orders\.ts/);
  });

  test('negated globs, language short names and the no-match floor reach the agent', async () => {
    const excluded = textOf(await client.callTool({ name: 'search', arguments: { query: 'greet hello name order total', paths: ['!src/greet.py'] } }));
    assert.match(excluded, /src\/orders\.ts/);
    assert.doesNotMatch(excluded, /greet\.py/);
    const short = textOf(await client.callTool({ name: 'search', arguments: { query: 'greet hello name order total', languages: ['py'] } }));
    assert.match(short, /src\/greet\.py/);
    assert.doesNotMatch(short, /orders\.ts/);
    const nonsense = textOf(await client.callTool({ name: 'search', arguments: { query: 'qqqzzzxxyy', mode: 'semantic' } }));
    assert.match(nonsense, /^No good match for "qqqzzzxxyy"/);
    const files = textOf(await client.callTool({ name: 'search', arguments: { query: 'computeOrderTotal', files: true } }));
    assert.match(files, /^\[1\] src\/orders\.ts:\d+ /m);
  });

  test('index_status reports the project', async () => {
    const text = textOf(await client.callTool({ name: 'index_status', arguments: {} }));
    assert.match(text, new RegExp(`Project ${root}: ready`));
    assert.match(text, /2 files/);
  });

  test('doctor reports every check with what to do', async () => {
    const text = textOf(await client.callTool({ name: 'doctor', arguments: {} }, undefined, { timeout: 120_000 }));
    assert.match(text, /^No errors\./);
    for (const name of ['home', 'settings', 'daemon', 'model', 'walk', 'index', 'watch', 'log']) assert.match(text, new RegExp(`^(ok|warning) ${name}: `, 'm'));
    assert.match(text, /^ok index: 2 files/m);
  });

  test('reindex runs a pass and reports counts', async () => {
    const result = await client.callTool({ name: 'reindex', arguments: {} }, undefined, { timeout: 120_000 });
    assert.notEqual(result.isError, true, textOf(result));
    assert.match(textOf(result), /chunks from 2 files/);
  });

  test('a bad call comes back as a tool error, and the server keeps serving', async () => {
    const empty = await client.callTool({ name: 'search', arguments: { query: '  ' } });
    assert.equal(empty.isError, true);
    assert.match(textOf(empty), /query must not be empty/);
    const badMode = await client.callTool({ name: 'search', arguments: { query: 'x', mode: 'fuzzy' } });
    assert.equal(badMode.isError, true);
    const again = await client.callTool({ name: 'search', arguments: { query: 'greet' } });
    assert.notEqual(again.isError, true, `${textOf(again)}\nstderr: ${stderr()}`);
  });
});

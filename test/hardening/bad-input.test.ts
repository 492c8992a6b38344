// The bad-input catalogue: files, trees, settings, requests and clients that misbehave. Each case must end in a clear
// one-line error or a skip with a reason, and the daemon must keep serving what it had indexed before.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProgressType, ResponseError } from 'vscode-jsonrpc';
import { homePaths } from '../../daemon/paths';
import { ErrorCodes, IndexRequest, SearchRequest, StatusRequest, type IndexProgress, type IndexResult } from '../../daemon/protocol';
import { CCC_JS, connectRaw, waitFor } from '../support';
import {
  assertFindable, FULL, index, marker, request, rssOf, Scratch, search, sized, sleep, sourceFile, startDaemon, writeFile, writeProject,
} from './support';

const scratch = new Scratch('ccc-hb-');
const home = scratch.home();
function freshRoot(): string {
  const root = scratch.dir('proj');
  mkdirSync(join(root, '.git'));
  return root;
}
let root = '';
let daemonPid = 0;
const BASELINE = 30;

before(async () => {
  root = freshRoot();
  writeProject(root, BASELINE);
  // Large enough that the 10 MB minified file is read (and refused for what it is), small enough for the 50 MB one.
  writeFile(root, '.ccc/settings.yml', 'maxFileSize: 20MB\n');
  daemonPid = await startDaemon(home);
  await index(home, root);
});
after(() => scratch.cleanup());

/** The daemon is the same process and still answers with content indexed before the bad input. */
async function stillServing(): Promise<void> {
  const status = await request(home, (session) => session.connection.sendRequest(StatusRequest, { root }));
  assert.ok(status.chunks > 0);
  await assertFindable(home, root, 3);
  const { handshake } = await request(home, async (session) => session);
  assert.equal(handshake.pid, daemonPid, 'the daemon did not restart');
}

function problemFor(result: IndexResult, path: string): string | undefined {
  return result.problems.find((problem) => problem.path === path)?.reason;
}

function rejectsWith(code: number, pattern: RegExp) {
  return (error: ResponseError<unknown>) => {
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return true;
  };
}

const tried: string[] = [];
after(() => console.log(`bad input: ${tried.length} inputs tried: ${tried.join('; ')}`));

describe('bad files', () => {
  test('binary, huge, minified, invalid UTF-8, UTF-16 with BOM, CRLF, a FIFO: skipped with a reason or indexed right', async () => {
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    writeFile(root, 'bad/binary.ts', bytes);
    writeFileSync(join(root, 'bad/huge.py'), Buffer.alloc(50 * 1024 * 1024, 'x = 1\n'));
    writeFile(root, 'bad/bundle.js', `var a=${'function(){return 1},'.repeat(10 * 1024 * 1024 / 21)}0;`);
    writeFile(root, 'bad/latin1.py', Buffer.from('def caf\xe9():\n    return "\xe9t\xe9"\n', 'latin1'));
    const utf16 = `export function ${marker(9001)}Wide(): string {\n  return 'wide';\n}\n`;
    writeFile(root, 'bad/utf16.ts', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf16, 'utf16le')]));
    const crlf = ['# header', '', '', '', `def ${marker(9002)}_crlf(values):`, '    return sorted(values)', ''].join('\r\n');
    writeFile(root, 'bad/crlf.py', crlf);
    execFileSync('mkfifo', [join(root, 'bad/pipe.ts')]);
    const result = await index(home, root);
    assert.equal(problemFor(result, 'bad/binary.ts'), 'binary file');
    assert.match(problemFor(result, 'bad/huge.py') ?? '', /larger than maxFileSize \(20 MB\)/);
    assert.equal(problemFor(result, 'bad/bundle.js'), 'minified or generated');
    assert.equal(problemFor(result, 'bad/latin1.py'), 'not UTF-8');
    assert.equal(result.counts.errors, 0);
    const wide = await search(home, { root, query: `${marker(9001)}Wide`, mode: 'keyword' });
    const wideHit = wide.results.find((hit) => hit.path === 'bad/utf16.ts');
    assert.ok(wideHit, 'UTF-16 text is decoded and indexed');
    assert.match(wideHit.content, /return 'wide'/);
    const crlfHit = (await search(home, { root, query: `${marker(9002)}_crlf`, mode: 'keyword' })).results.find((hit) => hit.path === 'bad/crlf.py');
    assert.ok(crlfHit, 'the CRLF file is indexed');
    assert.ok(crlfHit.startLine <= 5 && crlfHit.endLine >= 6 && crlfHit.endLine <= 7, `CRLF line numbers: ${crlfHit.startLine}-${crlfHit.endLine}`);
    assert.doesNotMatch(crlfHit.content, /\r/, 'no carriage returns in chunk text');
    tried.push('binary .ts', '50 MB file', '10 MB one-line minified', 'invalid UTF-8', 'UTF-16 BOM', 'CRLF', 'FIFO named .ts');
    rmSync(join(root, 'bad'), { recursive: true, force: true });
    await stillServing();
  });

  test('files deleted and changed between walk and read: the pass ends without errors', async () => {
    const churn = join(root, 'churn');
    mkdirSync(churn);
    let stop = false;
    const churner = (async () => {
      for (let round = 0; !stop; round++) {
        for (let i = 0; i < 50; i++) {
          const file = join(churn, `f${i}.py`);
          if ((i + round) % 2 === 0) writeFileSync(file, `def churn_${round}_${i}():\n    return ${round}\n`);
          else rmSync(file, { force: true });
        }
        await sleep(2);
      }
    })();
    try {
      for (let pass = 0; pass < 3; pass++) {
        const result = await index(home, root);
        assert.equal(result.counts.errors, 0, JSON.stringify(result.problems));
      }
    } finally {
      stop = true;
      await churner;
    }
    rmSync(churn, { recursive: true, force: true });
    tried.push('files deleted/changed between walk and read');
    await stillServing();
  });

  test('symlink loops and links leaving the root are reported, never followed', async () => {
    const outside = scratch.dir('outside');
    writeFileSync(join(outside, 'secret.py'), `def ${marker(9003)}_outside():\n    return 1\n`);
    mkdirSync(join(root, 'links/a'), { recursive: true });
    symlinkSync('.', join(root, 'links/self'));
    symlinkSync('../a', join(root, 'links/a/up'));
    symlinkSync('loop2', join(root, 'links/loop1'));
    symlinkSync('loop1', join(root, 'links/loop2'));
    symlinkSync(outside, join(root, 'links/outdir'));
    symlinkSync(join(outside, 'secret.py'), join(root, 'links/secret.py'));
    const result = await index(home, root);
    assert.equal(problemFor(result, 'links/secret.py'), 'symlink leads outside the project');
    assert.equal(problemFor(result, 'links/outdir'), 'symlink leads outside the project');
    assert.match(problemFor(result, 'links/loop1') ?? '', /symlink loop/);
    const leaked = await search(home, { root, query: `${marker(9003)}_outside`, mode: 'keyword', limit: 100, maxPerFile: 0 });
    assert.ok(!leaked.results.some((hit) => hit.content.includes(marker(9003))), 'nothing outside the root is indexed');
    rmSync(join(root, 'links'), { recursive: true, force: true });
    tried.push('symlink loops', 'links leaving the root');
    await stillServing();
  });

  test('paths with spaces, unicode and newlines in their names are indexed under their exact names', async () => {
    const names = ['odd names/with space.py', 'odd names/ünïcødé 文件.py', 'odd names/new\nline.py'];
    names.forEach((name, i) => writeFile(root, name, `def ${marker(9100 + i)}_odd():\n    return ${i}\n`));
    const result = await index(home, root);
    assert.equal(result.counts.errors, 0);
    for (const [i, name] of names.entries()) {
      const hits = (await search(home, { root, query: `${marker(9100 + i)}_odd`, mode: 'keyword' })).results;
      assert.ok(hits.some((hit) => hit.path === name), `${JSON.stringify(name)} is found under its name`);
    }
    rmSync(join(root, 'odd names'), { recursive: true, force: true });
    tried.push('space/unicode/newline names');
    await stillServing();
  });

  test('a permission-denied file and folder are skipped with a reason (daemon run as nobody)', async (t) => {
    // Root reads everything whatever the modes say, so this case runs its own daemon as `nobody`.
    const nobodyHome = scratch.dir('nobody');
    const project = scratch.dir('perm');
    writeProject(project, 4);
    writeFile(project, 'locked/inside.py', 'def locked():\n    return 0\n');
    writeFile(project, 'secret.py', 'def hidden():\n    return 0\n');
    execFileSync('chown', ['-R', 'nobody:nogroup', nobodyHome, project]);
    chmodSync(nobodyHome, 0o700);
    chmodSync(join(project, 'locked'), 0o000);
    chmodSync(join(project, 'secret.py'), 0o000);
    let result: { code: number | null; stdout: string; stderr: string };
    try {
      result = await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CCC_JS, 'index', project, '--json'], {
          uid: 65534,
          gid: 65534,
          cwd: project,
          env: { ...process.env, CCC_HOME: nobodyHome, HOME: nobodyHome },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (data) => (stdout += data));
        child.stderr.on('data', (data) => (stderr += data));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    } finally {
      try {
        const pid = Number(execFileSync('cat', [homePaths(nobodyHome).pid]).toString());
        process.kill(pid, 'SIGTERM');
      } catch {
        // No daemon started.
      }
    }
    if (result.code !== 0 && /EACCES/.test(result.stderr)) {
      t.skip(`nobody cannot run the built ccc here: ${result.stderr.split('\n')[0]}`);
      return;
    }
    assert.equal(result.code, 0, result.stderr);
    const indexed = JSON.parse(result.stdout) as IndexResult;
    assert.equal(problemFor(indexed, 'secret.py'), 'permission denied');
    assert.equal(problemFor(indexed, 'locked'), 'permission denied');
    assert.equal(indexed.counts.added, 4);
    tried.push('permission-denied file and folder (as nobody)');
  });
});

describe('bad trees', () => {
  test(`${sized(20_000, 100_000)} tiny files and a 200-level deep tree are indexed`, async () => {
    const big = freshRoot();
    const count = sized(20_000, 100_000);
    for (let i = 0; i < count; i++) {
      const dir = join(big, `d${i % 100}`, `e${Math.floor(i / 100) % 100}`);
      if (i < 10_000) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `t${i}.py`), `v${i % 50} = ${i % 50}\n`);
    }
    const deep = Array.from({ length: 200 }, (_, i) => `n${i % 10}`).join('/');
    writeFile(big, `${deep}/deep.py`, `def ${marker(9200)}_deep():\n    return 200\n`);
    const started = Date.now();
    const result = await index(home, big);
    const tookMs = Date.now() - started;
    assert.equal(result.counts.files, count + 1);
    assert.equal(result.counts.errors, 0);
    const hits = (await search(home, { root: big, query: `${marker(9200)}_deep`, mode: 'keyword' })).results;
    assert.ok(hits.some((hit) => hit.path === `${deep}/deep.py`), 'the deepest file is found');
    const afterIndex = rssOf(daemonPid);
    const started2 = Date.now();
    for (let i = 0; i < sized(100, 1000); i++) await search(home, { root: big, query: `v${i % 50} value ${i}` });
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    console.log(
      `tiny files: ${count} + 1 deep indexed in ${tookMs} ms, ${result.chunks} chunks; daemon RSS ${mb(afterIndex)}, ` +
        `after ${sized(100, 1000)} searches (${Date.now() - started2} ms) ${mb(rssOf(daemonPid))}`,
    );
    tried.push(`${count} tiny files`, '200-level tree');
    await stillServing();
  });
});

describe('bad settings', () => {
  test('a malformed settings.yml and one with unknown keys: one line naming the file; fixed, the project indexes again', async () => {
    const settings = join(root, '.ccc/settings.yml');
    for (const [text, pattern] of [
      ['include: [unclosed\n  exclude: :\n', /settings\.yml/],
      ['maxFileSize: 20MB\nexlcude: ["*.py"]\n', /unknown key "exlcude"/],
      ['maxFileSize: lots\n', /maxFileSize/],
    ] as const) {
      writeFileSync(settings, text);
      await assert.rejects(index(home, root), rejectsWith(ErrorCodes.InvalidSettings, pattern));
      await assertFindable(home, root, 3);
    }
    writeFileSync(settings, 'maxFileSize: 20MB\n');
    await index(home, root);
    tried.push('malformed settings.yml', 'unknown settings key', 'bad settings value');
    await stillServing();
  });

  test('an include that matches nothing indexes nothing, without an error', async () => {
    const other = freshRoot();
    writeProject(other, 5);
    writeFile(other, '.ccc/settings.yml', 'include: ["*.nothing"]\n');
    const result = await index(home, other);
    assert.equal(result.counts.files, 0);
    assert.equal(result.chunks, 0);
    tried.push('include matching nothing');
    await stillServing();
  });
});

describe('bad requests', () => {
  test('queries, limits, globs and roots out of range: one clear line each', async () => {
    const bad: [object, number, RegExp][] = [
      [{ query: '' }, ErrorCodes.InvalidParams, /query is empty/],
      [{ query: '   ' }, ErrorCodes.InvalidParams, /query is empty/],
      [{ query: 'sum', limit: 0 }, ErrorCodes.InvalidParams, /limit must be/],
      [{ query: 'sum', limit: -5 }, ErrorCodes.InvalidParams, /limit must be/],
      [{ query: 'sum', limit: 1e9 }, ErrorCodes.InvalidParams, /limit must be/],
      [{ query: 'sum', limit: 'ten' }, ErrorCodes.InvalidParams, /limit must be/],
      [{ query: 'sum', offset: -1 }, ErrorCodes.InvalidParams, /offset/],
      [{ query: 'sum', mode: 'fuzzy' }, ErrorCodes.InvalidParams, /mode must be/],
      [{ query: 'sum', paths: ['src/[unclosed'] }, ErrorCodes.InvalidParams, /glob|path/i],
      [{ query: 'sum', paths: 'src/**' }, ErrorCodes.InvalidParams, /paths must be/],
      [{ query: 'sum', languages: [1] }, ErrorCodes.InvalidParams, /languages must be/],
      [{ query: 42 }, ErrorCodes.InvalidParams, /query is empty/],
      [{ query: 'sum', root: join(root, 'missing') }, ErrorCodes.InvalidRoot, /does not exist/],
      [{ query: 'sum', root: join(root, sourceFile(0).path) }, ErrorCodes.InvalidRoot, /is not a directory/],
      [{ query: 'sum', root: 'relative' }, ErrorCodes.InvalidRoot, /absolute/],
    ];
    for (const [params, code, pattern] of bad) {
      await assert.rejects(
        request(home, (session) => session.connection.sendRequest(SearchRequest, { root, ...params } as never)),
        rejectsWith(code, pattern),
      );
    }
    await assert.rejects(
      request(home, (session) => session.connection.sendRequest(IndexRequest, null as never)),
      rejectsWith(ErrorCodes.InvalidRoot, /absolute/),
    );
    // A query over the limit is cut, not refused (issue 10): a 1 MB one is answered with a note.
    const huge = await request(home, (session) => session.connection.sendRequest(SearchRequest, { root, query: 'x'.repeat(1024 * 1024) }));
    assert.match(huge.queryNote ?? '', /^query cut from 1048576 to \d+ bytes/);
    tried.push('1 MB query', 'empty query', 'limit 0/-5/1e9/string', 'bad offset/mode', 'invalid glob', 'non-list filters', 'missing/file/relative root', 'null params');
    await stillServing();
  });

  test('malformed JSON-RPC objects in valid frames get an error reply or a close; the daemon stays up', async () => {
    const frames = [
      '{"jsonrpc":"2.0","id":1,"method":"ccc/search","params":"not an object"}',
      '{"jsonrpc":"2.0","id":2,"method":"ccc/search"}',
      '{"jsonrpc":"2.0","id":{"nested":true},"method":"ccc/status","params":{}}',
      '[1,2,3]',
      '{"jsonrpc":"2.0","method":"$/progress","params":{"token":null}}',
      `{"jsonrpc":"2.0","id":3,"method":"ccc/search","params":{"root":${JSON.stringify(root)},"query":"${'a'.repeat(4 * 1024 * 1024)}"}}`,
    ];
    for (const body of frames) {
      await new Promise<void>((resolve, reject) => {
        const socket = netConnect(homePaths(home).socket);
        const timer = setTimeout(() => {
          socket.destroy();
          resolve();
        }, 1500);
        socket.on('data', () => {
          clearTimeout(timer);
          socket.destroy();
          resolve();
        });
        socket.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.on('error', reject);
        socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
    }
    tried.push('malformed JSON-RPC objects', '4 MB frame');
    await stillServing();
  });
});

describe('bad clients', () => {
  test('a client that disconnects mid-index with progress cancels nothing: the pass completes', async () => {
    const other = freshRoot();
    writeProject(other, sized(400, 2000));
    const raw = await connectRaw(home, { client: 'cli' });
    let progressSeen = false;
    raw.connection.onProgress(new ProgressType<IndexProgress>(), 'tok', () => {
      progressSeen = true;
    });
    raw.connection.sendRequest(IndexRequest, { root: other, workDoneToken: 'tok' }).catch(() => undefined);
    await waitFor(() => progressSeen, 30_000, 'first progress');
    raw.socket.destroy();
    await waitFor(
      async () => (await request(home, (s) => s.connection.sendRequest(StatusRequest, { root: other }))).state === 'ready',
      120_000,
      'the abandoned pass to finish',
    );
    const status = await request(home, (s) => s.connection.sendRequest(StatusRequest, { root: other }));
    assert.equal(status.files, sized(400, 2000));
    await assertFindable(home, other, 7);
    tried.push('disconnect mid-index');
    await stillServing();
  });

  test('a client that never reads its big results does not stall the others', async () => {
    const rssBefore = rssOf(daemonPid);
    const hog = await connectRaw(home, { client: 'cli' });
    hog.socket.pause();
    const body = (id: number) =>
      JSON.stringify({ jsonrpc: '2.0', id: 1000 + id, method: SearchRequest.method, params: { root, query: 'return values input scaled', limit: 100, maxPerFile: 0 } });
    const flood = FULL ? 2000 : 400;
    for (let i = 0; i < flood; i++) hog.socket.write(`Content-Length: ${Buffer.byteLength(body(i))}\r\n\r\n${body(i)}`);
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = Date.now();
      await assertFindable(home, root, i % BASELINE);
      latencies.push(Date.now() - started);
    }
    const rssHeld = rssOf(daemonPid);
    const log = join(home, 'daemon.log');
    await waitFor(() => readFileSync(log, 'utf8').includes('does not read its replies'), 20_000);
    hog.close();
    const worst = Math.max(...latencies);
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    console.log(`non-reading client: ${flood} big searches queued; others' worst search ${worst} ms; daemon RSS ${mb(rssBefore)} → ${mb(rssHeld)}`);
    assert.ok(worst < 5000, `others were served (worst ${worst} ms)`);
    tried.push('client that never reads');
    await stillServing();
  });
});

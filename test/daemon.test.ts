// The daemon's life as users and editors see it: start, race, crash, stale files, versions, stop, idle exit, bad
// input, long homes. Real processes (dist/ccc.js, dist/daemon.js) on temporary CCC_HOMEs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { ExitNotification, ShutdownRequest } from 'vscode-languageserver-protocol';
import { connect, type DaemonSession } from '../daemon/client';
import { homePaths } from '../daemon/paths';
import {
  DaemonStatusRequest,
  DaemonStoppingNotification,
  ErrorCodes,
  IndexRequest,
  type DaemonStatus,
  type DaemonStoppingParams,
} from '../daemon/protocol';
import {
  buildDaemonVariant,
  cliJson,
  connectRaw,
  DAEMON_JS,
  daemonProcesses,
  isAlive,
  makeTempHome,
  readPid,
  runCli,
  waitFor,
  type RawConnection,
  type TempHome,
} from './support';

type StatusJson = { running: false } | ({ running: true } & DaemonStatus);

const homes: TempHome[] = [];
function freshHome(prefix?: string): string {
  const home = makeTempHome(prefix);
  homes.push(home);
  return home.dir;
}
after(async () => {
  await Promise.all(homes.map((home) => home.cleanup()));
});

async function startDaemon(home: string): Promise<number> {
  const result = await runCli(['daemon', 'start'], { home });
  assert.equal(result.code, 0, result.stderr);
  const pid = readPid(home);
  assert.ok(pid, 'daemon.pid written');
  return pid;
}

async function status(home: string): Promise<StatusJson> {
  return cliJson<StatusJson>(['daemon', 'status', '--json'], { home });
}

describe('starting', () => {
  test('status never starts a daemon; the first command that needs one does, and only one', async () => {
    const home = freshHome();
    assert.deepEqual(await status(home), { running: false });
    const human = await runCli(['daemon', 'status'], { home });
    assert.equal(human.code, 0);
    assert.match(human.stdout, /not running/);
    assert.equal(readPid(home), null);

    const pid = await startDaemon(home);
    const running = await status(home);
    assert.ok(running.running);
    assert.equal(running.pid, pid);
    assert.equal(running.version, JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version);
    assert.equal(await startDaemon(home), pid, 'a second command reuses the daemon');
    assert.deepEqual(daemonProcesses(home), [pid]);
  });

  test('10 clients started at the same moment end with exactly one daemon', async () => {
    const home = freshHome();
    const results = await Promise.all(Array.from({ length: 10 }, () => runCli(['daemon', 'start'], { home })));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const pids = new Set(results.map((result) => /pid (\d+)/.exec(result.stdout)?.[1]));
    assert.equal(pids.size, 1, `all clients talk to one daemon: ${[...pids].join(', ')}`);
    const pid = readPid(home);
    assert.ok(pids.has(String(pid)));
    // Daemons that lost the bind exit by themselves.
    await waitFor(() => daemonProcesses(home).length === 1, 10_000, 'losing daemons to exit');
    assert.deepEqual(daemonProcesses(home), [pid]);
  });
});

describe('recovering', () => {
  test('after kill -9 the next command starts a new daemon and reports the crash', async () => {
    const home = freshHome();
    const first = await startDaemon(home);
    process.kill(first, 'SIGKILL');
    await waitFor(() => !isAlive(first), 5000, 'killed daemon to die');
    const result = await runCli(['daemon', 'start'], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, new RegExp(`previous daemon \\(pid ${first}\\) crashed; restarted it`));
    const second = readPid(home);
    assert.ok(second && second !== first && isAlive(second));
  });

  test('stale socket and pid files are cleaned up; a live unrelated process named by the pid file is not killed', async () => {
    const home = freshHome();
    const paths = homePaths(home);
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => dead.on('exit', resolve));
    writeFileSync(paths.socket, '');
    writeFileSync(paths.pid, `${dead.pid}\n`);
    const first = await startDaemon(home);
    assert.notEqual(first, dead.pid);
    assert.ok(statSync(paths.socket).isSocket(), 'the stale file was replaced by a live socket');
    await runCli(['daemon', 'stop'], { home });

    const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(paths.socket, '');
      writeFileSync(paths.pid, `${unrelated.pid}\n`);
      const second = await startDaemon(home);
      assert.notEqual(second, unrelated.pid);
      assert.ok(isAlive(unrelated.pid!), 'the unrelated process still runs');
      assert.ok((await status(home)).running);
    } finally {
      unrelated.kill();
    }
  });
});

describe('crash loop', () => {
  test('a daemon that keeps crashing is restarted at most 3 times in a row, until ccc daemon restart', async () => {
    const home = freshHome();
    // The first start is clean; the next three are restarts after crashes; the fourth crash is one too many.
    for (let crash = 1; crash <= 4; crash++) {
      const pid = await startDaemon(home);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 5000, 'killed daemon to die');
    }
    const refused = await runCli(['daemon', 'start'], { home });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /crashed 3 times in a row.*ccc daemon restart/);
    assert.doesNotMatch(refused.stderr, /\n.+\n/, 'one line');
    const restarted = await runCli(['daemon', 'restart'], { home });
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.ok((await status(home)).running);
  });
});

describe('versions', () => {
  let variants: string;
  let older: string;
  let newer: string;
  before(async () => {
    // Inside the repo so that the bundle's external packages resolve from node_modules.
    mkdirSync(join(__dirname, '..', 'node_modules', '.cache'), { recursive: true });
    variants = mkdtempSync(join(__dirname, '..', 'node_modules', '.cache', 'ccc-variants-'));
    [older, newer] = await Promise.all([buildDaemonVariant('0.0.1', variants), buildDaemonVariant('99.0.0', variants)]);
  });
  after(() => rmSync(variants, { recursive: true, force: true }));

  async function startVariant(home: string, script: string, version: string): Promise<DaemonSession> {
    const session = await connect({ client: 'cli', home, daemonScript: script, version });
    session.close();
    assert.equal(session.daemonVersion, version);
    return session;
  }

  test('a newer client replaces an older daemon', async () => {
    const home = freshHome();
    const old = await startVariant(home, older, '0.0.1');
    const result = await runCli(['daemon', 'start'], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /older/);
    await waitFor(() => !isAlive(old.handshake.pid), 2000, 'the older daemon to exit');
    const now = await status(home);
    assert.ok(now.running);
    assert.equal(now.version, '0.1.0');
    assert.notEqual(now.pid, old.handshake.pid);
  });

  test('an older client leaves a newer daemon alone', async () => {
    const home = freshHome();
    const newest = await startVariant(home, newer, '99.0.0');
    const result = await runCli(['daemon', 'start'], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /99\.0\.0/);
    const now = await status(home);
    assert.ok(now.running);
    assert.equal(now.pid, newest.handshake.pid);
  });

  test('a changed global settings file makes the next client restart the daemon', async () => {
    const home = freshHome();
    const first = await startDaemon(home);
    writeFileSync(join(home, 'settings.yml'), 'daemon:\n  idleTimeoutMinutes: 30\n');
    const result = await runCli(['daemon', 'start'], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /settings changed/);
    const second = readPid(home);
    assert.ok(second && second !== first);
    await waitFor(() => !isAlive(first), 2000, 'the first daemon to exit');
    assert.equal(await startDaemon(home), second, 'unchanged settings: no restart');
  });

  test('a client started from the tests against dist/daemon.js agrees with the CLI', async () => {
    const home = freshHome();
    const session = await connect({ client: 'cli', home, daemonScript: DAEMON_JS });
    try {
      const reply = await session.connection.sendRequest(DaemonStatusRequest);
      assert.equal(reply.pid, session.handshake.pid);
    } finally {
      session.close();
    }
  });
});

/** The daemon's stop announcement on `connection`; rejects if the connection closes without one. */
function stoppingNotice(connection: RawConnection['connection']): Promise<DaemonStoppingParams> {
  return new Promise((resolve, reject) => {
    connection.onNotification(DaemonStoppingNotification, resolve);
    connection.onClose(() => reject(new Error('the connection closed without a stop announcement')));
  });
}

describe('stopping', () => {
  test('daemon stop returns after the pid file is gone; files and modes are right', async () => {
    const home = freshHome();
    const paths = homePaths(home);
    const pid = await startDaemon(home);
    assert.equal(statSync(home).mode & 0o777, 0o700);
    assert.equal(statSync(paths.socket).mode & 0o777, 0o600);
    const started = Date.now();
    const result = await runCli(['daemon', 'stop'], { home });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(paths.pid), false, 'pid file gone when stop returns');
    assert.equal(existsSync(paths.socket), false, 'socket gone');
    assert.equal(JSON.parse(readFileSync(paths.lastExit, 'utf8')).pid, pid);
    await waitFor(() => !isAlive(pid), 2000, 'daemon process to end');
    assert.ok(Date.now() - started < 5000);
    const again = await runCli(['daemon', 'stop'], { home });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /not running/);
  });

  test('a requested stop is announced to every connected client before the daemon exits', async () => {
    const home = freshHome();
    await startDaemon(home);
    const windows = await Promise.all([connectRaw(home, { client: 'vscode' }), connectRaw(home, { client: 'mcp' })]);
    const heard = windows.map((window) => stoppingNotice(window.connection));
    const result = await runCli(['daemon', 'stop'], { home });
    assert.equal(result.code, 0, result.stderr);
    for (const notice of await Promise.all(heard)) {
      assert.equal(notice.requested, true);
      assert.match(notice.reason, /^ccc\/stop from cli#\d+$/);
    }
    for (const window of windows) window.close();
  });

  test('SIGTERM takes the same path as stop', async () => {
    const home = freshHome();
    const pid = await startDaemon(home);
    const window = await connectRaw(home, { client: 'vscode' });
    const heard = stoppingNotice(window.connection);
    process.kill(pid, 'SIGTERM');
    assert.deepEqual(await heard, { reason: 'SIGTERM', requested: true });
    window.close();
    await waitFor(() => readPid(home) === null, 3000, 'pid file to vanish');
    assert.equal(existsSync(homePaths(home).socket), false);
    assert.deepEqual(
      (({ pid: p, reason }) => ({ pid: p, reason }))(JSON.parse(readFileSync(homePaths(home).lastExit, 'utf8'))),
      { pid, reason: 'SIGTERM' },
    );
  });

  test('a window that sends shutdown/exit, or just disconnects, leaves the daemon serving others', async () => {
    const home = freshHome();
    const pid = await startDaemon(home);
    const other = await connectRaw(home, { client: 'vscode' });
    const polite = await connectRaw(home, { client: 'vscode' });
    await polite.connection.sendRequest(ShutdownRequest.type);
    await polite.connection.sendNotification(ExitNotification.type);
    await new Promise((resolve) => polite.socket.once('close', resolve));
    const rude = await connectRaw(home, { client: 'vscode' });
    rude.socket.destroy();
    const answer = await other.connection.sendRequest(DaemonStatusRequest);
    assert.equal(answer.pid, pid);
    other.close();
    const now = await status(home);
    assert.ok(now.running);
    assert.equal(now.pid, pid);
  });

  test('idle exit happens after the timeout, never while a client is connected', async () => {
    const home = freshHome();
    writeFileSync(join(home, 'settings.yml'), 'daemon:\n  idleTimeoutMinutes: 0.02\n');
    const pid = await startDaemon(home);
    const window = await connectRaw(home, { client: 'vscode' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    assert.ok(isAlive(pid), 'still running with a client connected after twice the timeout');
    window.close();
    await waitFor(() => readPid(home) === null, 5000, 'idle exit');
    assert.match(JSON.parse(readFileSync(homePaths(home).lastExit, 'utf8')).reason, /idle/);
  });
});

describe('bad input', () => {
  async function sendBytes(home: string, bytes: string): Promise<'closed' | 'answered'> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(homePaths(home).socket);
      let reply = '';
      socket.on('data', (data) => {
        reply += data.toString();
        if (/"error"/.test(reply)) {
          socket.destroy();
          resolve('answered');
        }
      });
      socket.on('close', () => resolve('closed'));
      socket.on('error', reject);
      socket.write(bytes);
      setTimeout(() => reject(new Error(`no reply and no close for ${JSON.stringify(bytes.slice(0, 40))}`)), 5000).unref();
    });
  }

  test('malformed bytes, non-JSON, a huge Content-Length and an unknown method: error or close, daemon stays up', async () => {
    const home = freshHome();
    const pid = await startDaemon(home);
    assert.equal(await sendBytes(home, 'hello there\r\n\r\n'), 'closed');
    assert.equal(await sendBytes(home, 'Content-Length: 9\r\n\r\nnot json!'), 'closed');
    assert.equal(await sendBytes(home, 'Content-Length: 99999999999\r\n\r\n{"jsonrpc":'), 'closed');
    assert.equal(await sendBytes(home, `Content-Length: 12\r\n\r\n${'\u0000'.repeat(12)}`), 'closed');
    const raw = await connectRaw(home);
    await assert.rejects(raw.connection.sendRequest('ccc/noSuchMethod', {}), (error: ResponseError<unknown>) => error.code === -32601);
    for (const root of ['relative/path', join(home, 'missing'), homePaths(home).log]) {
      await assert.rejects(
        raw.connection.sendRequest(IndexRequest, { root }),
        (error: ResponseError<unknown>) => error.code === ErrorCodes.InvalidRoot && !error.message.includes('\n'),
      );
    }
    raw.close();
    const now = await status(home);
    assert.ok(now.running);
    assert.equal(now.pid, pid);
  });
});

describe('long CCC_HOME', () => {
  test('a home too deep for a socket path uses the fallback socket', async () => {
    const base = freshHome();
    const home = join(base, 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(home, { recursive: true });
    const paths = homePaths(home);
    assert.ok(!paths.socket.startsWith(home), 'the fallback applies');
    const pid = await startDaemon(home);
    assert.equal(statSync(paths.socket).mode & 0o777, 0o600);
    const now = await status(home);
    assert.ok(now.running);
    assert.equal(now.pid, pid);
    assert.equal(now.socket, paths.socket);
    assert.equal((await runCli(['daemon', 'stop'], { home })).code, 0);
    assert.equal(existsSync(paths.socket), false);
  });
});

// Start races and stale state, in the combinations test/daemon.test.ts does not cover: CLI and editor-style clients
// starting together, on top of a stale socket file and a pid file naming a live unrelated process, and on a home
// long enough to need the fallback socket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { connect, type DaemonSession } from '../../daemon/client';
import { homePaths } from '../../daemon/paths';
import { DaemonStatusRequest } from '../../daemon/protocol';
import { DAEMON_JS, daemonProcesses, isAlive, readPid, runCli, waitFor } from '../support';
import { Scratch } from './support';

const scratch = new Scratch('ccc-hr-');
const freshHome = () => scratch.home();
after(() => scratch.cleanup());

/** 10 CLI commands and 2 editor windows start at the same moment; all must end up on one daemon. */
async function raceToStart(home: string): Promise<number> {
  const editors = Promise.all([0, 1].map(() => connect({ client: 'vscode', home, daemonScript: DAEMON_JS })));
  const clis = Promise.all(Array.from({ length: 10 }, () => runCli(['daemon', 'start'], { home })));
  const [windows, results] = await Promise.all([editors, clis]);
  try {
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const pids = new Set([...results.map((result) => Number(/pid (\d+)/.exec(result.stdout)?.[1])), ...windows.map((w) => w.handshake.pid)]);
    assert.equal(pids.size, 1, `one daemon for all 12 clients: ${[...pids].join(', ')}`);
    const [pid] = pids;
    assert.equal(readPid(home), pid);
    await waitFor(() => daemonProcesses(home).length === 1, 10_000, 'losing daemons to exit');
    // The editor windows keep working connections after the race.
    for (const window of windows) assert.equal((await window.connection.sendRequest(DaemonStatusRequest)).pid, pid);
    return pid;
  } finally {
    windows.forEach((window: DaemonSession) => window.close());
  }
}

describe('start races', () => {
  test('10 CLI commands and 2 editor windows starting at once share one daemon', async () => {
    await raceToStart(freshHome());
  });

  test('the same race over a stale socket file and a pid file naming a live unrelated process', async () => {
    const home = freshHome();
    const paths = homePaths(home);
    const unrelated = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(paths.socket, '');
      writeFileSync(paths.pid, `${unrelated.pid}\n`);
      const pid = await raceToStart(home);
      assert.notEqual(pid, unrelated.pid);
      assert.ok(isAlive(unrelated.pid!), 'the unrelated process was not killed');
      assert.ok(statSync(paths.socket).isSocket());
    } finally {
      unrelated.kill();
    }
  });

  test('the same race on a home too long for a socket path, with a stale fallback socket file', async () => {
    const home = join(freshHome(), 'l'.repeat(70), 'm'.repeat(40));
    mkdirSync(home, { recursive: true });
    const paths = homePaths(home);
    assert.ok(!paths.socket.startsWith(home));
    writeFileSync(paths.socket, '');
    const pid = await raceToStart(home);
    assert.ok(statSync(paths.socket).isSocket());
    assert.equal((await runCli(['daemon', 'stop'], { home })).code, 0);
    await waitFor(() => !isAlive(pid), 5000, 'daemon to exit');
  });
});

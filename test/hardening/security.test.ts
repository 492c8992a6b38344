// Security: owner-only socket from the first moment, no TCP listener, nothing read through links leaving the root,
// and no network traffic at all with the built-in model.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { homePaths } from '../../daemon/paths';
import { runCli } from '../support';
import { DoctorRequest } from '../../daemon/protocol';
import { assertFindable, index, request, Scratch, search, startDaemon, writeProject } from './support';

const scratch = new Scratch('ccc-hs-');
const freshHome = () => scratch.home();
after(() => scratch.cleanup());

/** Inodes of the TCP sockets (v4 and v6) in the LISTEN state. */
function listeningTcpInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') inodes.add(fields[9]);
    }
  }
  return inodes;
}

function socketInodes(pid: number): string[] {
  const inodes: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.push(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  return inodes;
}

// Loaded into the CLI and the daemon through NODE_OPTIONS: every TCP connect and DNS lookup is refused and recorded.
const NETWORK_GUARD = `
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const record = (what) => fs.appendFileSync(process.env.CCC_NET_LOG, process.pid + ' ' + what + '\\n');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const path = typeof first === 'string' ? first : first && first.path;
  if (!path) {
    record('connect ' + JSON.stringify(first && typeof first === 'object' ? { host: first.host, port: first.port } : first));
    throw new Error('network blocked by test');
  }
  return connect.apply(this, args);
};
for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6']) {
  const original = dns[name];
  dns[name] = function (host, ...rest) { record('dns ' + name + ' ' + host); return original.call(this, 'invalid.invalid', ...rest); };
}
`;

describe('security', () => {
  test('socket 0600 and home 0700 from creation even under umask 000, also for the fallback socket in /tmp', async () => {
    for (const home of [freshHome(), join(freshHome(), 'x'.repeat(60), 'y'.repeat(40))]) {
      const run = spawnSync('sh', ['-c', `umask 000 && exec "${process.execPath}" "${join(__dirname, '..', '..', 'dist', 'ccc.js')}" daemon start`], {
        env: { ...process.env, CCC_HOME: home },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, run.stderr);
      const socket = homePaths(home).socket;
      assert.equal(statSync(home).mode & 0o777, 0o700, 'home is 0700');
      assert.equal(statSync(socket).mode & 0o777, 0o600, `socket ${socket} is 0600`);
      for (const name of ['daemon.pid', 'daemon.log']) assert.equal(statSync(join(home, name)).mode & 0o077, 0, `${name} is owner-only`);
      assert.equal((await runCli(['daemon', 'stop'], { home })).code, 0);
    }
  });

  test('the daemon listens on no TCP port', async () => {
    const home = freshHome();
    const root = scratch.dir('proj');
    writeProject(root, 20);
    const pid = await startDaemon(home);
    await index(home, root);
    await assertFindable(home, root, 1);
    const listening = listeningTcpInodes();
    const mine = socketInodes(pid);
    assert.ok(mine.length > 0, 'the daemon holds its Unix socket');
    assert.deepEqual(mine.filter((inode) => listening.has(inode)), [], 'no listening TCP socket belongs to the daemon');
  });

  test('a file outside the root reached through a symlink is never read or searchable', async () => {
    const home = freshHome();
    const root = scratch.dir('proj');
    const outside = scratch.dir('outside');
    writeProject(root, 5);
    writeFileSync(join(outside, 'passwd'), 'root:x:0:0:qqsecretmarkerqq:/root:/bin/sh\n');
    symlinkSync(join(outside, 'passwd'), join(root, 'passwd.py'));
    symlinkSync(outside, join(root, 'etc'));
    const result = await index(home, root);
    assert.deepEqual(
      result.problems.filter((problem) => problem.reason === 'symlink leads outside the project').map((problem) => problem.path).sort(),
      ['etc', 'passwd.py'],
    );
    const hits = await search(home, { root, query: 'qqsecretmarkerqq', mode: 'keyword', limit: 100 });
    assert.ok(!hits.results.some((hit) => hit.content.includes('qqsecretmarkerqq')), 'the outside file is not searchable');
  });

  test('nothing goes over the network with the built-in model', async () => {
    const home = freshHome();
    const root = scratch.dir('proj');
    writeProject(root, 30);
    const guard = join(scratch.dir('guard'), 'guard.js');
    writeFileSync(guard, NETWORK_GUARD);
    const netLog = join(home, 'net.log');
    writeFileSync(netLog, '');
    const env = { NODE_OPTIONS: `--require ${guard}`, CCC_NET_LOG: netLog };
    const pid = await startDaemon(home, env);
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    assert.ok(environ.includes(`--require ${guard}`), 'the daemon runs with the guard');
    for (const args of [['index', root, '--json'], ['search', 'sum of values', '--json']]) {
      const result = await runCli(args, { home, cwd: root, env });
      assert.equal(result.code, 0, `ccc ${args.join(' ')}: ${result.stderr}`);
    }
    await assertFindable(home, root, 2);
    const doctor = await request(home, (session) => session.connection.sendRequest(DoctorRequest, { root }));
    assert.ok(doctor.checks.find((check) => check.name === 'model')?.status === 'ok', 'the model embeds offline');
    assert.equal(readFileSync(netLog, 'utf8'), '', 'no TCP connect and no DNS lookup');
  });
});

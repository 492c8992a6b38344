// `ccc doctor` end to end: the real daemon, model and grammars; each check's ok path and the error paths a user meets.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DoctorCheck } from '../daemon/protocol';
import { cliJson, makeTempHome, runCli } from './support';

interface DoctorJson {
  root: string;
  ok: boolean;
  checks: DoctorCheck[];
}

function writeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'ccc-doctor-proj-'));
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n');
  writeFileSync(join(root, 'src', 'orders.ts'), 'export function orderTotal(prices: number[]): number {\n  return prices.reduce((a, b) => a + b, 0);\n}\n');
  writeFileSync(join(root, 'src', 'greet.py'), 'def greet(name):\n    return f"hello {name}"\n');
  writeFileSync(join(root, 'schema.sql'), 'create table orders (id integer primary key);\n');
  writeFileSync(join(root, 'src', 'blob.ts'), Buffer.from([0, 1, 2, 0, 0, 255, 0, 3]));
  return root;
}

const byName = (checks: DoctorCheck[], name: string) => checks.find((check) => check.name === name);

describe('ccc doctor', () => {
  const home = makeTempHome('ccc-doc-');
  let root = '';
  before(() => {
    root = writeProject();
  });
  after(async () => {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  test('streams one line per check, in order, and exits 0 on a healthy project', async () => {
    const index = await runCli(['index', root], { home: home.dir, cwd: root });
    assert.equal(index.code, 0, index.stderr);
    const result = await runCli(['doctor'], { home: home.dir, cwd: root });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const names = result.stdout.split('\n').filter((line) => /^(ok|warning|error) /.test(line)).map((line) => line.split(/\s+/)[1]);
    assert.deepEqual(names, ['home', 'settings', 'daemon', 'model', 'walk', 'index', 'watch', 'log']);
    const json = await cliJson<DoctorJson>(['doctor', '--json'], { home: home.dir, cwd: root });
    assert.equal(json.ok, true);
    for (const name of ['home', 'settings', 'daemon', 'model', 'index', 'log']) assert.equal(byName(json.checks, name)?.status, 'ok', name);
    assert.match(byName(json.checks, 'model')!.detail, /100-d|\d+-d, embeds ~\d+ texts\/s/);
    const walk = byName(json.checks, 'walk')!.detail;
    assert.match(walk, /^3 files included/, 'orders.ts, greet.py and schema.sql; the binary and node_modules are left out');
    assert.match(walk, /binary file: 1 \(e\.g\. src\/blob\.ts\)/);
    assert.match(walk, /ignored[^;]*node_modules\//);
    assert.match(walk, /no grammar[^;]*schema\.sql/);
    assert.match(byName(json.checks, 'index')!.detail, /3 files, \d+ chunks \(.*typescript/);
    assert.match(byName(json.checks, 'watch')!.detail, /file events/);
  });

  test('a stale index: files changed while no daemon ran are counted and named', async () => {
    assert.equal((await runCli(['daemon', 'stop'], { home: home.dir })).code, 0);
    writeFileSync(join(root, 'src', 'orders.ts'), 'export function orderTotal(): number {\n  return 0;\n}\n');
    rmSync(join(root, 'src', 'greet.py'));
    const json = await cliJson<DoctorJson>(['doctor', '--json'], { home: home.dir, cwd: root });
    const index = byName(json.checks, 'index')!;
    assert.equal(index.status, 'warning');
    assert.match(index.detail, /2 stored files are stale \(src\/greet\.py \(deleted\), src\/orders\.ts\)/);
    assert.equal(json.ok, true, 'a stale index is a warning, not an error');
  });

  test('broken project settings are an error naming the key; exit 1', async () => {
    mkdirSync(join(root, '.ccc'), { recursive: true });
    writeFileSync(join(root, '.ccc', 'settings.yml'), 'inclde: ["**/*.ts"]\n');
    try {
      const result = await runCli(['doctor'], { home: home.dir, cwd: root });
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stdout, /^error +settings .*unknown key "inclde"/m);
      assert.match(result.stdout, /^error +walk +not walked/m);
    } finally {
      rmSync(join(root, '.ccc'), { recursive: true, force: true });
    }
  });

  test('include globs that match nothing are a warning', async () => {
    mkdirSync(join(root, '.ccc'), { recursive: true });
    writeFileSync(join(root, '.ccc', 'settings.yml'), 'include: ["src/**/*.ts", "lib/**/*.rb"]\n');
    try {
      const json = await cliJson<DoctorJson>(['doctor', '--json'], { home: home.dir, cwd: root });
      const walk = byName(json.checks, 'walk')!;
      assert.equal(walk.status, 'warning');
      assert.match(walk.detail, /include globs matching no file: lib\/\*\*\/\*\.rb$/);
    } finally {
      rmSync(join(root, '.ccc'), { recursive: true, force: true });
    }
  });

  test('a CCC_HOME the user cannot use is an error, and the daemon is not started there', async () => {
    const other = makeTempHome('ccc-doc-bad-');
    try {
      // Tests run as root, who can open any folder: a home owned by someone else stands for one this user cannot use.
      chownSync(other.dir, 65534, 65534);
      const result = await runCli(['doctor', root], { home: other.dir, cwd: root });
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stdout, /^error +home .*belongs to another user/m);
      assert.match(result.stdout, /^error +daemon +not checked/m);
      const open = makeTempHome('ccc-doc-open-');
      chmodSync(open.dir, 0o755);
      const loose = await runCli(['doctor', root], { home: open.dir, cwd: root });
      assert.match(loose.stdout, /^warning +home .*mode 0755/m);
      await open.cleanup();
    } finally {
      await other.cleanup();
    }
  });
});

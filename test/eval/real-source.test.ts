import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { RealProject } from './real-set';
import { checkOut, findSource } from './real-source';

const scratch = mkdtempSync(join(tmpdir(), 'ccc-real-source-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

/** A clone under `repos/` named the CCC_EVAL_REPOS way, with two commits: the project's file changes between them. */
function makeClone(repos: string, folder: string): { first: string; second: string } {
  const dir = join(repos, folder);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  writeFileSync(join(dir, 'main.go'), 'package main // first\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'first');
  const first = git(dir, 'rev-parse', 'HEAD');
  writeFileSync(join(dir, 'main.go'), 'package main // second\n');
  git(dir, 'commit', '-qam', 'second');
  return { first, second: git(dir, 'rev-parse', 'HEAD') };
}

const project = (repo: string, commit: string): RealProject => ({ name: 'x', repo, commit, language: 'go', queries: [] });

describe('findSource and checkOut', () => {
  it('skips a project with no copy, saying where to put one', () => {
    const found = findSource(project('nobody-here/nothing-here', 'a'.repeat(40)), { CCC_EVAL_REPOS: join(scratch, 'empty') });
    assert.ok('skip' in found);
    assert.match(found.skip, /CCC_EVAL_REPOS\/nobody-here\+nothing-here/);
  });

  it('finds a clone in CCC_EVAL_REPOS and checks out the pinned commit, not the newest', () => {
    const repos = join(scratch, 'repos');
    const { first } = makeClone(repos, 'someone-eval+thing-eval');
    const found = findSource(project('someone-eval/thing-eval', first), { CCC_EVAL_REPOS: repos });
    assert.ok('gitDir' in found, JSON.stringify(found));
    const root = checkOut(found.gitDir, first, 'thing');
    try {
      assert.equal(readFileSync(join(root, 'main.go'), 'utf8'), 'package main // first\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a commit the copy does not have, with git\'s reason', () => {
    const repos = join(scratch, 'repos2');
    makeClone(repos, 'thing-eval2');
    const found = findSource(project('someone/thing-eval2', 'b'.repeat(40)), { CCC_EVAL_REPOS: repos });
    assert.ok('gitDir' in found);
    assert.throws(() => checkOut(found.gitDir, 'b'.repeat(40), 'thing'), /git -C .* checkout .* failed/);
  });
});

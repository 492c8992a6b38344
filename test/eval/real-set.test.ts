// The labelled set's own checks: its files parse, it keeps the size issue 10 asks for, and, where a copy of a project is
// on this machine, every gold location exists at the pinned commit and names the symbol it claims.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { loadRealSet, type Gold } from './real-set';
import { findSource } from './real-source';

const projects = loadRealSet();

describe('real-project set', () => {
  it('has at least 3 projects, 60 identifier and description queries and 10 long ones', () => {
    assert.ok(projects.length >= 3);
    const all = projects.flatMap((p) => p.queries);
    assert.ok(all.filter((q) => q.kind !== 'long').length >= 60);
    assert.ok(all.filter((q) => q.kind === 'long').length >= 10);
  });

  it('leaves out the held-out projects and the two the issue was found on', () => {
    const banned = ['flask', 'requests', 'seaborn', 'pytest', 'sphinx', 'xarray', 'pylint', 'express', 'ripgrep', 'axum', 'got'];
    for (const p of projects) assert.ok(!banned.includes(p.repo.split('/')[1]!.toLowerCase()), p.repo);
  });

  for (const project of projects) {
    const source = findSource(project);
    it(`${project.repo}: gold paths and lines exist at ${project.commit.slice(0, 10)}`, { skip: 'skip' in source ? source.skip : false }, () => {
      if ('skip' in source) return;
      for (const query of project.queries) {
        for (const gold of query.gold) checkGold(source.gitDir, project.commit, gold, query.query);
      }
    });
  }
});

function checkGold(gitDir: string, commit: string, gold: Gold, query: string): void {
  let text: string;
  try {
    text = execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${gold.path}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  } catch {
    assert.fail(`"${query}": ${gold.path} is not in the commit`);
  }
  if (gold.startLine === undefined) return;
  const lines = text.split('\n');
  assert.ok(gold.endLine! <= lines.length, `"${query}": ${gold.path} has ${lines.length} lines, gold ends at ${gold.endLine}`);
  if (gold.symbol) {
    // The symbol's own name (the last part of `Class.method`) is on one of the range's first lines: the range is its definition.
    const name = gold.symbol.split(/[.\s]/).pop()!;
    const head = lines.slice(gold.startLine! - 1, gold.startLine! + 2).join('\n');
    assert.ok(head.includes(name), `"${query}": ${gold.path}:${gold.startLine} does not start the definition of ${gold.symbol}`);
  }
}

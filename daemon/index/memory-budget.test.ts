import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../log';
import { MemoryBudget, type LoadedProject } from './memory-budget';

const MB = 2 ** 20;

/** A budget over fake projects and a fake RSS; `unloaded` lists what it unloaded, in order. */
function budgetOver(projects: LoadedProject[], rssMB: () => number) {
  const unloaded: string[] = [];
  const budget = new MemoryBudget({
    limitBytes: 100 * MB,
    log: silentLogger,
    loaded: () => projects.filter((project) => !unloaded.includes(project.root)),
    unload: async (root) => void unloaded.push(root),
    rss: () => rssMB() * MB,
  });
  const checked = async () => {
    budget.check();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { budget, unloaded, checked };
}

describe('MemoryBudget', () => {
  const projects = (): LoadedProject[] => [
    { root: '/b', lastUsed: 20, busy: false },
    { root: '/a', lastUsed: 10, busy: false },
    { root: '/busy', lastUsed: 5, busy: true },
    { root: '/c', lastUsed: 30, busy: false },
  ];

  it('unloads nothing under the budget', async () => {
    const { budget, unloaded, checked } = budgetOver(projects(), () => 99);
    await checked();
    budget.close();
    assert.deepEqual(unloaded, []);
  });

  it('over it, unloads the least recently used idle project, one per check, never the one used last', async () => {
    const { budget, unloaded, checked } = budgetOver(projects(), () => 500);
    await checked();
    assert.deepEqual(unloaded, ['/a']);
    await checked();
    await checked();
    await checked();
    budget.close();
    assert.deepEqual(unloaded, ['/a', '/b'], 'the busy project and /c, used last, stay');
  });

  it('stops unloading once memory is back under the budget', async () => {
    let rss = 500;
    const { budget, unloaded, checked } = budgetOver(projects(), () => rss);
    await checked();
    rss = 90;
    await checked();
    budget.close();
    assert.deepEqual(unloaded, ['/a']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stateText } from './state-text';

describe('the panel\'s state line', () => {
  it('shows no percentage while no chunk is counted yet', () => {
    const text = stateText({ state: 'indexing', files: 0, chunks: 0, percentage: 40 });
    assert.doesNotMatch(text, /%/);
    assert.doesNotMatch(text, /0 chunks/);
  });

  it('shows the percentage beside a grown chunk count', () => {
    assert.equal(stateText({ state: 'indexing', files: 12, chunks: 340, percentage: 40 }), 'Indexing… 40% (340 chunks so far)');
    assert.equal(stateText({ state: 'indexing', files: 12, chunks: 340 }), 'Indexing… (340 chunks so far)');
  });

  it('says "stopped" and how the daemon comes back', () => {
    assert.match(stateText({ state: 'stopped', files: 0, chunks: 0 }), /stopped: it starts again on the next search/);
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createFileLogger } from './log';

describe('the file logger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccc-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes leveled lines and drops those under the minimum level', () => {
    const file = join(dir, 'levels.log');
    const log = createFileLogger(file, { minLevel: 'info' });
    log.debug('hidden');
    log.info('shown');
    log.error('bad');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0], /^\S+Z INFO  \[\d+\] shown$/);
    assert.match(lines[1], /ERROR \[\d+\] bad$/);
  });

  it('moves a full log to <file>.1, keeping at most two files of bounded size', () => {
    const file = join(dir, 'daemon.log');
    writeFileSync(file, 'x'.repeat(900) + '\n');
    const log = createFileLogger(file, { rotateBytes: 1000 });
    for (let i = 0; i < 50; i++) log.info(`line ${i} ${'y'.repeat(40)}`);
    assert.ok(existsSync(`${file}.1`));
    assert.ok(statSync(file).size <= 1000);
    assert.ok(statSync(`${file}.1`).size <= 1000);
    assert.match(readFileSync(file, 'utf8'), /line 49 /, 'the newest line is in the current file');
    assert.ok(!readFileSync(`${file}.1`, 'utf8').startsWith('xxx'), 'the oldest content was dropped by the second rotation');
  });
});

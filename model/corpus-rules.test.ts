import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CorpusRules, debianLicense, isPermissive, SHARED_EVAL_DIR } from './corpus-rules';
import { DocPairExtractor } from './doc-pairs';

test('only permissive licences pass; an alternative may rescue a copyleft one', () => {
  for (const license of ['Expat', 'BSD-3-clause', 'Apache-2.0', 'PSF-2.0', 'MIT or Apache-2.0', 'GPL-2+ or Apache-2', 'ISC']) assert.ok(isPermissive(license), license);
  for (const license of ['GPL-2', 'LGPL-2.1+', 'MPLv2.0', 'other', 'Pyramid', 'BSD-3-clause and GPL-3+', 'GPL-2.0 with Classpath Exception']) {
    assert.ok(!isPermissive(license), license);
  }
});

test('a Debian licence comes from the Files: * stanza, or from a declaration for free-form copyright files', () => {
  const dep5 = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\nLicense: BSD-3-clause\n\nFiles: debian/*\nLicense: GPL-2+\n';
  assert.equal(debianLicense(dep5, 'p', {}), 'BSD-3-clause');
  const prose = 'Format: https://x\n\nFiles: *\nLicense:\n Matplotlib only uses BSD compatible code\n';
  assert.equal(debianLicense(prose, 'python3-matplotlib', { 'python3-matplotlib': 'Matplotlib' }), 'Matplotlib');
  assert.throws(() => debianLicense('This package was debianized by someone.', 'p', {}), /add the licence to DECLARED_LICENSES/);
});

test('held-out projects are refused by package name and by path, vendored copies included', () => {
  const rules = new CorpusRules();
  for (const name of ['python3-flask', 'flask', 'python3-sphinx', 'sphinx-rtd-theme', 'librust-grep-cli-dev', 'express', 'got']) assert.ok(rules.isHeldOutName(name), name);
  for (const name of ['python3-django', 'lodash', 'rust-src']) assert.ok(!rules.isHeldOutName(name), name);
  assert.ok(rules.isHeldOutPath('usr/lib/python3/dist-packages/pip/_vendor/requests/api.py'));
  assert.ok(rules.isHeldOutPath('usr/lib/python3/dist-packages/_pytest/main.py'));
  assert.ok(!rules.isHeldOutPath('usr/lib/python3/dist-packages/django/http/request.py'));
});

test('a CoSQA function is recognised however its whitespace changed, with or without its docstring', async () => {
  const rules = new CorpusRules();
  const map = JSON.parse(readFileSync(join(SHARED_EVAL_DIR, 'cosqa', 'code_idx_map.txt'), 'utf8')) as Record<string, number>;
  const code = Object.keys(map).find((c) => c.includes('"""'))!;
  const [pair] = await new DocPairExtractor().pairs(code, 'python');
  rules.addEvaluationCode(code, pair.code);
  assert.ok(rules.isEvaluationCode(code.replace(/\n/g, '\n  ').replace(/ +/g, '\t')));
  assert.ok(rules.isEvaluationCode(pair.code));
  assert.ok(!rules.isEvaluationCode('def other():\n    return 1'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { languageNameList, resolveLanguageName, resolveLanguageNames } from './language-names';
import { languages } from './languages';

test('rg short names, aliases, ids and extensions resolve case-insensitively to language ids', () => {
  const expected: Record<string, string[]> = {
    js: ['javascript'], JavaScript: ['javascript'], JS: ['javascript'], ts: ['typescript', 'tsx'], TypeScript: ['typescript'],
    py: ['python'], rs: ['rust'], golang: ['go'], Go: ['go'], 'c++': ['cpp'], cpp: ['cpp'], cs: ['csharp'], 'C#': ['csharp'],
    rb: ['ruby'], md: ['markdown'], sh: ['bash'], yml: ['yaml'], kt: ['kotlin'], mjs: ['javascript'], ' python ': ['python'],
  };
  for (const [name, ids] of Object.entries(expected)) assert.deepEqual(resolveLanguageName(name), ids, name);
  assert.equal(resolveLanguageName('klingon'), undefined);
});

test('every language of the table is named by its id, and the list shows its other names', () => {
  const list = languageNameList();
  for (const language of languages) assert.deepEqual(resolveLanguageName(language.id), [language.id]);
  assert.deepEqual(list.map((entry) => entry.id), [...list.map((entry) => entry.id)].sort());
  assert.ok(list.find((entry) => entry.id === 'go')?.names.includes('golang'));
  assert.ok(list.find((entry) => entry.id === 'javascript')?.names.includes('js'));
});

test('an unknown name is refused with the valid names in the message', () => {
  assert.deepEqual(resolveLanguageNames(['js', 'JavaScript', 'py']), ['javascript', 'python']);
  assert.throws(() => resolveLanguageNames(['js', 'klingon']), /unknown language "klingon"; use one of: .*javascript.*python/);
});

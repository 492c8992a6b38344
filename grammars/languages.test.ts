import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Language, Parser, Query } from 'web-tree-sitter';
import { definitionQueries } from './definition-queries';
import { definitionQuery, languageForPath, languages, treeSitterLanguages } from './languages';

const wasmDir = join(__dirname, '../node_modules/@cursorless/tree-sitter-wasms/out');

describe('languageForPath', () => {
  it('maps extensions and well-known file names, and everything else to text', () => {
    assert.equal(languageForPath('src/a.ts', {}), 'typescript');
    assert.equal(languageForPath('src/A.TSX', {}), 'tsx');
    assert.equal(languageForPath('lib/x.mjs', {}), 'javascript');
    assert.equal(languageForPath('a/b/c.py', {}), 'python');
    assert.equal(languageForPath('Makefile', {}), 'makefile');
    assert.equal(languageForPath('docker/Dockerfile', {}), 'dockerfile');
    assert.equal(languageForPath('README.md', {}), 'markdown');
    assert.equal(languageForPath('notes.txt', {}), 'text');
    assert.equal(languageForPath('LICENSE', {}), 'text');
    assert.equal(languageForPath('.gitignore', {}), 'text');
  });

  it('lets overrides, with or without the dot, win over the table', () => {
    assert.equal(languageForPath('x.mjs', { '.mjs': 'typescript' }), 'typescript');
    assert.equal(languageForPath('x.inc', { inc: 'php' }), 'php');
    assert.equal(languageForPath('x.ts', { js: 'python' }), 'typescript');
  });

  it('reads templates as HTML', () => {
    for (const ext of ['ejs', 'hbs', 'handlebars', 'mustache', 'njk', 'tmpl', 'vue', 'svelte']) assert.equal(languageForPath(`views/page.${ext}`, {}), 'html', ext);
  });
});

describe('grammars', () => {
  it('lists exactly the wasm files the languages use', () => {
    const listed = JSON.parse(readFileSync(join(__dirname, 'wasm-files.json'), 'utf8')) as string[];
    const used = [...new Set(languages.flatMap((l) => (l.grammar ? [`tree-sitter-${l.grammar}.wasm`] : [])))].sort();
    assert.deepEqual([...listed].sort(), used);
    for (const language of languages.filter((l) => l.grammar)) assert.ok(definitionQuery(language.id), `${language.id} has no query`);
  });

  it('compiles every definitions query against its grammar', async () => {
    await Parser.init();
    for (const [grammar, source] of Object.entries(definitionQueries)) {
      const language = await Language.load(readFileSync(join(wasmDir, `tree-sitter-${grammar}.wasm`)));
      const query = new Query(language, source);
      assert.ok(query.captureNames.some((name) => name.startsWith('definition.')), grammar);
      query.delete();
    }
  });
});

describe('the languages of issue 12', () => {
  it('maps their extensions and file names', () => {
    const cases: Record<string, string> = {
      'src/core.clj': 'clojure', 'src/Main.elm': 'elm', 'src/app.gleam': 'gleam', 'infra/main.tf': 'hcl', 'job.nomad': 'hcl',
      'default.nix': 'nix', 'lib/Foo.pm': 'perl', 'R/model.R': 'r', '.Rprofile': 'r', 'paper.tex': 'latex',
      'player.gd': 'gdscript', 'Nat.agda': 'agda', 'app.properties': 'properties', 'q.rq': 'sparql', 'vscode.talon': 'talon',
      'queries/highlights.scm': 'tsquery', 'pom.xml': 'xml', 'note.dtd': 'dtd',
    };
    for (const [path, id] of Object.entries(cases)) assert.equal(languageForPath(path, {}), id, path);
  });

  it('counts at least 38 languages parsed by Tree-sitter, and not those chunked without a parser', () => {
    const parsed = treeSitterLanguages();
    assert.ok(parsed.length >= 38, `${parsed.length}: ${parsed.join(', ')}`);
    for (const id of ['clojure', 'hcl', 'latex', 'tsquery', 'xml', 'dtd', 'typescript']) assert.ok(parsed.includes(id), id);
    for (const id of ['markdown', 'sql', 'toml', 'text']) assert.ok(!parsed.includes(id), id);
    assert.deepEqual(parsed, [...parsed].sort());
  });

  it('are the rows of the table in grammars/README.md', () => {
    const readme = readFileSync(join(__dirname, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| ([\w-]+) \| `/gm)].map((match) => match[1]);
    assert.deepEqual(rows, treeSitterLanguages());
  });
});

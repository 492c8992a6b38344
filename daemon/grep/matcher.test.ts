// The matcher with the real grammars from dist/grammars (run `npm run build` first): each metavariable form matches and
// fails to match in TypeScript, Python, Go, Rust and Java; repeated metavariables; patterns that do not parse.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { fileMatches, mayMatch, type FileMatch } from './file-matches';
import { CandidateFinder } from './matcher';
import { compilePattern, PatternError } from './pattern';
import { TreeSitterLoader } from './tree-sitter-loader';

const loader = new TreeSitterLoader(resolve(__dirname, '../../dist/grammars'));
let parser: Parser;

async function grep(grammar: string, pattern: string, text: string, maxCount = Infinity): Promise<FileMatch[]> {
  const language = await loader.language(grammar);
  parser.setLanguage(language);
  const compiled = compilePattern(parser, grammar, grammar, pattern);
  const candidates = new CandidateFinder(language, compiled.root);
  try {
    const matches = fileMatches(parser, compiled, candidates, text, maxCount);
    // The text filter must never rule out a file that matches.
    if (matches.length > 0) assert.ok(mayMatch(compiled, text), `${pattern}: the text filter would skip a matching file`);
    return matches;
  } finally {
    candidates.delete();
  }
}

/** The matched text of each match, from its lines and columns. */
function matchedTexts(text: string, matches: FileMatch[]): string[] {
  const lines = text.split('\n');
  return matches.map((m) => {
    if (m.startLine === m.endLine) return lines[m.startLine - 1].slice(m.startColumn - 1, m.endColumn - 1);
    const middle = lines.slice(m.startLine, m.endLine - 1);
    return [lines[m.startLine - 1].slice(m.startColumn - 1), ...middle, lines[m.endLine - 1].slice(0, m.endColumn - 1)].join('\n');
  });
}

async function parseError(grammar: string, pattern: string): Promise<PatternError> {
  parser.setLanguage(await loader.language(grammar));
  try {
    compilePattern(parser, grammar, grammar, pattern);
  } catch (error) {
    assert.ok(error instanceof PatternError, String(error));
    return error;
  }
  assert.fail(`${pattern} parsed as ${grammar}`);
}

before(async () => {
  parser = await loader.parser();
});

/** One language's cases: a source, and per metavariable form a pattern with what it must match and must not. */
interface Case {
  form: string;
  pattern: string;
  matches: string[];
  captures?: Record<string, string>[];
}

const languages: { grammar: string; source: string; cases: Case[] }[] = [
  {
    grammar: 'typescript',
    source: [
      'fetch(url, { method: "POST", body });',
      'fetch(other, { method: "GET" });',
      'log.info("a", 1);',
      'log.warn();',
      'const same = x === x;',
      'const differ = x === y;',
    ].join('\n'),
    cases: [
      { form: '$NAME', pattern: 'fetch($URL, { method: "POST", $$$ })', matches: ['fetch(url, { method: "POST", body })'], captures: [{ URL: 'url' }] },
      { form: '$$$ARGS', pattern: 'log.$LEVEL($$$ARGS)', matches: ['log.info("a", 1)', 'log.warn()'], captures: [{ LEVEL: 'info', ARGS: '"a", 1' }, { LEVEL: 'warn', ARGS: '' }] },
      { form: '$_', pattern: 'fetch($_, { method: "GET" })', matches: ['fetch(other, { method: "GET" })'], captures: [{}] },
      { form: 'repeated', pattern: '$A === $A', matches: ['x === x'], captures: [{ A: 'x' }] },
    ],
  },
  {
    grammar: 'python',
    source: [
      'try:',
      '    run()',
      'except ValueError: pass',
      'except KeyError:',
      '    log()',
      'print("a", "b")',
      'print()',
      'same = a + a',
      'other = a + b',
    ].join('\n'),
    cases: [
      { form: '$NAME', pattern: 'except $E: pass', matches: ['except ValueError: pass'], captures: [{ E: 'ValueError' }] },
      { form: '$$$ARGS', pattern: 'print($$$ARGS)', matches: ['print("a", "b")', 'print()'], captures: [{ ARGS: '"a", "b"' }, { ARGS: '' }] },
      { form: '$_', pattern: 'except $_:\n    log()', matches: ['except KeyError:\n    log()'], captures: [{}] },
      { form: 'repeated', pattern: '$X + $X', matches: ['a + a'], captures: [{ X: 'a' }] },
    ],
  },
  {
    grammar: 'go',
    source: [
      'package p',
      'func f() error {',
      '\tif err != nil { return err }',
      '\tif err != nil { return wrap(err) }',
      '\tfmt.Println("x", y)',
      '\tfmt.Printf("%d")',
      '\treturn nil',
      '}',
    ].join('\n'),
    cases: [
      { form: '$NAME', pattern: 'if $ERR != nil { return $ERR }', matches: ['if err != nil { return err }'], captures: [{ ERR: 'err' }] },
      { form: '$$$ARGS', pattern: 'fmt.Println($$$ARGS)', matches: ['fmt.Println("x", y)'], captures: [{ ARGS: '"x", y' }] },
      { form: '$_', pattern: 'if $_ != nil { return wrap($_) }', matches: ['if err != nil { return wrap(err) }'], captures: [{}] },
      { form: 'repeated', pattern: 'if $E != nil { return $E }', matches: ['if err != nil { return err }'], captures: [{ E: 'err' }] },
    ],
  },
  {
    grammar: 'rust',
    source: ['fn f() {', '    let a = x.unwrap();', '    let b = y.expect("no");', '    println!("{}", a);', '    let c = a.max(a);', '    let d = a.max(b);', '}'].join('\n'),
    cases: [
      { form: '$NAME', pattern: '$V.unwrap()', matches: ['x.unwrap()'], captures: [{ V: 'x' }] },
      { form: '$$$ARGS', pattern: 'let $N = $$$REST;', matches: ['let a = x.unwrap();', 'let b = y.expect("no");', 'let c = a.max(a);', 'let d = a.max(b);'] },
      { form: '$_', pattern: '$_.expect($_)', matches: ['y.expect("no")'], captures: [{}] },
      { form: 'repeated', pattern: '$A.max($A)', matches: ['a.max(a)'], captures: [{ A: 'a' }] },
    ],
  },
  {
    grammar: 'java',
    source: [
      'class A {',
      '  void f() {',
      '    System.out.println("a");',
      '    System.err.println(1, 2);',
      '    list.add(list);',
      '    list.add(other);',
      '  }',
      '}',
    ].join('\n'),
    cases: [
      { form: '$NAME', pattern: 'System.$STREAM.println("a")', matches: ['System.out.println("a")'], captures: [{ STREAM: 'out' }] },
      { form: '$$$ARGS', pattern: 'System.err.println($$$ARGS)', matches: ['System.err.println(1, 2)'], captures: [{ ARGS: '1, 2' }] },
      { form: '$_', pattern: '$_.add(other)', matches: ['list.add(other)'], captures: [{}] },
      { form: 'repeated', pattern: '$L.add($L)', matches: ['list.add(list)'], captures: [{ L: 'list' }] },
    ],
  },
];

for (const { grammar, source, cases } of languages) {
  describe(`grep ${grammar}`, () => {
    for (const { form, pattern, matches, captures } of cases) {
      it(`${form}: ${pattern}`, async () => {
        const found = await grep(grammar, pattern, source);
        assert.deepEqual(matchedTexts(source, found), matches);
        if (captures) assert.deepEqual(found.map((match) => match.captures), captures);
      });
    }
  });
}

describe('grep non-matches', () => {
  it('a metavariable stands for one node, not several', async () => {
    assert.deepEqual(await grep('typescript', 'f($A)', 'f(a, b); f();'), []);
    assert.deepEqual(await grep('python', 'print($A)', 'print(a, b)\nprint()'), []);
    assert.deepEqual(await grep('go', 'package p\nfunc g() { fmt.Println($A) }', 'package p\nfunc g() { fmt.Println(a, b) }'), []);
    assert.deepEqual(await grep('rust', '$V.unwrap()', 'fn f() { x.unwrap_or(1); }'), []);
    assert.deepEqual(await grep('java', '$L.add($X)', 'class A { void f() { list.add(a, b); } }'), []);
  });

  it('$$$ does not cross into another node, and literal tokens must be there', async () => {
    assert.deepEqual(await grep('typescript', 'fetch($URL, { method: "POST", $$$ })', 'fetch(u, { method: "PUT", body });\nfetch(u);'), []);
    assert.deepEqual(await grep('python', 'except $E: pass', 'try:\n    a()\nexcept E:\n    raise\n'), []);
    assert.deepEqual(await grep('go', 'package p\nfunc g() { fmt.Println($$$) }', 'package p\nfunc g() { fmt.Printf("x") }'), []);
    assert.deepEqual(await grep('rust', 'let $N = $$$REST;', 'fn f() { a = 1; }'), []);
    assert.deepEqual(await grep('java', 'System.err.println($$$)', 'class A { void f() { System.out.println(1); } }'), []);
  });

  it('$_ still needs a node there', async () => {
    assert.deepEqual(await grep('typescript', 'g($_)', 'g();'), []);
    assert.deepEqual(await grep('python', 'g($_)', 'g()'), []);
  });

  it('a repeated metavariable needs the same text each time', async () => {
    assert.deepEqual(await grep('typescript', '$A === $A', 'a === b; a.b === a.c;'), []);
    assert.deepEqual(await grep('python', '$X + $X', 'a + b\n'), []);
    assert.deepEqual(await grep('go', 'package p\nfunc g() { if $E != nil { return $E } }', 'package p\nfunc g() { if err != nil { return e2 } }'), []);
    assert.deepEqual(await grep('rust', '$A.max($A)', 'fn f() { a.max(b); }'), []);
    assert.deepEqual(await grep('java', '$L.add($L)', 'class A { void f() { list.add(other); } }'), []);
  });

  it('$_ is never compared: two $_ may match different text', async () => {
    const found = await grep('typescript', '$_ === $_', 'a === b;');
    assert.deepEqual(matchedTexts('a === b;', found), ['a === b']);
  });
});

describe('grep matching rules', () => {
  it('comments and layout in the target do not matter', async () => {
    const text = 'foo(\n  a, // first\n  /* second */ b,\n);';
    assert.deepEqual(matchedTexts(text, await grep('typescript', 'foo($A, $B)', text)), ['foo(\n  a, // first\n  /* second */ b,\n)']);
  });

  it('a comma beside an empty $$$ may be missing', async () => {
    const text = 'f(a); f(a, b, c); f();';
    const found = await grep('typescript', 'f($A, $$$REST)', text);
    assert.deepEqual(found.map((m) => m.captures), [{ A: 'a', REST: '' }, { A: 'a', REST: 'b, c' }]);
    assert.deepEqual((await grep('typescript', 'f($$$, $LAST)', text)).map((m) => m.captures), [{ LAST: 'a' }, { LAST: 'c' }]);
  });

  it('nested matches are all reported, in source order, and maxCount stops early', async () => {
    const text = 'f(f(f(x)));';
    assert.deepEqual(matchedTexts(text, await grep('typescript', 'f($A)', text)), ['f(f(f(x)))', 'f(f(x))', 'f(x)']);
    assert.equal((await grep('typescript', 'f($A)', text, 2)).length, 2);
  });

  it('columns count characters, not bytes', async () => {
    const text = 'const é = "ü"; call(é);';
    const [match] = await grep('typescript', 'call($A)', text);
    assert.equal(match.startColumn, text.indexOf('call') + 1);
    assert.equal(match.lines, text);
  });
});

describe('grep patterns that do not parse', () => {
  it('say where, in the pattern as written', async () => {
    const error = await parseError('typescript', 'fetch($URL, {');
    assert.match(error.message, /does not parse as typescript at 1:14/);
    assert.deepEqual([error.line, error.column], [1, 14]);
  });

  it('point past metavariables at the right column', async () => {
    const error = await parseError('python', 'def $F(:\n    pass');
    assert.equal(error.line, 1);
    assert.equal(error.column, 8);
  });

  it('an empty pattern is an error, not a match of everything', async () => {
    assert.match((await parseError('go', '   ')).message, /empty/);
  });
});

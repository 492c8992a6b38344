// Turns a `ccc grep` pattern into a tree to match: metavariables become placeholder identifiers the language accepts,
// the text is parsed bare or, failing that, inside a few per-language wrappers (an `except` clause needs a `try` before
// it, a Go statement a function around it), and the smallest node covering the pattern's text is its root. The tree is
// copied out of WASM into plain objects once, so matching millions of target nodes never re-reads the pattern.
import type { Node, Parser } from 'web-tree-sitter';

export type PatternNode =
  | { kind: 'var'; name: string; multi: boolean }
  | { kind: 'leaf'; type: string; text: string }
  | { kind: 'node'; type: string; children: PatternNode[] };

export interface CompiledPattern {
  root: PatternNode;
  /** Texts every match contains: a file without one of them cannot match, so it is not parsed. */
  required: string[];
}

export class PatternError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}

/** `$$$ARGS`, `$$$`, `$NAME`, `$_`: names are upper case, digits and `_`, as in ast-grep. */
const METAVARIABLE = /\$\$\$([A-Z_][A-Z0-9_]*)?|\$([A-Z_][A-Z0-9_]*)/g;
/** A prefix no real identifier is likely to have; letters first so every grammar takes it for an identifier. */
const SINGLE = 'cccMv_';
const MULTI = 'cccMvs_';

interface Substituted {
  text: string;
  vars: Map<string, { name: string; multi: boolean }>;
  /** Where each placeholder sits in `text` and how long the metavariable was, to map error positions back. */
  edits: { at: number; length: number; original: number }[];
}

function substitute(pattern: string): Substituted {
  const vars = new Map<string, { name: string; multi: boolean }>();
  const edits: Substituted['edits'] = [];
  let text = '';
  let last = 0;
  for (const match of pattern.matchAll(METAVARIABLE)) {
    const multi = match[0].startsWith('$$$');
    const name = (multi ? match[1] : match[2]) ?? '';
    const placeholder = `${multi ? MULTI : SINGLE}${name}`;
    text += pattern.slice(last, match.index);
    edits.push({ at: text.length, length: placeholder.length, original: match[0].length });
    text += placeholder;
    last = match.index + match[0].length;
    // Names starting with `_` match anything and are neither captured nor compared, as in ast-grep.
    vars.set(placeholder, { name: name.startsWith('_') || name === '' ? '' : name, multi });
  }
  return { text: text + pattern.slice(last), vars, edits };
}

/** Offset in the pattern as written, from an offset in its substituted text. */
function originalOffset(offset: number, edits: Substituted['edits']): number {
  let shift = 0;
  for (const edit of edits) {
    if (edit.at >= offset) break;
    if (offset < edit.at + edit.length) return edit.at - shift;
    shift += edit.length - edit.original;
  }
  return offset - shift;
}

type Wrapper = [prefix: string, suffix: string];

/** Forms tried after the bare pattern, per grammar: each makes a common kind of fragment a whole program. */
const wrappers: Record<string, Wrapper[]> = {
  python: [['try:\n    pass\n', ''], ['if x:\n    pass\n', ''], ['class C:\n    ', '']],
  go: [['package p\nfunc f() {\n', '\n}'], ['package p\n', ''], ['package p\ntype T struct {\n', '\n}']],
  rust: [['fn f() {\n', '\n}'], ['fn f() {\n', ';\n}'], ['impl T {\n', '\n}'], ['struct S {\n', '\n}']],
  java: [['', ';'], ['class C {\n', '\n}'], ['class C {\nvoid f() {\n', '\n}\n}'], ['class C {\nvoid f() {\n', ';\n}\n}']],
  c_sharp: [['', ';'], ['class C {\n', '\n}'], ['class C {\nvoid F() {\n', '\n}\n}'], ['class C {\nvoid F() {\n', ';\n}\n}']],
  c: [['', ';'], ['void f() {\n', '\n}'], ['void f() {\n', ';\n}']],
  cpp: [['', ';'], ['void f() {\n', '\n}'], ['void f() {\n', ';\n}'], ['class C {\n', '\n};']],
  typescript: [['(', ')'], ['class C {\n', '\n}'], ['function f() {\n', '\n}']],
  tsx: [['(', ')'], ['class C {\n', '\n}'], ['function f() {\n', '\n}']],
  javascript: [['(', ')'], ['class C {\n', '\n}'], ['function f() {\n', '\n}']],
  php: [['<?php\n', ''], ['<?php\n', ';'], ['<?php\nclass C {\n', '\n}']],
  kotlin: [['fun f() {\n', '\n}'], ['class C {\n', '\n}']],
  swift: [['func f() {\n', '\n}'], ['class C {\n', '\n}']],
  scala: [['object O {\n', '\n}'], ['def f = {\n', '\n}']],
  ruby: [['begin\n', '\nend'], ['class C\n', '\nend']],
  dart: [['void f() {\n', '\n}'], ['class C {\n', '\n}'], ['void f() {\n', ';\n}']],
  zig: [['fn f() void {\n', '\n}'], ['fn f() void {\n', ';\n}']],
  css: [['a {\n', '\n}'], ['a {\n', ';\n}']],
  scss: [['a {\n', '\n}'], ['a {\n', ';\n}']],
  json: [['{', '}'], ['[', ']']],
};

/**
 * The pattern's tree in `grammar`, or a PatternError where the pattern stops parsing.
 * `parser` must already be set to the grammar's language.
 */
export function compilePattern(parser: Parser, grammar: string, language: string, pattern: string): CompiledPattern {
  const trimmed = pattern.trim();
  if (!trimmed) throw new PatternError('the pattern is empty: write code with $NAME where anything may stand', 1, 1);
  const lead = pattern.length - pattern.trimStart().length;
  const substituted = substitute(trimmed);
  // PHP code is only code after `<?php`: its first wrapper is its bare form.
  const forms: Wrapper[] = grammar === 'php' ? wrappers.php : [['', ''], ...(wrappers[grammar] ?? [])];
  /** Where the first form (the pattern as written) fails: the wrappers' errors say more about the wrapper than the pattern. */
  let errorOffset: number | undefined;
  for (const [prefix, suffix] of forms) {
    const source = prefix + substituted.text + suffix;
    const tree = parser.parse(source);
    if (!tree) continue;
    try {
      if (!tree.rootNode.hasError) {
        const node = patternRoot(tree.rootNode, prefix.length, prefix.length + substituted.text.length);
        const root = copyPattern(node, substituted.vars);
        return { root, required: requiredTexts(root) };
      }
      errorOffset ??= firstErrorOffset(tree.rootNode) - prefix.length;
    } finally {
      tree.delete();
    }
  }
  const offset = lead + originalOffset(Math.max(0, Math.min(errorOffset ?? 0, substituted.text.length)), substituted.edits);
  const before = pattern.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  throw new PatternError(`the pattern does not parse as ${language} at ${line}:${column}`, line, column);
}

/** The smallest node covering [start, end), then down through children that cover exactly the same text. */
function patternRoot(root: Node, start: number, end: number): Node {
  let node = root.descendantForIndex(start, end) ?? root;
  for (;;) {
    const named = node.namedChildren.filter((child): child is Node => child !== null && !child.isExtra);
    const same = named.length === 1 && named[0].startIndex === node.startIndex && named[0].endIndex === node.endIndex;
    if (!same) return node;
    node = named[0];
  }
}

/** Where the first error starts; an error that swallows the whole text means the pattern ended too early. */
function firstErrorOffset(node: Node): number {
  if (node.type === 'ERROR' && node.startIndex === 0 && node.endIndex >= node.tree.rootNode.text.trimEnd().length) return node.endIndex;
  if (node.type === 'ERROR' || node.isMissing) return node.startIndex;
  for (const child of node.children) {
    if (child && (child.hasError || child.isMissing)) return firstErrorOffset(child);
  }
  return node.startIndex;
}

/** A node whose whole text is a placeholder is that metavariable; comments in the pattern are ignored. */
function copyPattern(node: Node, vars: Substituted['vars']): PatternNode {
  const variable = vars.get(node.text);
  if (variable) return { kind: 'var', ...variable };
  const children = node.children.filter((child): child is Node => child !== null && !child.isExtra && !child.isMissing);
  if (children.length === 0) return { kind: 'leaf', type: node.type, text: node.text };
  return { kind: 'node', type: node.type, children: children.map((child) => copyPattern(child, vars)) };
}

/** Leaf texts a match must contain. Commas are left out: one beside an empty `$$$` may be absent from a match. */
function requiredTexts(root: PatternNode): string[] {
  const texts = new Set<string>();
  const visit = (node: PatternNode) => {
    if (node.kind === 'leaf' && node.text.trim() && node.text !== ',') texts.add(node.text);
    if (node.kind === 'node') node.children.forEach(visit);
  };
  visit(root);
  // The longest first: it rules out the most files.
  return [...texts].sort((a, b) => b.length - a.length);
}

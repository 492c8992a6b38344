// Matches a compiled pattern against a file's Tree-sitter tree. A node matches when it has the pattern's type and its
// children match the pattern's children in order, anonymous tokens included and the target's comments skipped; leaves
// match by text. As in ast-grep's default ("smart") strictness, a token of the target that the pattern does not have
// may be skipped, so `throw new E($M)` matches `throw new E(x);` with its semicolon. `$$$` takes any run of siblings (tried shortest first, with backtracking), and a separator comma next
// to an empty `$$$` may be missing, so `f($A, $$$)` matches `f(x)`. A metavariable seen twice must match the same text.
import { Query, type Language, type Node, type Tree } from 'web-tree-sitter';
import type { PatternNode } from './pattern';

/** Metavariable name → the text it matched. */
export type Bindings = Map<string, string>;

export interface NodeMatch {
  node: Node;
  captures: Bindings;
}

/** The captures when `target` matches `pattern`, else null. */
export function matchAt(pattern: PatternNode, target: Node, source: string): Bindings | null {
  const bound: Bindings = new Map();
  return matchNode(pattern, target, source, bound, []) ? bound : null;
}

/** Matches in source order, at most `maxCount`. Candidates come from a Tree-sitter query on the pattern's root type; `required` is a text every match contains. */
export function findMatches(pattern: PatternNode, candidates: CandidateFinder, tree: Tree, source: string, maxCount: number, required = ''): NodeMatch[] {
  const found: NodeMatch[] = [];
  for (const node of candidates.find(tree)) {
    // A node whose text lacks a token of the pattern cannot match: one string search spares walking its children.
    if (required && !source.slice(node.startIndex, node.endIndex).includes(required)) continue;
    const captures = matchAt(pattern, node, source);
    if (captures) found.push({ node, captures });
    if (found.length >= maxCount) break;
  }
  return found;
}

/** Finds the nodes of the pattern root's type; a query does it inside WASM, far faster than walking every node from JS. */
export class CandidateFinder {
  private readonly query: Query | null;

  constructor(language: Language, pattern: PatternNode) {
    this.query = pattern.kind === 'var' ? null : typeQuery(language, pattern.type);
  }

  find(tree: Tree): Node[] {
    if (this.query) return this.query.captures(tree.rootNode).map((capture) => capture.node);
    return allNodes(tree);
  }

  delete(): void {
    this.query?.delete();
  }
}

function typeQuery(language: Language, type: string): Query | null {
  try {
    return new Query(language, /^[A-Za-z_][A-Za-z0-9_]*$/.test(type) ? `(${type}) @m` : `${JSON.stringify(type)} @m`);
  } catch {
    return null;
  }
}

function allNodes(tree: Tree): Node[] {
  const nodes: Node[] = [];
  const cursor = tree.walk();
  try {
    for (;;) {
      if (cursor.nodeIsNamed) nodes.push(cursor.currentNode);
      if (cursor.gotoFirstChild() || cursor.gotoNextSibling()) continue;
      let climbed = false;
      while (cursor.gotoParent()) {
        if (cursor.gotoNextSibling()) {
          climbed = true;
          break;
        }
      }
      if (!climbed) return nodes;
    }
  } finally {
    cursor.delete();
  }
}

function matchNode(pattern: PatternNode, target: Node, source: string, bound: Bindings, added: string[]): boolean {
  switch (pattern.kind) {
    case 'var':
      return bind(bound, pattern.name, target.text, added);
    case 'leaf':
      return target.type === pattern.type && target.text === pattern.text;
    case 'node':
      if (target.type !== pattern.type) return false;
      return matchSequence(pattern.children, 0, significantChildren(target), 0, source, bound, added);
  }
}

/** Children that carry the code: comments (extras) and zero-width nodes inserted by error recovery are skipped. */
function significantChildren(node: Node): Node[] {
  const children: Node[] = [];
  for (const child of node.children) if (child && !child.isExtra && !child.isMissing) children.push(child);
  return children;
}

function matchSequence(ps: PatternNode[], i: number, ts: Node[], j: number, source: string, bound: Bindings, added: string[]): boolean {
  if (i === ps.length) return ts.slice(j).every((t) => !t.isNamed);
  const p = ps[i];
  if (isMulti(p)) {
    for (let k = j; k <= ts.length; k++) {
      const mark = added.length;
      const text = k === j ? '' : source.slice(ts[j].startIndex, ts[k - 1].endIndex);
      if (bind(bound, p.name, text, added)) {
        if (matchSequence(ps, i + 1, ts, k, source, bound, added)) return true;
        if (k === j && isComma(ps[i + 1]) && matchSequence(ps, i + 2, ts, k, source, bound, added)) return true;
      }
      undo(bound, added, mark);
    }
    return false;
  }
  const mark = added.length;
  if (isComma(p) && isMulti(ps[i + 1])) {
    const multi = ps[i + 1] as { name: string };
    if (bind(bound, multi.name, '', added) && matchSequence(ps, i + 2, ts, j, source, bound, added)) return true;
    undo(bound, added, mark);
  }
  if (j === ts.length) return false;
  if (matchNode(p, ts[j], source, bound, added) && matchSequence(ps, i + 1, ts, j + 1, source, bound, added)) return true;
  undo(bound, added, mark);
  return !ts[j].isNamed && matchSequence(ps, i, ts, j + 1, source, bound, added);
}

function isMulti(node: PatternNode | undefined): node is { kind: 'var'; name: string; multi: true } {
  return node?.kind === 'var' && node.multi;
}

function isComma(node: PatternNode | undefined): boolean {
  return node?.kind === 'leaf' && node.text === ',';
}

/** Anonymous metavariables match anything; a named one matches what it matched before, or binds now. */
function bind(bound: Bindings, name: string, text: string, added: string[]): boolean {
  if (!name) return true;
  const seen = bound.get(name);
  if (seen !== undefined) return seen === text;
  bound.set(name, text);
  added.push(name);
  return true;
}

function undo(bound: Bindings, added: string[], mark: number): void {
  while (added.length > mark) bound.delete(added.pop()!);
}

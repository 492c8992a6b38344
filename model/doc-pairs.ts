// Finds (documentation, code) pairs in one source file with ccc's own Tree-sitter grammars and definition queries
// (grammars/): every function or method whose documentation is a Python docstring, a Go or Rust doc comment, or a JSDoc
// block. The code side is the definition with its documentation removed, as a search would see undocumented code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Node, Parser, Query } from 'web-tree-sitter';
import { definitionQuery, languageSpec } from '../grammars/languages';

export interface DocPair {
  doc: string;
  code: string;
  /** The whole definition as written, documentation included (to compare with the evaluation's functions). */
  original: string;
}

/** The languages whose documentation convention this file reads. */
export const DOC_LANGUAGES = ['python', 'go', 'rust', 'javascript', 'typescript', 'java'] as const;

/** Definition kinds that are functions (the words the queries in grammars/definition-queries.ts use). */
const FUNCTION_KINDS = new Set(['function', 'method', 'fn', 'func', 'def', 'constructor']);
/** A code chunk never exceeds this (daemon/index/text-splitter.ts), so neither does a training example. */
const MAX_CODE_CHARS = 4000;
const MIN_DOC_WORDS = 3;
const MAX_DOC_WORDS = 64;

const wasmDir = join(__dirname, '../node_modules/@cursorless/tree-sitter-wasms/out');

interface Grammar {
  language: Language;
  query: Query;
}

export class DocPairExtractor {
  private parser: Parser | undefined;
  private readonly grammars = new Map<string, Grammar>();

  async pairs(text: string, languageId: string): Promise<DocPair[]> {
    const grammar = await this.grammar(languageId);
    if (!this.parser) {
      await Parser.init();
      this.parser = new Parser();
    }
    this.parser.setLanguage(grammar.language);
    const tree = this.parser.parse(text);
    if (!tree) return [];
    try {
      const out: DocPair[] = [];
      const seen = new Set<number>();
      for (const match of grammar.query.matches(tree.rootNode)) {
        const capture = match.captures.find((c) => c.name.startsWith('definition.'));
        if (!capture || !FUNCTION_KINDS.has(capture.name.slice('definition.'.length))) continue;
        const node = capture.node;
        // A decorated Python function matches twice, with and without its decorators: the first (wider) match wins.
        const key = (node.type === 'decorated_definition' ? node.childForFieldName('definition') : node)?.startIndex ?? node.startIndex;
        if (seen.has(key)) continue;
        seen.add(key);
        const name = match.captures.find((c) => c.name === 'name')?.node.text ?? '';
        const pair = languageId === 'python' ? pythonPair(node, name) : commentPair(node, name, languageId);
        if (pair) out.push(pair);
      }
      return out;
    } finally {
      tree.delete();
    }
  }

  private async grammar(languageId: string): Promise<Grammar> {
    const spec = languageSpec(languageId);
    const source = definitionQuery(languageId);
    if (!spec?.grammar || !source) throw new Error(`no grammar with a definitions query for ${languageId}`);
    let grammar = this.grammars.get(spec.grammar);
    if (!grammar) {
      if (!this.parser) await Parser.init();
      const language = await Language.load(readFileSync(join(wasmDir, `tree-sitter-${spec.grammar}.wasm`)));
      grammar = { language, query: new Query(language, source) };
      this.grammars.set(spec.grammar, grammar);
    }
    return grammar;
  }
}

/** A decorated Python definition's match covers the decorators; the docstring is in the function inside. */
function pythonPair(node: Node, name: string): DocPair | undefined {
  const fn = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  const first = fn?.childForFieldName('body')?.namedChildren[0];
  const literal = first?.type === 'expression_statement' ? first.namedChildren[0] : undefined;
  if (!first || literal?.type !== 'string') return undefined;
  const body = /^[rRuUbB]*("""|'''|"|')([\s\S]*)\1$/.exec(literal.text)?.[2];
  const doc = body === undefined ? undefined : cleanDoc(body, name);
  if (!doc) return undefined;
  const original = node.text;
  // The docstring's own line goes with it: what is left reads like the undocumented function.
  return { doc, code: withoutSpan(original, original.indexOf(first.text), first.text.length).slice(0, MAX_CODE_CHARS), original };
}

/** Go's `//` lines, Rust's `///` lines and JSDoc / Javadoc `/** … *\/` blocks right above the definition. */
function commentPair(node: Node, name: string, languageId: string): DocPair | undefined {
  let outer = node.parent?.type === 'export_statement' ? node.parent : node;
  const comments: string[] = [];
  let top = outer.startPosition.row;
  for (let previous = outer.previousNamedSibling; previous; previous = previous.previousNamedSibling) {
    if (previous.endPosition.row < top - 1) break;
    if (/attribute_item|decorator|annotation/.test(previous.type)) {
      top = previous.startPosition.row;
      continue;
    }
    if (!/comment/.test(previous.type)) break;
    comments.unshift(previous.text);
    top = previous.startPosition.row;
    outer = previous;
  }
  const raw = docComment(comments, languageId);
  const doc = raw === undefined ? undefined : cleanDoc(raw, name);
  if (!doc) return undefined;
  return { doc, code: node.text.slice(0, MAX_CODE_CHARS), original: node.text };
}

function docComment(comments: string[], languageId: string): string | undefined {
  if (comments.length === 0) return undefined;
  if (languageId === 'go') return comments.every((c) => c.startsWith('//')) ? comments.map((c) => c.slice(2)).join('\n') : undefined;
  if (languageId === 'rust') {
    const lines = comments.filter((c) => c.startsWith('///'));
    return lines.length > 0 ? lines.map((c) => c.slice(3)).join('\n') : undefined;
  }
  const block = comments[comments.length - 1];
  if (!block.startsWith('/**')) return undefined;
  return block.slice(3, -2).split('\n').map((line) => line.replace(/^\s*\*\s?/, '')).join('\n');
}

/** Lines that end a doc's summary: parameter lists, examples, headings, directives. */
const SECTION_START = /^(@|:param|:type|:return|:raises|\.\. |>>>|```|#|-{3,}|=+$|(Args|Arguments|Parameters|Returns|Raises|Yields|Examples?|Notes?|See also)\s*:?$)/i;
/** Docs that describe no behaviour. */
const NOT_A_SUMMARY = /^(todo|fixme|xxx|deprecated|copyright|noqa|pragma|see |internal|private|undocumented|docstring|inheritdoc|\{@inheritdoc)/i;

/** The first paragraph as plain words: markup gone, and a leading repetition of the function's name (Go's convention) dropped. */
export function cleanDoc(raw: string, name: string): string | undefined {
  const lines: string[] = [];
  for (const line of raw.split('\n').map((l) => l.trim())) {
    if (line === '' || SECTION_START.test(line)) {
      if (lines.length > 0) break;
      continue;
    }
    lines.push(line);
  }
  let doc = lines.join(' ')
    .replace(/:[a-z]+:`~?([^`]+)`/g, '$1') // Sphinx roles
    .replace(/\{@\w+\s+([^}]+)\}/g, '$1') // JSDoc inline tags
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // Markdown links
    .replace(/[`*[\]]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (name && doc.startsWith(`${name} `)) doc = doc.slice(name.length + 1);
  const words = doc.split(' ');
  if (words.filter((w) => /\p{L}/u.test(w)).length < MIN_DOC_WORDS || NOT_A_SUMMARY.test(doc)) return undefined;
  return words.slice(0, MAX_DOC_WORDS).join(' ');
}

/** `text` without [start, start + length) and the blanks and line break around it. */
function withoutSpan(text: string, start: number, length: number): string {
  let from = start;
  while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  let to = start + length;
  while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
  if (text[to] === '\n') to++;
  return text.slice(0, from) + text.slice(to);
}

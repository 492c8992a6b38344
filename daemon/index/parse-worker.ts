// Worker thread entry (dist/parse-worker.js): chunks one file per message with web-tree-sitter. It runs off the daemon's
// main thread, and its WASM heap (which never shrinks) is thrown away with the worker when the Chunker recycles it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Language, Node, Parser, Query } from 'web-tree-sitter';
import { definitionQuery, languageSpec } from '../../grammars/languages';
import { Definition, layoutChunks } from './chunk-layout';
import type { Chunk, SourceFile } from './chunker';
import { markdownSections } from './markdown-sections';
import { SourceLines, spansToChunks, splitText } from './text-splitter';

export interface ParseWorkerData {
  /** Holds tree-sitter.wasm and the grammars' wasm files. */
  grammarsDir: string;
}
export type ParseRequest = { file: SourceFile };
/**
 * One reply per file, in order, after one `ready` once tree-sitter has started; `fatal` instead when it could not start,
 * so the Chunker counts a worker that dies or fails before `ready` as one that could not start, not as a file's fault.
 */
export type ParseReply = { ready: true } | { fatal: string } | { chunks: Chunk[]; heapBytes: number } | { error: string; heapBytes: number };

/** Beyond this a parse costs more heap than its definitions are worth (FACTS: an 8 MB file leaves a 138 MB heap). */
const MAX_PARSE_CHARS = 1_000_000;
/** Lines this long on average mean minified or generated code: its definitions share lines, so rows cannot separate them. */
const MINIFIED_AVERAGE_LINE = 300;
/** Nodes before a definition that belong to it. */
const leadingTypes = /comment|attribute_item|decorator|annotation/;

interface Grammar {
  language: Language;
  query: Query;
}

const { grammarsDir } = workerData as ParseWorkerData;
/** The Emscripten module: its HEAP8 is the WASM heap, replaced whenever the heap grows. */
const wasmModule: { HEAP8?: Int8Array; locateFile: (name: string) => string } = { locateFile: (name) => join(grammarsDir, name) };
let parser: Parser | undefined;
const grammars = new Map<string, Grammar>();

async function grammarFor(id: string, grammar: string): Promise<Grammar> {
  let loaded = grammars.get(grammar);
  if (!loaded) {
    const language = await Language.load(readFileSync(join(grammarsDir, `tree-sitter-${grammar}.wasm`)));
    loaded = { language, query: new Query(language, definitionQuery(id)!) };
    grammars.set(grammar, loaded);
  }
  return loaded;
}

async function chunkFile(file: SourceFile): Promise<Chunk[]> {
  const spec = languageSpec(file.language);
  const lines = new SourceLines(file.text);
  if (file.language === 'markdown') return spansToChunks(file, lines, layoutChunks(lines, markdownSections(lines)));
  const tooBig = file.text.length > MAX_PARSE_CHARS || file.text.length > lines.count * MINIFIED_AVERAGE_LINE;
  if (!spec?.grammar || !definitionQuery(spec.id) || tooBig) return splitText(file);
  const { language, query } = await grammarFor(spec.id, spec.grammar);
  parser ??= new Parser();
  parser.setLanguage(language);
  const tree = parser.parse(file.text);
  if (!tree) throw new Error('tree-sitter returned no tree');
  try {
    const definitions = nest(findDefinitions(query, tree.rootNode, file.language === 'json' || file.language === 'yaml'));
    return spansToChunks(file, lines, layoutChunks(lines, definitions));
  } finally {
    tree.delete();
  }
}

function findDefinitions(query: Query, root: Node, unquote: boolean): Definition[] {
  const byName = new Map<string, Definition>();
  for (const match of query.matches(root)) {
    let first: Node | undefined;
    let kind = '';
    let end = -1;
    let name = '';
    let receiver = '';
    let trait = '';
    for (const { name: capture, node } of match.captures) {
      if (capture.startsWith('definition.')) {
        kind = capture.slice('definition.'.length);
        if (!first || node.startIndex < first.startIndex) first = node;
        end = Math.max(end, lastRow(node));
      } else if (capture === 'name') name = name ? `${name} = ${nameText(node.text, unquote)}` : nameText(node.text, unquote);
      else if (capture === 'receiver') receiver = nameText(node.text, false);
      else if (capture === 'trait') trait = nameText(node.text, false);
    }
    if (!first) continue;
    name ||= nameText(first.childForFieldName('name')?.text ?? '', unquote);
    if (receiver) name = `${receiver}.${name}`;
    if (trait) name = `${trait} for ${name}`;
    const definition: Definition = { start: leadingStart(first), end, kind, name, children: [] };
    // Patterns may match one definition twice (a Python function and its decorated wrapper): keep the wider.
    const key = `${name}@${match.captures.find((c) => c.name === 'name')?.node.startIndex ?? definition.start}`;
    const seen = byName.get(key);
    if (!seen || definition.end - definition.start > seen.end - seen.start) byName.set(key, definition);
  }
  return [...byName.values()];
}

/** The last row a node covers: one ending at column 0 ends on the line before. */
function lastRow(node: Node): number {
  const { row, column } = node.endPosition;
  return column === 0 && row > node.startPosition.row ? row - 1 : row;
}

/**
 * A definition starts at the doc comments, attributes and decorators right above it. A `/** … */` block documents the
 * definition even across one blank line (express writes its JSDoc that way); a `/*!` licence header never does.
 */
function leadingStart(node: Node): number {
  let outer = node.parent?.type === 'export_statement' ? node.parent : node;
  const own = outer;
  let start = outer.startPosition.row;
  for (let previous = outer.previousNamedSibling; previous && leadingTypes.test(previous.type); previous = previous.previousNamedSibling) {
    const gap = start - 1 - lastRow(previous);
    if (gap > 1 || (gap === 1 && !(outer === own && isDocBlock(previous)))) break;
    start = previous.startPosition.row;
    outer = previous;
  }
  return start;
}

function isDocBlock(node: Node): boolean {
  return node.type.includes('comment') && node.text.startsWith('/**') && !node.text.startsWith('/**/');
}

function nameText(text: string, unquote: boolean): string {
  const name = text.replace(/\s+/g, ' ').slice(0, 100);
  return unquote ? name.replace(/^(["'])(.*)\1$/, '$2') : name;
}

/** Nests definitions by row containment: a definition inside another's rows is its child. */
function nest(definitions: Definition[]): Definition[] {
  definitions.sort((a, b) => a.start - b.start || b.end - a.end);
  const roots: Definition[] = [];
  const open: Definition[] = [];
  for (const definition of definitions) {
    while (open.length && open[open.length - 1].end < definition.end) open.pop();
    (open.length ? open[open.length - 1].children : roots).push(definition);
    open.push(definition);
  }
  return roots;
}

function heapBytes(): number {
  return wasmModule.HEAP8?.buffer.byteLength ?? 0;
}

async function handle({ file }: ParseRequest): Promise<ParseReply> {
  // Fault injection for the tests: a worker that dies mid-file must be replaced and the file still chunked.
  if (process.env.CCC_TEST_PARSE_CRASH_PATH === file.path) process.exit(1);
  try {
    return { chunks: await chunkFile(file), heapBytes: heapBytes() };
  } catch (error) {
    return { error: (error as Error).message, heapBytes: heapBytes() };
  }
}

// Fault injection for the tests: a worker that cannot start must be retried and then reported, never stand-in text.
if (process.env.CCC_TEST_PARSE_WORKER_START_FAIL) throw new Error(process.env.CCC_TEST_PARSE_WORKER_START_FAIL);

// Files are handled strictly in turn: the Chunker matches replies to files by their order. A worker whose tree-sitter did
// not start says so once and answers nothing more: the Chunker replaces it.
const treeSitterStarted = Parser.init(wasmModule as never).then(
  () => {
    parentPort!.postMessage({ ready: true } satisfies ParseReply);
    return true;
  },
  (error: Error) => {
    parentPort!.postMessage({ fatal: `tree-sitter did not start: ${error.message}` } satisfies ParseReply);
    return false;
  },
);
let turn: Promise<unknown> = treeSitterStarted;
parentPort!.on('message', (request: ParseRequest) => {
  turn = turn.then(async () => {
    if (await treeSitterStarted) parentPort!.postMessage(await handle(request));
  });
});

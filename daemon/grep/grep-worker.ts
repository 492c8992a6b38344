// Worker thread entry (dist/grep-worker.js): compiles `ccc grep` patterns and matches them in files, one message at a
// time, so replies come back in the order of the requests. Two of these run per grep; the daemon's thread only walks,
// reads and filters files by text.
import { parentPort, workerData } from 'node:worker_threads';
import type { Parser } from 'web-tree-sitter';
import { fileMatches, type FileMatch } from './file-matches';
import { CandidateFinder } from './matcher';
import { compilePattern, PatternError, type CompiledPattern } from './pattern';
import { TreeSitterLoader } from './tree-sitter-loader';

export interface GrepWorkerData {
  /** Holds tree-sitter.wasm and the grammars' wasm files. */
  grammarsDir: string;
}

export type GrepWorkerRequest =
  | { kind: 'compile'; language: string; grammar: string; pattern: string }
  | { kind: 'match'; language: string; text: string; maxCount: number };

export type GrepWorkerReply =
  | { kind: 'compiled'; required: string[] }
  | { kind: 'invalid'; message: string; line: number; column: number }
  | { kind: 'matches'; matches: FileMatch[] }
  | { kind: 'failed'; error: string };

interface Compiled {
  grammar: string;
  pattern: CompiledPattern;
  candidates: CandidateFinder;
}

const loader = new TreeSitterLoader((workerData as GrepWorkerData).grammarsDir);
const compiled = new Map<string, Compiled>();
let parser: Parser | undefined;

async function handle(request: GrepWorkerRequest): Promise<GrepWorkerReply> {
  parser ??= await loader.parser();
  if (request.kind === 'compile') {
    const language = await loader.language(request.grammar);
    parser.setLanguage(language);
    try {
      const pattern = compilePattern(parser, request.grammar, request.language, request.pattern);
      compiled.set(request.language, { grammar: request.grammar, pattern, candidates: new CandidateFinder(language, pattern.root) });
      return { kind: 'compiled', required: pattern.required };
    } catch (error) {
      if (!(error instanceof PatternError)) throw error;
      return { kind: 'invalid', message: error.message, line: error.line, column: error.column };
    }
  }
  const entry = compiled.get(request.language);
  if (!entry) return { kind: 'failed', error: `no pattern compiled for ${request.language}` };
  parser.setLanguage(await loader.language(entry.grammar));
  return { kind: 'matches', matches: fileMatches(parser, entry.pattern, entry.candidates, request.text, request.maxCount) };
}

let turn: Promise<unknown> = Promise.resolve();
parentPort!.on('message', (request: GrepWorkerRequest) => {
  turn = turn.then(() =>
    handle(request).then(
      (reply) => parentPort!.postMessage(reply),
      (error: Error) => parentPort!.postMessage({ kind: 'failed', error: error.message } satisfies GrepWorkerReply),
    ),
  );
});

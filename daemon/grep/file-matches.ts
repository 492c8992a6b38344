// The matches of one compiled pattern in one file's text, as the protocol reports them (1-based lines and columns, the
// matched lines' text, the captures). Used by the grep worker, and by the matcher's tests with real grammars.
import type { Parser } from 'web-tree-sitter';
import type { GrepMatch } from '../protocol';
import { findMatches, type CandidateFinder } from './matcher';
import type { CompiledPattern } from './pattern';

export type FileMatch = Omit<GrepMatch, 'path' | 'language' | 'kind'>;

/** `parser` must be set to the pattern's language. */
export function fileMatches(parser: Parser, pattern: CompiledPattern, candidates: CandidateFinder, text: string, maxCount: number): FileMatch[] {
  const tree = parser.parse(text);
  if (!tree) return [];
  try {
    return findMatches(pattern.root, candidates, tree, text, maxCount, pattern.required[0]).map(({ node, captures }) => {
      const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
      const newline = text.indexOf('\n', Math.max(node.endIndex - 1, node.startIndex));
      return {
        startLine: node.startPosition.row + 1,
        startColumn: node.startPosition.column + 1,
        endLine: node.endPosition.row + 1,
        endColumn: node.endPosition.column + 1,
        lines: text.slice(lineStart, newline === -1 ? text.length : newline),
        captures: Object.fromEntries(captures),
      };
    });
  } finally {
    tree.delete();
  }
}

/** False when the text lacks a token every match contains: the file need not be parsed. */
export function mayMatch(pattern: CompiledPattern, text: string): boolean {
  return pattern.required.every((token) => text.includes(token));
}

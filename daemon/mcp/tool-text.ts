// The text the MCP tools return: what an agent needs to act on a result (where, what, the code), in few tokens.
import type { DoctorCheck, FileHit, GrepMatch, GrepResult, IndexResult, ProjectStatus, SearchHit, SearchResult } from '../protocol';

export interface SearchTextOptions {
  offset: number;
  /** The whole chunk instead of the match window and a few lines around it. */
  fullChunks: boolean;
}

/** Lines of context shown around a hit's match window: enough to read the code, few enough to keep many hits. */
const CONTEXT_LINES = 3;

export function searchResultText(result: SearchResult, options: SearchTextOptions): string {
  const notes = [
    result.queryNote ?? '',
    result.indexedFirst ? 'The project was indexed first.' : '',
    result.indexing ? 'An index pass is running: results may be incomplete.' : '',
  ].filter(Boolean);
  if (result.results.length === 0 && !result.files?.length) {
    if (result.indexing) notes.push('The index is still being built; try again shortly.');
    const what = result.noGoodMatch ? 'No good match' : 'No results';
    const weak = result.weakHits > 0 ? ` ${result.weakHits} weak hits were left out (includeWeak returns them).` : '';
    return `${what} for "${result.query}" (${result.mode}).${weak} ${notes.join(' ')} Try other words, another mode, or grep for an exact string.`.replace(/ +/g, ' ');
  }
  if (result.files) {
    const header = `Files for "${result.query}" (${result.mode}, ${result.tookMs} ms). ${notes.join(' ')}`.trim();
    return [header, ...result.files.map((file, i) => fileText(file, options.offset + i + 1))].join('\n');
  }
  const first = options.offset + 1;
  const last = options.offset + result.results.length;
  const header = `Results ${first}-${last} for "${result.query}" (${result.mode}, ${result.tookMs} ms). ${notes.join(' ')}`.trim();
  return [header, ...result.results.map((hit, i) => hitText(hit, first + i, options.fullChunks))].join('\n\n');
}

function fileText(file: FileHit, rank: number): string {
  const symbol = file.symbol ? `  ${file.symbol}` : '';
  return `[${rank}] ${file.path}:${file.bestLine}${symbol}  (${file.language}, ${file.kind}, ${file.chunks} matching chunks, score ${file.score.toFixed(3)})`;
}

function hitText(hit: SearchHit, rank: number, fullChunks: boolean): string {
  const symbol = hit.symbol ? `  ${hit.symbol}` : '';
  const kind = hit.kind === 'code' ? '' : `, ${hit.kind}`;
  const { startLine, code } = fullChunks ? { startLine: hit.startLine, code: hit.content } : shownLines(hit);
  const endLine = startLine + code.split('\n').length - 1;
  const shown = fullChunks || (startLine === hit.startLine && endLine >= hit.endLine) ? '' : ` (lines ${startLine}-${endLine} shown)`;
  const fence = fenceFor(code);
  return `[${rank}] ${hit.path}:${hit.startLine}-${hit.endLine}${symbol}  (${hit.language}${kind}, score ${hit.score.toFixed(3)})${shown}\n` +
    `${fence}${hit.language}\n${code}\n${fence}`;
}

/** The match window with CONTEXT_LINES around it, clamped to the chunk. */
function shownLines(hit: SearchHit): { startLine: number; code: string } {
  const lines = hit.content.replace(/\n$/, '').split('\n');
  const from = Math.max(hit.startLine, hit.matchStart - CONTEXT_LINES);
  const to = Math.min(hit.startLine + lines.length - 1, hit.matchEnd + CONTEXT_LINES);
  return { startLine: from, code: lines.slice(from - hit.startLine, to - hit.startLine + 1).join('\n') };
}

/** A fence longer than any run of backticks inside the code, so the code cannot close it early. */
function fenceFor(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longest + 1));
}

export function statusText(status: ProjectStatus): string {
  const languages = Object.entries(status.languages)
    .sort((a, b) => b[1] - a[1])
    .map(([language, chunks]) => `${language} ${chunks}`)
    .join(', ');
  const lines = [
    `Project ${status.root}: ${status.state}.`,
    `${status.files} files, ${status.chunks} chunks${languages ? ` (${languages})` : ''}.`,
    `Model ${status.model} (${status.dimension}-d); index ${(status.indexBytes / 1e6).toFixed(1)} MB on disk.`,
    `Last indexed: ${status.lastIndexedAt ? new Date(status.lastIndexedAt).toISOString() : 'never'}.`,
  ];
  if (status.progress?.percentage !== undefined) lines.push(`Indexing: ${Math.round(status.progress.percentage)} %.`);
  if (status.error) lines.push(`Error: ${status.error}`);
  return lines.join('\n');
}

export function indexResultText(result: IndexResult): string {
  const c = result.counts;
  const lines = [
    `Indexed ${result.root} in ${(result.tookMs / 1000).toFixed(1)} s: ${result.chunks} chunks from ${c.files} files.`,
    `${c.added} added, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.skipped} skipped, ${c.errors} errors.`,
  ];
  for (const problem of result.problems.slice(0, 10)) lines.push(`- ${problem.path}: ${problem.reason}`);
  return lines.join('\n');
}

export function doctorText(checks: DoctorCheck[]): string {
  const errors = checks.filter((check) => check.status === 'error').length;
  const lines = checks.map((check) => `${check.status} ${check.name}: ${check.detail}${check.fix ? ` (fix: ${check.fix})` : ''}`);
  return [errors > 0 ? `${errors} check(s) failed.` : 'No errors.', ...lines].join('\n');
}

/** Matches shown to an agent at most; the rest are counted, so it narrows the pattern or the paths. */
const GREP_SHOWN = 100;

export function grepText({ result, matches }: { result: GrepResult; matches: GrepMatch[] }): string {
  if (matches.length === 0) return `No match in ${result.filesSearched} files (${result.languages.join(', ') || 'no language parsed the pattern'}).`;
  const sorted = [...matches].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.startLine - b.startLine || a.startColumn - b.startColumn));
  const shown = sorted.slice(0, GREP_SHOWN).map((match) => {
    const captures = Object.entries(match.captures).map(([name, value]) => `  $${name} = ${value}`);
    return [`${match.path}:${match.startLine}:${match.startColumn}`, match.lines, ...captures].join('\n');
  });
  const more = matches.length > GREP_SHOWN ? `\n(${matches.length - GREP_SHOWN} more matches not shown: narrow the pattern, paths or maxCount)` : '';
  return `${result.matches} match(es) in ${result.filesMatched} of ${result.filesSearched} files:\n\n${shown.join('\n\n')}${more}`;
}

// The text the MCP tools return: what an agent needs to act on a result (where, what, the code), in few tokens.
import type { IndexResult, ProjectStatus, SearchHit, SearchResult } from '../protocol';

export function searchResultText(result: SearchResult, offset: number): string {
  if (result.results.length === 0) {
    const note = result.indexing ? ' The index is still being built; try again shortly.' : '';
    return `No results for "${result.query}" (${result.mode}).${note} Try other words, another mode, or grep for an exact string.`;
  }
  const notes = [
    result.indexedFirst ? 'The project was indexed first.' : '',
    result.indexing ? 'An index pass is running: results may be incomplete.' : '',
  ].filter(Boolean);
  const first = offset + 1;
  const last = offset + result.results.length;
  const header = `Results ${first}-${last} for "${result.query}" (${result.mode}, ${result.tookMs} ms). ${notes.join(' ')}`.trim();
  return [header, ...result.results.map((hit, i) => hitText(hit, first + i))].join('\n\n');
}

function hitText(hit: SearchHit, rank: number): string {
  const symbol = hit.symbol ? `  ${hit.symbol}` : '';
  const fence = fenceFor(hit.content);
  return `[${rank}] ${hit.path}:${hit.startLine}-${hit.endLine}${symbol}  (${hit.language}, score ${hit.score.toFixed(3)})\n` +
    `${fence}${hit.language}\n${hit.content.replace(/\n$/, '')}\n${fence}`;
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

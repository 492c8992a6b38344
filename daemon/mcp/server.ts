// `ccc mcp`: an MCP server on stdio that lets coding agents search one project through the daemon.
// One daemon connection per tool call; stdout carries MCP messages only.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { CLIENT_VERSION } from '../client';
import { DEFAULT_MAX_PER_FILE, DEFAULT_SEARCH_LIMIT, FILE_KINDS, MAX_SEARCH_LIMIT, SEARCH_MODES, type FileKind } from '../protocol';
import { grepProject, indexProject, projectDoctor, projectStatus, searchProject } from './daemon-calls';
import { doctorText, grepText, indexResultText, searchResultText, statusText } from './tool-text';

const SEARCH_DESCRIPTION = [
  'Search this project\'s code by meaning and by keywords (local index; nothing leaves the machine).',
  'Use it when you know what the code does but not what it is called: concept or intent queries ("where are retries handled",',
  '"parse the config file", "validate user input"), unfamiliar codebases, or finding related code with different names.',
  'Prefer a text search (rg, grep) for an exact string you already know (an error message, a full identifier) or when you need every occurrence,',
  'and this server\'s grep tool for code of a known shape (every call of f with a given argument).',
  'A pasted bug report or stack trace works as a query: its paths, identifiers and error lines count most.',
  'Returns ranked chunks (whole functions/classes) as path:startLine-endLine, symbol, file kind, and the lines that matched',
  '(set fullChunks for the whole code); files=true ranks files instead ("where should I look").',
  'Definitions rank above mentions, implementation above tests and docs unless asked. "No good match" means nothing scored',
  'above the floor: rephrase rather than trust weak hits.',
  'Modes: hybrid (default, best overall), semantic (meaning only), keyword (BM25 over code-aware tokens).',
  'The index is kept fresh by a file watcher; the first search of a never-indexed project builds the index first.',
].join(' ');

const STATUS_DESCRIPTION =
  'Show the state of this project\'s search index: ready or indexing, file and chunk counts per language, model, last indexed time.';

const REINDEX_DESCRIPTION = [
  'Re-index the project now and wait for it to finish. Rarely needed: a watcher keeps the index fresh.',
  'Use after large changes made outside the editor (branch switch, generated files) if results look stale; force=true rebuilds from scratch.',
].join(' ');

const searchInput = {
  query: z.string().trim().min(1, 'query must not be empty: describe the code you are looking for'),
  limit: z.number().int().min(1).max(MAX_SEARCH_LIMIT).optional()
    .describe(`How many results (default ${DEFAULT_SEARCH_LIMIT}, at most ${MAX_SEARCH_LIMIT}).`),
  offset: z.number().int().min(0).optional().describe('Skip this many results, to page through more.'),
  languages: z.array(z.string()).optional().describe('Only these languages, by name or rg short name, e.g. ["ts", "python"].'),
  paths: z.array(z.string()).optional()
    .describe('Only files matching these globs, relative to the project root; a glob starting with ! excludes, e.g. ["src/**", "!**/*.test.ts"].'),
  kinds: z.array(z.enum(FILE_KINDS as [FileKind, ...FileKind[]])).optional()
    .describe('Only these kinds of file (code, test, docs, example, generated). Default: all, code ranked first.'),
  mode: z.enum(SEARCH_MODES as [string, ...string[]]).optional().describe('hybrid (default), semantic or keyword.'),
  maxPerFile: z.number().int().min(0).optional()
    .describe(`At most this many chunks per file, 0 = no cap (default ${DEFAULT_MAX_PER_FILE} among the first hits).`),
  files: z.boolean().optional().describe('Rank files instead of chunks: one line per file.'),
  includeWeak: z.boolean().optional().describe('Also return hits under the no-match floor.'),
  fullChunks: z.boolean().optional().describe('Return each hit\'s whole chunk instead of its matching lines.'),
};

const DOCTOR_DESCRIPTION = [
  'Check why search results look wrong or missing: settings, the daemon, the model, which files are indexed and why others are',
  'left out, whether the index matches the files on disk, how changes are watched, recent errors. Each line: ok / warning / error',
  'and what to do.',
].join(' ');

const GREP_DESCRIPTION = [
  'Find code by its structure: a pattern written as code in the target language, with ast-grep metavariables:',
  '$NAME matches one node (an expression, an argument, a statement), $$$NAME or $$$ any sequence of nodes, $_ one node without capturing;',
  'the same $NAME twice must match the same text. Examples: \'fetch($URL, { method: "POST", $$$ })\' (language ts),',
  '\'except $E: pass\' (python), \'if $ERR != nil { return $ERR }\' (go). Whitespace and comments do not matter; names and literals must be exact.',
  'Needs no index: it parses the current files. Returns path:line:col, the matched lines and what each metavariable captured.',
].join(' ');

const grepInput = {
  pattern: z.string().trim().min(1, 'pattern must not be empty: write code with $NAME where anything may stand'),
  language: z.string().optional().describe('The pattern\'s language by name or extension, e.g. "ts", "python", "go". Default: every language it parses in.'),
  paths: z.array(z.string()).optional().describe('Only these files or folders, relative to the project root, e.g. ["src"].'),
  maxCount: z.number().int().min(1).optional().describe('At most this many matches per file.'),
};

const reindexInput = {
  force: z.boolean().optional().describe('Drop the stored index and rebuild it from scratch.'),
};

function text(body: string) {
  return { content: [{ type: 'text' as const, text: body }] };
}

export function createMcpServer(root: string): McpServer {
  const server = new McpServer({ name: 'ccc', version: CLIENT_VERSION });

  server.registerTool('search', { description: SEARCH_DESCRIPTION, inputSchema: searchInput }, async (args) => {
    const offset = args.offset ?? 0;
    const result = await searchProject({
      root,
      query: args.query,
      mode: args.mode as (typeof SEARCH_MODES)[number] | undefined,
      limit: args.limit ?? DEFAULT_SEARCH_LIMIT,
      offset,
      languages: args.languages,
      paths: args.paths,
      kinds: args.kinds,
      maxPerFile: args.maxPerFile,
      files: args.files,
      includeWeak: args.includeWeak,
    });
    return text(searchResultText(result, { offset, fullChunks: args.fullChunks ?? false }));
  });

  server.registerTool('index_status', { description: STATUS_DESCRIPTION }, async () => text(statusText(await projectStatus(root))));

  server.registerTool('reindex', { description: REINDEX_DESCRIPTION, inputSchema: reindexInput }, async (args) =>
    text(indexResultText(await indexProject({ root, force: args.force ?? false }))),
  );

  server.registerTool('grep', { description: GREP_DESCRIPTION, inputSchema: grepInput }, async (args) =>
    text(grepText(await grepProject({ root, pattern: args.pattern, language: args.language, paths: args.paths, maxCount: args.maxCount }))),
  );

  server.registerTool('doctor', { description: DOCTOR_DESCRIPTION }, async () => text(doctorText(await projectDoctor(root))));

  return server;
}

/** Serves until the agent closes stdin (the SDK's transport does not watch for that itself). */
export async function serveMcp(root: string): Promise<void> {
  const server = createMcpServer(root);
  const stdinEnded = new Promise<void>((resolve) => process.stdin.once('end', resolve));
  await server.connect(new StdioServerTransport());
  await stdinEnded;
  await server.close();
}

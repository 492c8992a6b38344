// `ccc grep PATTERN [PATH...]`: structural search by example, printed as rg prints matches and as they arrive:
// `path:line:col`, then the matched lines with the match highlighted on a terminal; `--json` one object per match.
import { relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { findProjectRoot, type ClientOptions } from '../client';
import { patternErrorText, runGrep } from '../client/grep';
import type { GrepMatch } from '../protocol';
import { choosePalette, type Palette } from './format-hits';
import { ExitCode, notice, UsageError } from './output';

const options: ClientOptions = { client: 'cli', notify: notice };

interface GrepFlags {
  type?: string;
  maxCount?: number;
  json?: boolean;
  color: boolean;
}

function parseMaxCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('give a whole number of at least 1');
  return n;
}

/** `path:line:col`, then each matched line, the matched part highlighted. */
export function formatMatch(match: GrepMatch, shownPath: string, palette: Palette): string {
  const lines = match.lines.split('\n');
  const body = lines.map((line, i) => {
    const from = i === 0 ? match.startColumn - 1 : 0;
    const to = i === lines.length - 1 ? match.endColumn - 1 : line.length;
    return `${line.slice(0, from)}${palette.match(line.slice(from, to))}${line.slice(to)}`;
  });
  return [palette.path(`${shownPath}:${match.startLine}:${match.startColumn}`), ...body].join('\n');
}

async function runGrepCommand(pattern: string, paths: string[], flags: GrepFlags): Promise<void> {
  const cwd = process.cwd();
  const absPaths = paths.map((path) => resolve(cwd, path));
  const root = findProjectRoot(absPaths[0] ?? cwd);
  const relPaths = absPaths.map((path) => {
    const rel = relative(root, path);
    if (rel === '..' || rel.startsWith(`..${sep}`)) throw new UsageError(`${path} is outside the project ${root}: run ccc grep from inside one project`);
    return rel.split(sep).join('/') || '.';
  });
  let found = 0;
  // `ccc grep … | head` closes the pipe early: stop quietly, as rg does; the daemon stops when the connection goes.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(found > 0 ? ExitCode.Ok : ExitCode.Failure);
  });
  const palette = choosePalette(process.stdout, flags.color);
  const print = (matches: GrepMatch[]) => {
    found += matches.length;
    const out = matches.map((match) => {
      const shown = relative(cwd, resolve(root, match.path)) || match.path;
      return flags.json ? JSON.stringify({ ...match, path: shown }) : formatMatch(match, shown, palette);
    });
    process.stdout.write(`${out.join('\n')}\n`);
  };
  try {
    await runGrep({ root, pattern, language: flags.type, paths: relPaths.length > 0 ? relPaths : undefined, maxCount: flags.maxCount }, options, print);
  } catch (error) {
    const located = patternErrorText(error, pattern);
    if (located) throw new UsageError(located);
    throw error;
  }
  process.exitCode = found > 0 ? ExitCode.Ok : ExitCode.Failure;
}

export function register(program: Command): void {
  program
    .command('grep')
    .description('find code by its structure: a pattern of code with $NAME for any node, $$$ for any nodes (no index needed)')
    .argument('<pattern>', "code in the target language, e.g. 'fetch($URL, { method: \"POST\", $$$ })' or 'except $E: pass'")
    .argument('[path...]', 'files or folders to search (default: the current project)')
    .option('-t, --type <language>', 'the pattern\'s language, by name or extension: ts, py, go, rs, java, … (default: every language it parses in)')
    .option('-m, --max-count <n>', 'at most this many matches per file', parseMaxCount)
    .option('--json', 'one JSON object per match and line, with the captured metavariables')
    .option('--no-color', 'never colour the output')
    .addHelpText(
      'after',
      '\nMetavariables: $NAME one node, $$$NAME any sequence of nodes ($$$ unnamed), $_ one node not captured;\n' +
        'the same $NAME twice must match the same text.\nExit status: 0 when something matched, 1 when nothing did, 2 on a usage error.',
    )
    .action((pattern: string, paths: string[], flags: GrepFlags) => runGrepCommand(pattern, paths, flags));
}

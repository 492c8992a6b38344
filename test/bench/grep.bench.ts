// `npm run bench:grep`: time to all matches of `ccc grep` on a 10k-file tree, beside rg with a comparable regex and
// ast-grep's own CLI on the same patterns (installed from npm into a temp folder; skipped with a note if that fails).
// The tree is built the same way each run: JavaScript/TypeScript from node_modules (source-corpus.ts) and the Python
// standard library that Debian installs. ccc runs warm (daemon started first); each tool's time is the median of 3 runs
// after one warm-up, wall clock from spawn to exit, output counted. Target: ccc within 2x of ast-grep.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CCC_JS, makeTempHome, runCli } from '../support';
import { copySources } from './source-corpus';

const JS_FILES = 6_000;
const PY_FILES = 4_000;
const RUNS = 3;

interface Case {
  pattern: string;
  language: 'js' | 'py';
  /** What rg is given: a regex finding the same places by text. */
  regex: string;
  /** The regex needs backreferences (rg -P). */
  pcre?: boolean;
}

const cases: Case[] = [
  { pattern: 'require($MOD)', language: 'js', regex: String.raw`\brequire\(` },
  { pattern: 'new Promise($$$)', language: 'js', regex: String.raw`new Promise\(` },
  { pattern: 'Object.defineProperty($O, $K, $$$)', language: 'js', regex: String.raw`Object\.defineProperty\(` },
  { pattern: 'raise $E from $C', language: 'py', regex: String.raw`raise .+ from ` },
  { pattern: 'self.$A = $A', language: 'py', regex: String.raw`self\.(\w+) = \1$`, pcre: true },
  // ast-grep rejects this one ("Multiple AST nodes"): an except clause is no program alone; ccc parses it inside a try.
  { pattern: 'except $E: pass', language: 'py', regex: String.raw`except \w+: pass` },
];

/** The Python standard library Debian installs, then the Python packages installed beside it. */
function pythonRoots(): string[] {
  const stdlib = readdirSync('/usr/lib').filter((name) => /^python3\.\d+$/.test(name)).sort().map((name) => join('/usr/lib', name)).at(-1);
  return [stdlib, '/usr/lib/python3/dist-packages'].filter((dir): dir is string => dir !== undefined && existsSync(dir));
}

/** Up to `count` .py files from pythonRoots(), in a stable order, copied under `target/py/`. */
function copyPython(target: string, count: number): number {
  let copied = 0;
  const visit = (root: string, dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (copied >= count) return;
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !['site-packages', 'dist-packages', '__pycache__'].includes(entry.name)) visit(root, path);
      else if (entry.isFile() && entry.name.endsWith('.py') && statSync(path).size < 500_000) {
        // Folders the default settings exclude get a suffix: the tree is searched, not its ignore rules.
        const rel = relative(root, path).replace(/(^|\/)(test|tests|build|dist|vendor|out)(?=\/)/g, '$1$2_');
        const to = join(target, 'py', root.split('/').at(-1)!, rel);
        mkdirSync(join(to, '..'), { recursive: true });
        copyFileSync(path, to);
        copied++;
      }
    }
  };
  for (const root of pythonRoots()) visit(root, root);
  return copied;
}

/** ast-grep's CLI from npm, in a temp folder; undefined (and why) when it does not install here. */
function installAstGrep(): { bin?: string; note?: string; dir?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ccc-bench-ast-grep-'));
  try {
    execFileSync('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '@ast-grep/cli'], { stdio: 'pipe', timeout: 300_000 });
    const bin = join(dir, 'node_modules', '.bin', 'ast-grep');
    execFileSync(bin, ['--version'], { stdio: 'pipe' });
    return { bin, dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { note: `ast-grep skipped: @ast-grep/cli did not install or run (${(error as Error).message.split('\n')[0]})` };
  }
}

/** Median wall time of RUNS runs after a warm-up, and the number of output lines (one per match for every tool here). */
function time(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { ms: number; count: number } | undefined {
  let count = 0;
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = performance.now() - started;
    if (result.status !== 0 && result.status !== 1) {
      console.log(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.split('\n')[0]}`);
      return undefined;
    }
    count = result.stdout.split('\n').filter((line) => line.trim()).length;
    if (run > 0) times.push(ms);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(times.length / 2)], count };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ccc-bench-grep-'));
  const home = makeTempHome('ccc-bench-grep-home-');
  const astGrep = installAstGrep();
  try {
    mkdirSync(join(root, '.git'));
    const js = copySources(root, JS_FILES);
    const py = copyPython(root, PY_FILES);
    console.log(`tree: ${js} JS/TS files from node_modules + ${py} Python files from ${pythonRoots().join(' and ')} in ${root}`);
    if (astGrep.note) console.log(astGrep.note);
    const env = { ...process.env, CCC_HOME: home.dir, NO_COLOR: '1' };
    if ((await runCli(['daemon', 'start'], { home: home.dir })).code !== 0) throw new Error('the daemon did not start');
    const rows: string[][] = [['pattern', 'lang', 'ccc grep', 'ast-grep', 'rg (regex)', 'ccc / ast-grep']];
    const ratios: number[] = [];
    for (const { pattern, language, regex, pcre } of cases) {
      const ccc = time(process.execPath, [CCC_JS, 'grep', pattern, '-t', language, '--json'], root, env);
      const sg = astGrep.bin ? time(astGrep.bin, ['run', '-p', pattern, '-l', language === 'js' ? 'js' : 'py', '--json=stream', '.'], root, env) : undefined;
      const rg = time('rg', ['-o', '-n', ...(pcre ? ['-P'] : []), '-t', language, regex, '.'], root, env);
      const ratio = sg && ccc ? ccc.ms / sg.ms : undefined;
      if (ratio !== undefined) ratios.push(ratio);
      const cell = (r?: { ms: number; count: number }) => (r ? `${Math.round(r.ms)} ms (${r.count})` : 'n/a');
      rows.push([pattern, language, cell(ccc), cell(sg), cell(rg), ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
    console.log(['', line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n'));
    console.log('\nTimes: median of 3 warm runs, spawn to exit; (n) = matches printed (rg: matched substrings).');
    if (ratios.length > 0) {
      const worst = Math.max(...ratios);
      console.log(`Target: within 2x of ast-grep: worst ${worst.toFixed(2)}x — ${worst <= 2 ? 'met' : 'NOT met'}`);
    }
  } finally {
    await home.cleanup();
    rmSync(root, { recursive: true, force: true });
    if (astGrep.dir && existsSync(astGrep.dir)) rmSync(astGrep.dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

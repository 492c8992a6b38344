// Running the built `ccc` command as a user would.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DIST = resolve(__dirname, '..', '..', 'dist');
export const CCC_JS = join(DIST, 'ccc.js');
export const DAEMON_JS = join(DIST, 'daemon.js');

export interface CliOptions {
  /** CCC_HOME for the command (required: tests never touch the user's ~/.ccc). */
  home: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/ccc.js ...args`; resolves with the exit code and output, never rejects on a non-zero exit. */
export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  if (!existsSync(CCC_JS)) throw new Error(`${CCC_JS} is missing: run npm run build first`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CCC_JS, ...args], {
      cwd: options.cwd ?? options.home,
      env: { ...process.env, ...options.env, CCC_HOME: options.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ccc ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Runs a command that prints JSON; throws with its stderr unless it exits 0 with valid JSON (or 1, a search that found
 * nothing, which still prints its JSON).
 */
export async function cliJson<T>(args: string[], options: CliOptions): Promise<T> {
  const result = await runCli(args, options);
  const foundNothing = result.code === 1 && result.stdout.trimStart().startsWith('{');
  if (result.code !== 0 && !foundNothing) throw new Error(`ccc ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`ccc ${args.join(' ')} printed no JSON: ${result.stdout.slice(0, 500)}`);
  }
}

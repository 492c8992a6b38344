// `ccc doctor [PATH]`: one line per check as it runs (ok / warning / error, and what to do), exit 1 if any is an error.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { findProjectRoot, type ClientOptions } from '../client';
import { runDoctor } from '../doctor/run-doctor';
import type { CheckStatus, DoctorCheck } from '../protocol';
import { ExitCode, notice, printJson } from './output';

const options: ClientOptions = { client: 'cli', notify: notice };

const colours: Record<CheckStatus, string> = { ok: '\x1b[32m', warning: '\x1b[33m', error: '\x1b[1;31m' };

export function formatCheck(check: DoctorCheck, colour: boolean): string {
  const label = check.status.padEnd(7);
  const status = colour ? `${colours[check.status]}${label}\x1b[0m` : label;
  const fix = check.fix ? `\n         → ${check.fix}` : '';
  return `${status}  ${check.name.padEnd(8)} ${check.detail}${fix}`;
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('check settings, the daemon, the model, the walk, the index, file watching and the log; say what to fix')
    .argument('[path]', 'a folder of the project (default: the current folder)')
    .option('--json', 'print every check as JSON when all have run')
    .option('--no-color', 'never colour the output')
    .addHelpText('after', '\nExit status: 0 when no check is an error (warnings allowed), 1 otherwise.')
    .action(async (path: string | undefined, flags: { json?: boolean; color: boolean }) => {
      const root = findProjectRoot(resolve(path ?? process.cwd()));
      const colour = flags.color && process.stdout.isTTY === true && !process.env.NO_COLOR;
      const checks = await runDoctor(root, options, (check) => {
        if (!flags.json) process.stdout.write(`${formatCheck(check, colour)}\n`);
      });
      const failed = checks.some((check) => check.status === 'error');
      if (flags.json) printJson({ root, ok: !failed, checks });
      process.exitCode = failed ? ExitCode.Failure : ExitCode.Ok;
    });
}

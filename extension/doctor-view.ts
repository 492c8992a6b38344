// "ccc: Run Doctor": `ccc doctor` for every workspace folder, shown in one read-only document that fills in as each
// check finishes (the same checks as the CLI and the MCP tool: daemon/doctor/run-doctor.ts).
import * as vscode from 'vscode';
import { runDoctor } from '../daemon/doctor/run-doctor';
import type { CheckStatus, DoctorCheck } from '../daemon/protocol';
import type { Ctx } from './ctx';
import { daemonClientOptions } from './language-client';
import { ReadOnlyDocument } from './read-only-document';

const MARK: Record<CheckStatus, string> = { ok: '✓ ok', warning: '⚠ warning', error: '✗ error' };

export interface DoctorRun {
  root: string;
  checks: DoctorCheck[];
}

function markdown(runs: DoctorRun[], running: boolean): string {
  const lines = ['# ccc doctor', ''];
  for (const run of runs) {
    lines.push(`## ${run.root}`, '');
    for (const check of run.checks) {
      lines.push(`- **${MARK[check.status]}** \`${check.name}\` — ${check.detail}${check.fix ? `  \n  → ${check.fix}` : ''}`);
    }
    lines.push('');
  }
  if (running) lines.push('_Checking…_');
  return lines.join('\n');
}

/** Serves the one doctor document; `run` clears it, reveals it and streams the checks into it. */
export class DoctorView implements vscode.Disposable {
  private readonly document = new ReadOnlyDocument('ccc-doctor', '/ccc doctor.md');

  constructor(private readonly ctx: Ctx) {}

  async run(): Promise<DoctorRun[]> {
    const roots = this.ctx.roots();
    if (roots.length === 0) throw new Error('open a folder first: the doctor checks a project');
    const runs: DoctorRun[] = roots.map((root) => ({ root, checks: [] }));
    this.document.set(markdown(runs, true));
    await this.document.show();
    const options = daemonClientOptions((message) => this.ctx.log.info(message));
    for (const run of runs) {
      await runDoctor(run.root, options, (check) => {
        run.checks.push(check);
        this.document.set(markdown(runs, true));
      });
    }
    this.document.set(markdown(runs, false));
    return runs;
  }

  dispose(): void {
    this.document.dispose();
  }
}

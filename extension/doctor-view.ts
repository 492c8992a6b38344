// "ccc: Run Doctor": `ccc doctor` for every workspace folder, shown in one read-only document that fills in as each
// check finishes (the same checks as the CLI and the MCP tool: daemon/doctor/run-doctor.ts).
import * as vscode from 'vscode';
import { runDoctor } from '../daemon/doctor/run-doctor';
import type { CheckStatus, DoctorCheck } from '../daemon/protocol';
import type { Ctx } from './ctx';
import { daemonClientOptions } from './language-client';

const DOCTOR_SCHEME = 'ccc-doctor';
const DOCTOR_URI = vscode.Uri.from({ scheme: DOCTOR_SCHEME, path: '/ccc doctor.md' });
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
export class DoctorView implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private text = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(DOCTOR_SCHEME, this);

  constructor(private readonly ctx: Ctx) {}

  provideTextDocumentContent(): string {
    return this.text;
  }

  async run(): Promise<DoctorRun[]> {
    const roots = this.ctx.roots();
    if (roots.length === 0) throw new Error('open a folder first: the doctor checks a project');
    const runs: DoctorRun[] = roots.map((root) => ({ root, checks: [] }));
    this.show(runs, true);
    const document = await vscode.workspace.openTextDocument(DOCTOR_URI);
    await vscode.window.showTextDocument(document, { preview: true });
    const options = daemonClientOptions((message) => this.ctx.log.info(message));
    for (const run of runs) {
      await runDoctor(run.root, options, (check) => {
        run.checks.push(check);
        this.show(runs, true);
      });
    }
    this.show(runs, false);
    return runs;
  }

  private show(runs: DoctorRun[], running: boolean): void {
    this.text = markdown(runs, running);
    this.changed.fire(DOCTOR_URI);
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}

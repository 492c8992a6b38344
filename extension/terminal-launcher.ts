// Puts `ccc` on the PATH of integrated terminals: a tiny sh launcher that runs the bundled CLI on VS Code's own Node.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** Writes the launcher into the extension's global storage and returns its path. */
export function installLauncher(context: vscode.ExtensionContext): string {
  const dir = path.join(context.globalStorageUri.fsPath, 'bin');
  const launcher = path.join(dir, 'ccc');
  const electron = process.versions.electron ? 'ELECTRON_RUN_AS_NODE=1 ' : '';
  mkdirSync(dir, { recursive: true });
  writeFileSync(launcher, `#!/bin/sh\n${electron}exec ${quote(process.execPath)} ${quote(path.join(context.extensionPath, 'dist', 'ccc.js'))} "$@"\n`);
  chmodSync(launcher, 0o755);
  context.environmentVariableCollection.description = 'Adds the `ccc` command of the ccc extension.';
  context.environmentVariableCollection.prepend('PATH', dir + path.delimiter);
  return launcher;
}

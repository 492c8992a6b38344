// The `ccc.*` VS Code settings, read in one place. They hold editor behaviour only; index settings live in `.ccc/settings.yml`.
import * as vscode from 'vscode';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, SEARCH_MODES, type SearchMode } from '../daemon/protocol';

export class Config {
  private get section() {
    return vscode.workspace.getConfiguration('ccc');
  }

  /** How many results a search shows. */
  get resultCount(): number {
    const n = this.section.get<number>('resultCount', DEFAULT_SEARCH_LIMIT);
    return Math.min(MAX_SEARCH_LIMIT, Math.max(1, Math.floor(n)));
  }

  /** Index folders that have `.ccc/` when the window opens. */
  get autoIndex(): boolean {
    return this.section.get<boolean>('autoIndex', true);
  }

  get defaultMode(): SearchMode {
    const mode = this.section.get<string>('defaultMode', 'hybrid') as SearchMode;
    return SEARCH_MODES.includes(mode) ? mode : 'hybrid';
  }
}

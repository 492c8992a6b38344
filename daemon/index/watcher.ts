// Watches one project root with @parcel/watcher and hands the changed paths, debounced, to the project.
// A change to the ignore rules or the project settings asks for a full pass instead, since it can add or drop any file.
import { readdirSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { subscribe, type AsyncSubscription, type Event } from '@parcel/watcher';
import type { Logger } from '../log';

export interface WatcherOptions {
  root: string;
  /** CCC_HOME: never watched, even when it sits inside the project. */
  home: string;
  log: Logger;
  /** The project's current ignore rules. */
  accepts: (relPath: string, isDir: boolean) => boolean;
  /** Root-relative changed paths; `rulesChanged` when a .gitignore or the project settings changed. */
  onChanges: (paths: string[], rulesChanged: boolean) => void;
}

/** Long enough to gather a save's burst of events (write, rename, chmod), short enough to feel immediate. */
const DEBOUNCE_MS = 150;

export class ProjectWatcher {
  private subscription: AsyncSubscription | null = null;
  private pending = new Set<string>();
  private rulesChanged = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: WatcherOptions) {}

  get running(): boolean {
    return this.subscription !== null;
  }

  /** Subscribes; on failure (too many watches, unsupported file system) logs it and the project works without watching. */
  async start(): Promise<void> {
    const { root, log } = this.options;
    try {
      const subscription = await subscribe(root, (error, events) => this.receive(error, events), { ignore: this.ignoredFolders() });
      if (this.closed) await subscription.unsubscribe();
      else this.subscription = subscription;
      log.info(`watching ${root}`);
    } catch (error) {
      log.warn(`file watching is off for ${root} (${(error as Error).message.split('\n')[0]}): run ccc index after changes`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    const subscription = this.subscription;
    this.subscription = null;
    await subscription?.unsubscribe().catch(() => undefined);
  }

  /** `.git`, CCC_HOME and the ignored top-level folders (node_modules, build output): fewer watches, less noise. */
  private ignoredFolders(): string[] {
    const ignored = ['.git'];
    const home = relative(this.options.root, this.options.home);
    if (home && !home.startsWith('..')) ignored.push(home);
    try {
      for (const entry of readdirSync(this.options.root, { withFileTypes: true })) {
        if (entry.isDirectory() && entry.name !== '.git' && !this.options.accepts(entry.name, true)) ignored.push(entry.name);
      }
    } catch {
      // An unreadable root shows up in the index pass; watching it anyway costs nothing.
    }
    return ignored;
  }

  private receive(error: Error | null, events: Event[]): void {
    if (error) {
      this.options.log.warn(`watcher error in ${this.options.root}: ${error.message}`);
      return;
    }
    for (const event of events) {
      const rel = relative(this.options.root, event.path).split(sep).join('/');
      if (!rel || rel.startsWith('..') || rel === '.git' || rel.startsWith('.git/')) continue;
      if (isRulesFile(rel)) this.rulesChanged = true;
      else if (this.options.accepts(rel, false) || this.options.accepts(rel, true)) this.pending.add(rel);
    }
    if ((this.pending.size > 0 || this.rulesChanged) && !this.timer) this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private flush(): void {
    this.timer = null;
    if (this.closed) return;
    const paths = [...this.pending];
    const rulesChanged = this.rulesChanged;
    this.pending.clear();
    this.rulesChanged = false;
    this.options.onChanges(paths, rulesChanged);
  }
}

function isRulesFile(rel: string): boolean {
  return rel === '.gitignore' || rel.endsWith('/.gitignore') || rel === '.ccc/settings.yml' || rel === '.ccc';
}

// Watches one project root with @parcel/watcher and hands the changed paths, debounced, to the project.
// A change to the ignore rules or the project settings asks for a full pass instead, since it can add or drop any file.
// Where watching cannot start (the OS's watch limit reached, a file system without events), it polls: a full pass
// every WATCH_POLL_MS finds what changed by (mtime, size), so results still stay fresh, only later.
import { readdirSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { subscribe, type AsyncSubscription, type Event } from '@parcel/watcher';
import type { Logger } from '../log';
import { WATCH_POLL_MS, type WatchMode } from '../protocol';

export interface WatcherOptions {
  root: string;
  /** CCC_HOME: never watched, even when it sits inside the project. */
  home: string;
  log: Logger;
  /** The project's current ignore rules. */
  accepts: (relPath: string, isDir: boolean) => boolean;
  /** Root-relative changed paths; `rulesChanged` (a .gitignore or the project settings changed) asks for a full pass. */
  onChanges: (paths: string[], rulesChanged: boolean) => void;
  /** How often to ask for a full pass when watching cannot start. */
  pollMs?: number;
}

/** Long enough to gather a save's burst of events (write, rename, chmod), short enough to feel immediate. */
const DEBOUNCE_MS = 150;

export class ProjectWatcher {
  private subscription: AsyncSubscription | null = null;
  private pending = new Set<string>();
  private rulesChanged = false;
  private timer: NodeJS.Timeout | null = null;
  private poller: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: WatcherOptions) {}

  get mode(): WatchMode {
    return this.subscription ? 'events' : this.poller ? 'polling' : 'off';
  }

  /** Subscribes; on failure (too many watches, unsupported file system) logs it and polls instead. */
  async start(): Promise<void> {
    const { root, log } = this.options;
    try {
      const subscription = await subscribe(root, (error, events) => this.receive(error, events), { ignore: this.ignoredFolders() });
      if (this.closed) await subscription.unsubscribe();
      else this.subscription = subscription;
      log.info(`watching ${root}`);
    } catch (error) {
      const pollMs = this.options.pollMs ?? WATCH_POLL_MS;
      log.warn(`file watching could not start for ${root} (${(error as Error).message.split('\n')[0]}); looking for changes every ${pollMs / 1000} s instead`);
      if (!this.closed) this.poller = setInterval(() => this.options.onChanges([], true), pollMs).unref();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
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
      // Events may have been lost (an overflowing event queue, a watch dropped), so a full pass makes sure.
      this.options.log.warn(`watcher error in ${this.options.root}: ${error.message}; running a full pass`);
      this.rulesChanged = true;
      events = [];
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

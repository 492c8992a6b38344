// Keeps the daemon under `index.maxMemoryMB`. The memory that grows is the projects' in-memory indexes, so when the
// process is over the budget after a full GC, the least recently used project is unloaded: its store stays on disk, and
// its next request reopens it (a pass then catches up on what changed meanwhile). The project used last is never
// unloaded, nor one that is loading, indexing or answering a request.
import type { Logger } from '../log';
import { fullGc } from './full-gc';

export interface LoadedProject {
  root: string;
  /** When a request last named it (ms since the epoch). */
  lastUsed: number;
  /** Loading, indexing or answering a request. */
  busy: boolean;
}

export interface MemoryBudgetOptions {
  limitBytes: number;
  log: Logger;
  loaded: () => LoadedProject[];
  unload: (root: string) => Promise<void>;
  /** The process's resident memory; a parameter so the policy can be tested without filling memory. */
  rss?: () => number;
}

/** After an unload, look again this much later: freed memory leaves RSS over a moment, not at once. */
const RECHECK_MS = 5000;
/** A daemon that stays over the budget with nothing to unload would otherwise pause for a full GC after every save. */
const MIN_GC_INTERVAL_MS = 60_000;

export class MemoryBudget {
  private checking = false;
  private recheck: NodeJS.Timeout | undefined;
  private warned = false;
  private lastGc = -Infinity;

  constructor(private readonly options: MemoryBudgetOptions) {}

  /** Called when memory may have grown (a project loaded or finished a pass); checks once, soon. */
  check(): void {
    if (this.checking) return;
    this.checking = true;
    setImmediate(() => {
      this.checking = false;
      void this.trim();
    });
  }

  close(): void {
    clearTimeout(this.recheck);
  }

  /** Unloads at most one project per check, so RSS can fall before the next one is judged. */
  private async trim(): Promise<void> {
    const { limitBytes, log } = this.options;
    const rss = this.options.rss ?? (() => process.memoryUsage.rss());
    if (rss() <= limitBytes) {
      this.warned = false;
      return;
    }
    if (Date.now() - this.lastGc >= MIN_GC_INTERVAL_MS) {
      fullGc();
      this.lastGc = Date.now();
      if (rss() <= limitBytes) return;
    }
    const byAge = this.options.loaded().sort((a, b) => a.lastUsed - b.lastUsed);
    const victim = byAge.slice(0, -1).find((project) => !project.busy);
    const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
    if (!victim) {
      if (!this.warned) log.warn(`daemon uses ${mb(rss())} MB, over index.maxMemoryMB (${mb(limitBytes)}), and no idle project is left to unload`);
      this.warned = true;
      return;
    }
    log.info(`unloading ${victim.root}: daemon uses ${mb(rss())} MB, over index.maxMemoryMB (${mb(limitBytes)}); it reloads on its next use`);
    await this.options.unload(victim.root);
    clearTimeout(this.recheck);
    this.recheck = setTimeout(() => this.check(), RECHECK_MS).unref();
  }
}

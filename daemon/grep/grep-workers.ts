// The two worker threads a grep parses files in. Each answers its requests in order, so a queue of waiting callers per
// worker pairs replies with requests. A worker that dies fails what it was given; the grep then ends with that error.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { GrepWorkerData, GrepWorkerReply, GrepWorkerRequest } from './grep-worker';

interface Waiting {
  resolve: (reply: GrepWorkerReply) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  waiting: Waiting[];
  failure?: Error;
}

export class GrepWorkers {
  private readonly slots: Slot[];

  /** `distDir` holds grep-worker.js and grammars/. */
  constructor(distDir: string, count: number) {
    const entry = join(distDir, 'grep-worker.js');
    if (!existsSync(entry)) throw new Error(`the grep worker ${entry} is missing: run \`npm run build\``);
    const workerData: GrepWorkerData = { grammarsDir: join(distDir, 'grammars') };
    this.slots = Array.from({ length: count }, () => this.start(entry, workerData));
  }

  get count(): number {
    return this.slots.length;
  }

  send(index: number, request: GrepWorkerRequest): Promise<GrepWorkerReply> {
    const slot = this.slots[index];
    if (slot.failure) return Promise.reject(slot.failure);
    return new Promise((resolve, reject) => {
      slot.waiting.push({ resolve, reject });
      slot.worker.postMessage(request);
    });
  }

  /** The worker with the fewest requests waiting. */
  leastBusy(): number {
    let best = 0;
    for (let i = 1; i < this.slots.length; i++) if (this.slots[i].waiting.length < this.slots[best].waiting.length) best = i;
    return best;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private start(entry: string, workerData: GrepWorkerData): Slot {
    const slot: Slot = { worker: new Worker(entry, { workerData }), waiting: [] };
    const fail = (error: Error) => {
      slot.failure ??= error;
      for (const waiting of slot.waiting.splice(0)) waiting.reject(slot.failure);
    };
    slot.worker.on('message', (reply: GrepWorkerReply) => slot.waiting.shift()?.resolve(reply));
    slot.worker.on('error', (error) => fail(new Error(`a grep worker failed: ${error.message}`)));
    slot.worker.on('exit', (code) => fail(new Error(`a grep worker stopped (exit code ${code})`)));
    return slot;
  }
}

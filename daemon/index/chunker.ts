// Cuts source files into the chunks that are embedded and searched. Parsing runs in a worker thread that is replaced
// after a number of files or when its WASM heap has grown too big (the heap never shrinks), and whenever it dies or a
// file takes too long. A worker that cannot start is retried, then the call fails: files that have a grammar are never
// quietly cut as plain text. Only a file that crashes the parser twice (or hangs it) is, and that is reported as a problem.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger, silentLogger } from '../log';
import type { ParseReply, ParseWorkerData } from './parse-worker';
import { splitText } from './text-splitter';

/** One piece of a source file that is indexed and returned as a search hit. */
export interface Chunk {
  /** Root-relative, forward slashes. */
  path: string;
  language: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Symbol path such as `class Foo > method bar`; empty for text chunks. */
  symbol: string;
  content: string;
}

export interface SourceFile {
  /** Root-relative, forward slashes. */
  path: string;
  /** A language id from grammars/languages.ts (`languageForPath`). */
  language: string;
  text: string;
}

export interface ChunkerOptions {
  /** The folder holding parse-worker.js and grammars/; the bundle's own folder by default. */
  distDir?: string;
  /** Files one worker parses before it is replaced. */
  recycleAfterFiles?: number;
  /** After workers failed to start, calls fail at once for this long rather than try again (each try costs ~0.5 s). */
  startRetryMs?: number;
  log?: Logger;
}

const RECYCLE_AFTER_FILES = 2000;
const RECYCLE_AFTER_HEAP_BYTES = 256 * 1024 * 1024;
/** An idle worker is let go so its heap is returned; the next file starts a new one (~50 ms). */
const IDLE_EXIT_MS = 60_000;

/** A file gets 10 s plus 1 s per 100 kB before its worker is deemed stuck. */
function timeoutFor(file: SourceFile): number {
  return 10_000 + file.text.length / 100;
}

/**
 * Added to the timeout of a worker's first file of each language: starting it and loading a grammar took up to seconds on
 * a loaded machine, and a grammar's load waits while V8 optimises the lexers of grammars parsed just before (10–20 s after
 * a first Swift or LaTeX file on a busy 2-core machine).
 */
const WORKER_START_MS = 30_000;

/** Files sent ahead to the worker, so it never waits for the main thread between files. */
const PIPELINE_DEPTH = 16;

/** Workers started in a row that died before tree-sitter was ready: then the call fails instead of cutting files as text. */
const START_ATTEMPTS = 3;
/** An indexing pass chunks file by file after a failed batch: without a pause each file would cost three failed starts. */
const START_RETRY_MS = 30_000;

/** Told about each file that has a grammar but was cut by the text splitter, and why. */
export type ProblemReporter = (path: string, reason: string) => void;

class WorkerStartError extends Error {}

function ignoreLateError(): void {}

export class Chunker {
  private readonly distDir: string;
  private readonly recycleAfterFiles: number;
  private readonly startRetryMs: number;
  private readonly log: Logger;
  /** Why workers last failed to start, and when starting may be tried again. */
  private startFailure: { error: Error; retryAt: number } | undefined;
  private worker: Worker | undefined;
  /** Files given to the current worker. */
  private filesSent = 0;
  /** Languages the current worker has answered a file of: their grammars are loaded. */
  private languagesLoaded = new Set<string>();
  private heapTooBig = false;
  private started = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | undefined;
  /** Ends the running call with an error; set while one runs. */
  private abort: ((error: Error) => void) | undefined;
  private closed = false;

  constructor(options: ChunkerOptions = {}) {
    this.distDir = options.distDir ?? __dirname;
    this.recycleAfterFiles = options.recycleAfterFiles ?? RECYCLE_AFTER_FILES;
    this.startRetryMs = options.startRetryMs ?? START_RETRY_MS;
    this.log = options.log ?? silentLogger;
  }

  /** How many workers have been started so far (recycling and crashes start new ones). */
  get workersStarted(): number {
    return this.started;
  }

  /**
   * The chunks of each file, in the order given. Calls queue behind each other. A file whose parse failed still gets
   * chunks, from the text splitter, and `onProblem` hears of it; a parse worker that cannot start rejects the call.
   */
  chunk(files: SourceFile[], onProblem: ProblemReporter = () => undefined): Promise<Chunk[][]> {
    const run = this.queue.then(() => this.chunkAll(files, onProblem));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Lets the worker go once the calls queued so far are done, rather than after the idle delay: after a large pass its
   * heap has grown with every grammar and file it parsed, and the daemon should not hold that until the next parse.
   */
  release(): void {
    this.queue = this.queue.then(() => {
      clearTimeout(this.idleTimer);
      return this.retire();
    });
  }

  /** Stops at once: the worker is terminated and calls not yet answered reject, so a closing daemon never waits on a parse. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.abort?.(new Error('the chunker was closed'));
    await this.retire();
  }

  private async chunkAll(files: SourceFile[], onProblem: ProblemReporter): Promise<Chunk[][]> {
    if (this.closed) throw new Error('the chunker was closed');
    const entry = join(this.distDir, 'parse-worker.js');
    if (!existsSync(entry)) throw new Error(`The chunker's worker ${entry} is missing: run \`npm run build\` (or pass distDir).`);
    if (this.startFailure && Date.now() < this.startFailure.retryAt) throw this.startFailure.error;
    clearTimeout(this.idleTimer);
    try {
      return await this.parseAll(files, onProblem);
    } catch (error) {
      if (error instanceof WorkerStartError) this.startFailure = { error, retryAt: Date.now() + this.startRetryMs };
      throw error;
    } finally {
      this.abort = undefined;
      this.worker?.unref();
      if (!this.closed) this.idleTimer = setTimeout(() => void this.retire(), IDLE_EXIT_MS).unref();
    }
  }

  /**
   * Streams the files through the worker, PIPELINE_DEPTH at a time. Replies come in order, so the oldest file without one
   * is the file that crashed or hung a worker. A crashed file is sent again to a new worker once; crashing that one too, or
   * hanging a worker, it falls back to the text splitter (reported), and the files after it go to a new worker.
   * Every way out settles the promise: an error thrown in a handler rejects it rather than escaping to the event loop.
   */
  private parseAll(files: SourceFile[], onProblem: ProblemReporter): Promise<Chunk[][]> {
    const results: Chunk[][] = new Array(files.length);
    let pending: number[] = [];
    let next = 0;
    let done = 0;
    /** Files that crashed a worker once. */
    const crashed = new Set<number>();
    /** Workers in a row that died before running any code. */
    let failedStarts = 0;
    return new Promise((resolve, reject) => {
      let worker: Worker | undefined;
      let timer: NodeJS.Timeout | undefined;
      /** Whether tree-sitter started in the worker: one that died before did not fail on a file but could not start at all. */
      let ready = false;
      const detach = () => {
        clearTimeout(timer);
        worker?.off('message', onMessage).off('error', onError).off('exit', onExit);
        worker = undefined;
      };
      const fail = (error: Error) => {
        const lost = worker;
        detach();
        if (lost) {
          this.drop(lost);
          void lost.terminate();
        }
        reject(error);
      };
      this.abort = fail;
      const guarded = <A extends unknown[]>(handler: (...args: A) => void) => (...args: A) => {
        try {
          handler(...args);
        } catch (error) {
          fail(error as Error);
        }
      };
      const fallBack = (index: number, reason: string) => {
        this.log.warn(`chunker: ${files[index].path}: ${reason}; using the text splitter`);
        onProblem(files[index].path, `parsed as plain text: ${reason}`);
        results[index] = splitText(files[index]);
        done++;
      };
      const pump = () => {
        if (done === files.length) {
          detach();
          resolve(results);
          return;
        }
        if (!worker) {
          worker = this.workerForNextFiles();
          ready = this.filesSent > 0;
          worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        }
        while (pending.length < PIPELINE_DEPTH && next < files.length && !this.mustRecycle()) {
          worker.postMessage({ file: files[next] });
          pending.push(next++);
          this.filesSent++;
        }
        clearTimeout(timer);
        if (pending.length) {
          const oldest = files[pending[0]];
          timer = setTimeout(onTimeout, timeoutFor(oldest) + (this.languagesLoaded.has(oldest.language) ? 0 : WORKER_START_MS));
        }
      };
      const onMessage = guarded((reply: ParseReply) => {
        if ('ready' in reply) {
          ready = true;
          failedStarts = 0;
          this.startFailure = undefined;
          return;
        }
        if ('fatal' in reply) {
          lose(reply.fatal);
          return;
        }
        const index = pending.shift();
        if (index === undefined) throw new Error('the parse worker answered a file it was not given');
        this.languagesLoaded.add(files[index].language);
        if ('error' in reply) fallBack(index, reply.error);
        else {
          results[index] = reply.chunks;
          done++;
        }
        this.heapTooBig ||= reply.heapBytes > RECYCLE_AFTER_HEAP_BYTES;
        if (pending.length === 0 && this.mustRecycle()) {
          this.log.debug(`chunker: recycling the parse worker after ${this.filesSent} files, WASM heap ${Math.round(reply.heapBytes / 1048576)} MB`);
          detach();
          void this.retire();
        }
        pump();
      });
      const lose = (reason: string, hung = false) => {
        const lost = worker!;
        const wasReady = ready;
        detach();
        this.drop(lost);
        void lost.terminate();
        if (!wasReady) {
          failedStarts++;
          this.log.warn(`chunker: the parse worker could not start (${reason}), attempt ${failedStarts} of ${START_ATTEMPTS}`);
          if (failedStarts >= START_ATTEMPTS) throw new WorkerStartError(`the parse worker could not start: ${reason}`);
          if (pending.length) next = pending[0];
        } else if (pending.length) {
          // The oldest unanswered file is the one the worker died on: it gets a second try on a new worker, once.
          const blamed = pending[0];
          if (hung || crashed.has(blamed)) {
            fallBack(blamed, reason);
            next = blamed + 1;
          } else {
            this.log.warn(`chunker: ${files[blamed].path}: ${reason}; trying it again with a new parse worker`);
            crashed.add(blamed);
            next = blamed;
          }
        }
        // With nothing unanswered there is no file to blame: the next files simply go to a new worker.
        pending = [];
        pump();
      };
      const onError = guarded((error: Error) => lose(`the parse worker failed (${error.message})`));
      const onExit = guarded((code: number) => lose(`the parse worker exited with code ${code}`));
      const onTimeout = guarded(() => lose(`parsing took longer than ${Math.round(timeoutFor(files[pending[0]]) / 1000)} s`, true));
      guarded(pump)();
    });
  }

  private mustRecycle(): boolean {
    return this.filesSent >= this.recycleAfterFiles || this.heapTooBig;
  }

  private workerForNextFiles(): Worker {
    if (!this.worker) {
      const workerData: ParseWorkerData = { grammarsDir: join(this.distDir, 'grammars') };
      this.worker = new Worker(join(this.distDir, 'parse-worker.js'), { workerData });
      // A worker let go may still fail on its way out (Emscripten aborts after tree-sitter reported it could not start):
      // an 'error' event without a listener would be thrown in the daemon's main thread. One listener for its whole life.
      this.worker.on('error', ignoreLateError);
      this.filesSent = 0;
      this.languagesLoaded = new Set();
      this.heapTooBig = false;
      this.started++;
    }
    this.worker.ref();
    return this.worker;
  }

  private drop(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
  }

  private async retire(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }
}

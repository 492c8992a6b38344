// Wires every ccc request on one connection to the project registry. The logic lives in daemon/index; this file
// validates roots, reports progress on the request's token, maps errors to codes and logs one line per request.
import { statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ProgressType, ResponseError, type MessageConnection, type RequestParam } from 'vscode-jsonrpc';
import type { Logger } from '../log';
import {
  DaemonStatusRequest,
  DoctorRequest,
  ErrorCodes,
  GrepRequest,
  IndexRequest,
  RemoveProjectRequest,
  SearchRequest,
  SimilarRequest,
  StatusRequest,
  StopRequest,
  type DaemonStatus,
  type DoctorCheck,
  type GrepProgress,
  type IndexProgress,
} from '../protocol';
import { grepProject } from '../grep/grep-project';
import type { ProgressSink, ProjectRegistry } from '../index/registry';
import { SettingsError } from '../index/settings';

export interface HandlerContext {
  registry: ProjectRegistry;
  log: Logger;
  /** Names the connection in log lines, e.g. `cli#3`. */
  label(): string;
  status(): DaemonStatus;
  /** True once shutdown began: new work is refused. */
  stopping(): boolean;
  /** Called on every request, for the idle clock. */
  touch(): void;
  stop(reason: string): void;
}

const progressType = new ProgressType<IndexProgress>();
const checkType = new ProgressType<DoctorCheck>();
const grepType = new ProgressType<GrepProgress>();

class RequestError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function registerHandlers(connection: MessageConnection, ctx: HandlerContext): void {
  const { registry } = ctx;
  // A client that went away must not fail the pass it started: sending on a disposed connection throws at once.
  const reporter = <T>(type: ProgressType<T>, token: string | number | undefined): ((value: T) => void) =>
    token === undefined
      ? () => {}
      : (value) => {
          try {
            void connection.sendProgress(type, token, value as RequestParam<T>).catch(() => {});
          } catch {
            // The connection closed; the pass goes on for the others.
          }
        };
  const progressTo = (token: string | number | undefined): ProgressSink => reporter(progressType, token);
  const checkTo = (token: string | number | undefined) => reporter(checkType, token);

  connection.onRequest(IndexRequest, (params) =>
    run(ctx, IndexRequest.method, () => registry.index(withRoot(params), progressTo(params.workDoneToken))),
  );
  connection.onRequest(SearchRequest, (params) =>
    run(ctx, SearchRequest.method, () => registry.search(withRoot(params), progressTo(params.workDoneToken))),
  );
  connection.onRequest(SimilarRequest, (params) => run(ctx, SimilarRequest.method, () => registry.similar(withRoot(params))));
  connection.onRequest(StatusRequest, (params) => run(ctx, StatusRequest.method, () => registry.status(withRoot(params).root)));
  connection.onRequest(RemoveProjectRequest, (params) =>
    run(ctx, RemoveProjectRequest.method, () => registry.remove(withRoot(params).root)),
  );
  connection.onRequest(DoctorRequest, (params) =>
    run(ctx, DoctorRequest.method, () => registry.doctor(withRoot(params).root, checkTo(params.workDoneToken))),
  );
  // A grep stops when its client goes away or cancels, and waits while its matches are not read (grepTo).
  let closed = false;
  connection.onClose(() => (closed = true));
  const grepTo = (token: string | number | undefined) => async (progress: GrepProgress) => {
    if (token === undefined) return;
    try {
      await connection.sendProgress(grepType, token, progress);
    } catch {
      closed = true;
    }
  };
  connection.onRequest(GrepRequest, (params, cancel) =>
    run(ctx, GrepRequest.method, () =>
      // grep-worker.js and grammars/ sit beside the daemon's bundle.
      grepProject(withRoot(params), {
        distDir: __dirname,
        report: (matches) => grepTo(params.workDoneToken)({ matches }),
        walked: (files) => void grepTo(params.workDoneToken)({ matches: [], walked: files }),
        stopped: () => closed || cancel.isCancellationRequested,
        log: ctx.log,
      }),
    ),
  );
  connection.onRequest(DaemonStatusRequest, () => run(ctx, DaemonStatusRequest.method, async () => ctx.status(), true));
  connection.onRequest(StopRequest, () =>
    run(
      ctx,
      StopRequest.method,
      async () => {
        // Answer first; the shutdown then ends this connection along with the others.
        setTimeout(() => ctx.stop(`${StopRequest.method} from ${ctx.label()}`), 10);
      },
      true,
    ),
  );
}

async function run<T>(ctx: HandlerContext, method: string, work: () => Promise<T>, allowedWhileStopping = false): Promise<T | ResponseError<void>> {
  ctx.touch();
  const started = Date.now();
  if (ctx.stopping() && !allowedWhileStopping) {
    return new ResponseError(ErrorCodes.ShuttingDown, 'the ccc daemon is shutting down; retry in a moment');
  }
  try {
    const result = await work();
    ctx.log.info(`${ctx.label()} ${method} ok ${Date.now() - started} ms`);
    return result;
  } catch (error) {
    const reply = toResponseError(error);
    ctx.log.warn(`${ctx.label()} ${method} failed (${reply.code}) ${Date.now() - started} ms: ${reply.message}`);
    return reply;
  } finally {
    ctx.touch();
  }
}

function toResponseError(error: unknown): ResponseError<void> {
  // Already an answer (with its data, e.g. where a grep pattern fails to parse).
  if (error instanceof ResponseError) return error as ResponseError<void>;
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  if (error instanceof SettingsError) return new ResponseError(ErrorCodes.InvalidSettings, message);
  const code = (error as { code?: unknown } | null)?.code;
  // Any write (store, embedding cache, log) can hit a full disk; the raw errno line does not say what to do.
  if (code === 'ENOSPC') return new ResponseError(ErrorCodes.IndexFailed, `the disk is full (${message}); free some space, then run ccc index again`);
  return new ResponseError(typeof code === 'number' ? code : ErrorCodes.IndexFailed, message);
}

/** Every `root` must be an absolute path of an existing directory. */
function withRoot<P extends { root: string }>(params: P): P {
  const root = params?.root;
  if (typeof root !== 'string' || !isAbsolute(root)) {
    throw new RequestError(ErrorCodes.InvalidRoot, `root must be an absolute path, got ${JSON.stringify(root)}`);
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(root).isDirectory();
  } catch {
    throw new RequestError(ErrorCodes.InvalidRoot, `root ${root} does not exist`);
  }
  if (!isDirectory) throw new RequestError(ErrorCodes.InvalidRoot, `root ${root} is not a directory`);
  return params;
}

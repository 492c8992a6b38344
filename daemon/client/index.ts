// The client side of the daemon, used by the CLI, the MCP server and the VS Code extension.
import { resetCrashCount } from '../server/lifecycle-files';
import { cccHome, homePaths } from '../paths';
import { DaemonStatusRequest, type DaemonStatus } from '../protocol';
import { ensureSession, sessionIfRunning, stopSession, type ClientOptions } from './ensure-daemon';
import type { DaemonSession } from './session';

export { CLIENT_VERSION, ensureDaemon, type ClientOptions } from './ensure-daemon';
export { openSocket, type DaemonSession } from './session';
export { findProjectRoot } from './project-root';
export { DaemonError } from './errors';

/** Ensures a usable daemon and returns a handshaken connection to it; the caller closes it. */
export function connect(options: ClientOptions): Promise<DaemonSession> {
  return ensureSession(options);
}

/** One connection for one piece of work (CLI, MCP): connect, run, close. */
export async function withDaemon<T>(options: ClientOptions, run: (session: DaemonSession) => Promise<T>): Promise<T> {
  const session = await connect(options);
  try {
    return await run(session);
  } finally {
    session.close();
  }
}

/** The daemon's status, or null when none runs; never starts one. */
export async function daemonStatusIfRunning(options: ClientOptions): Promise<DaemonStatus | null> {
  const session = await sessionIfRunning(options);
  if (!session) return null;
  try {
    return await session.connection.sendRequest(DaemonStatusRequest);
  } finally {
    session.close();
  }
}

/** Stops the running daemon and returns after its pid file is gone; false when none ran. */
export async function stopDaemon(options: ClientOptions): Promise<boolean> {
  const session = await sessionIfRunning(options);
  if (!session) return false;
  await stopSession(session, homePaths(options.home ?? cccHome()));
  return true;
}

/** Stops the daemon if one runs and starts a fresh one, forgetting earlier crashes (the user asked for it). */
export async function restartDaemon(options: ClientOptions): Promise<DaemonSession> {
  await stopDaemon(options);
  resetCrashCount(options.home ?? cccHome());
  return connect(options);
}

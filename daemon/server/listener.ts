// Binding the daemon's socket so that racing daemons end with exactly one listener: every bind happens under a
// lock file, and a socket file is removed only when nothing answers on it.
import { chmodSync, closeSync, openSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';

const LOCK_STALE_MS = 3000;
const LOCK_WAIT_MS = 15_000;

/** Listens on `socketPath`; resolves null when another daemon already answers there. */
export async function listenExclusive(socketPath: string, lockPath: string): Promise<Server | null> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!takeLock(lockPath)) {
    if (Date.now() > deadline) throw new Error(`could not take ${lockPath}; delete it if no ccc daemon is starting`);
    await delay(20);
  }
  try {
    const server = await listenOwnerOnly(socketPath).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') throw error;
      if (process.platform === 'win32' || (await answers(socketPath))) return null;
      rmSync(socketPath, { force: true });
      return listenOwnerOnly(socketPath);
    });
    return server;
  } finally {
    rmSync(lockPath, { force: true });
  }
}

/** True when a listener accepts connections on `socketPath`. */
export function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function takeLock(lockPath: string): boolean {
  try {
    closeSync(openSync(lockPath, 'wx', 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A daemon killed while holding the lock leaves it behind; binding takes milliseconds, so an old lock is stale.
    try {
      if (Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS) rmSync(lockPath, { force: true });
    } catch {
      // Removed meanwhile by its owner.
    }
    return false;
  }
}

/** The umask closes the window between bind and chmod in which another user could connect. */
function listenOwnerOnly(socketPath: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    const previousMask = process.umask(0o077);
    server.once('error', (error) => {
      process.umask(previousMask);
      reject(error);
    });
    server.listen(socketPath, () => {
      process.umask(previousMask);
      if (process.platform !== 'win32') chmodSync(socketPath, 0o600);
      resolve(server);
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Where ccc keeps its files. Shared by the daemon and its clients so that both agree on every path.
import { createHash } from 'node:crypto';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';

/** Linux allows 108 bytes in a socket path, macOS 104; keep under the smaller. */
const MAX_SOCKET_PATH = 103;

export interface HomePaths {
  home: string;
  /** Global settings file. */
  settings: string;
  socket: string;
  pid: string;
  log: string;
  lastExit: string;
  /** Holds one folder per project, named by a hash of its root. */
  indexRoot: string;
  /** Content-addressed embeddings shared by every project. */
  cache: string;
  /** Models downloaded from a hub. */
  models: string;
}

export function cccHome(): string {
  return resolve(process.env.CCC_HOME || join(homedir(), '.ccc'));
}

export function homePaths(home: string = cccHome()): HomePaths {
  return {
    home,
    settings: join(home, 'settings.yml'),
    socket: socketPath(home),
    pid: join(home, 'daemon.pid'),
    log: join(home, 'daemon.log'),
    lastExit: join(home, 'last_exit'),
    indexRoot: join(home, 'index'),
    cache: join(home, 'cache'),
    models: join(home, 'models'),
  };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** The daemon's socket: in CCC_HOME when the path fits, else in the temp folder; a named pipe on Windows. */
export function socketPath(home: string): string {
  if (process.platform === 'win32') return `\\\\.\\pipe\\ccc-${userInfo().username}-${shortHash(home)}`;
  const inHome = join(home, 'daemon.sock');
  if (Buffer.byteLength(inHome) <= MAX_SOCKET_PATH) return inHome;
  return join(tmpdir(), `ccc-${process.getuid?.() ?? 0}-${shortHash(home)}.sock`);
}

/** The folder holding one project's store. */
export function projectIndexDir(home: string, root: string): string {
  return join(home, 'index', shortHash(resolve(root)));
}

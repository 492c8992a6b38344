// `ccc doctor`, as every front end runs it (CLI, MCP, VS Code): first what a client can see without the daemon
// (CCC_HOME and the socket, the settings files), then the daemon itself, then the daemon's own checks (model, walk,
// index, watch) streamed as they finish, and last the daemon's log. A check that cannot run is itself a finding.
import { accessSync, closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { ProgressType } from 'vscode-jsonrpc';
import { cccHome, homePaths, type HomePaths } from '../paths';
import { DaemonStatusRequest, DoctorRequest, type DoctorCheck } from '../protocol';
import { loadGlobalSettings, loadProjectSettings, projectSettingsFile } from '../index/settings';
import { CLIENT_VERSION, withDaemon, type ClientOptions } from '../client';

/** The tail of daemon.log read for recent errors. */
const LOG_TAIL_BYTES = 256 * 1024;
/** Errors older than this are history, not a finding. */
const RECENT_MS = 24 * 60 * 60 * 1000;

/** Runs every check for the project at `root`, calling `onCheck` as each one finishes; returns them all. */
export async function runDoctor(root: string, options: ClientOptions, onCheck: (check: DoctorCheck) => void): Promise<DoctorCheck[]> {
  const paths = homePaths(options.home ?? cccHome());
  const checks: DoctorCheck[] = [];
  const found = (check: DoctorCheck) => {
    checks.push(check);
    onCheck(check);
  };
  const home = homeCheck(paths);
  found(home);
  found(settingsCheck(paths, root));
  if (home.status === 'error') {
    found({ name: 'daemon', status: 'error', detail: 'not checked: CCC_HOME is unusable', fix: home.fix });
  } else {
    await daemonChecks(root, options, found);
  }
  found(logCheck(paths));
  return checks;
}

/** CCC_HOME must be a folder only its user can open, and the socket only its user can connect to. */
export function homeCheck(paths: HomePaths): DoctorCheck {
  const fix = `chmod 700 ${paths.home} (and make it yours: chown $(id -u) ${paths.home})`;
  let info: Stats;
  try {
    info = statSync(paths.home);
  } catch {
    return { name: 'home', status: 'ok', detail: `${paths.home} does not exist yet; the daemon creates it (mode 0700)` };
  }
  if (!info.isDirectory()) return { name: 'home', status: 'error', detail: `${paths.home} is not a folder`, fix: `move it away, or set CCC_HOME to a folder` };
  try {
    accessSync(paths.home, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    return { name: 'home', status: 'error', detail: `${paths.home} cannot be opened (mode ${mode(info)})`, fix };
  }
  if (typeof process.getuid === 'function' && info.uid !== process.getuid()) {
    return { name: 'home', status: 'error', detail: `${paths.home} belongs to another user (uid ${info.uid})`, fix };
  }
  if ((info.mode & 0o077) !== 0) {
    return { name: 'home', status: 'warning', detail: `${paths.home} is mode ${mode(info)}: other users can look inside`, fix };
  }
  const socket = lstatOrNull(paths.socket);
  const socketNote = socket ? `; socket ${paths.socket} mode ${mode(socket)}` : '';
  if (socket && (socket.mode & 0o077) !== 0) {
    return { name: 'home', status: 'warning', detail: `${paths.home} is mode 0700${socketNote}: other users may connect`, fix: 'ccc daemon restart' };
  }
  return { name: 'home', status: 'ok', detail: `${paths.home} is mode 0700${socketNote}` };
}

/** Both settings files parse and hold only known keys with allowed values (the daemon reads them with the same code). */
export function settingsCheck(paths: HomePaths, root: string): DoctorCheck {
  const read: string[] = [];
  try {
    loadGlobalSettings(paths.home);
    read.push(exists(paths.settings) ? paths.settings : 'global defaults');
    const project = loadProjectSettings(root);
    const file = projectSettingsFile(root);
    read.push(exists(file) ? `${file} (${project.include.length} include, ${project.exclude.length} exclude globs)` : 'project defaults');
  } catch (error) {
    return { name: 'settings', status: 'error', detail: oneLine(error), fix: 'fix that key (ccc init --force writes a file with every default)' };
  }
  return { name: 'settings', status: 'ok', detail: read.join('; ') };
}

/** The daemon answers and is this client's version; then its own checks, streamed as they finish. */
async function daemonChecks(root: string, options: ClientOptions, found: (check: DoctorCheck) => void): Promise<void> {
  const token = `ccc-doctor-${process.pid}-${Date.now()}`;
  try {
    await withDaemon(options, async (session) => {
      const status = await session.connection.sendRequest(DaemonStatusRequest);
      const uptime = `${Math.round(status.uptimeMs / 1000)} s`;
      const detail = `ccc ${status.version}, pid ${status.pid}, up ${uptime}, ${Math.round(status.rssBytes / 2 ** 20)} MB, ${status.projects.length} project(s) loaded`;
      const same = status.version === CLIENT_VERSION;
      found(same ? { name: 'daemon', status: 'ok', detail } : { name: 'daemon', status: 'warning', detail: `${detail}; this client is ${CLIENT_VERSION}`, fix: 'ccc daemon restart' });
      session.connection.onProgress(new ProgressType<DoctorCheck>(), token, found);
      await session.connection.sendRequest(DoctorRequest, { root, workDoneToken: token });
    });
  } catch (error) {
    found({ name: 'daemon', status: 'error', detail: oneLine(error), fix: 'see the log check below, then ccc daemon restart' });
  }
}

/** The last errors in daemon.log, if any happened lately. */
export function logCheck(paths: HomePaths): DoctorCheck {
  let text: string;
  try {
    text = tail(paths.log, LOG_TAIL_BYTES);
  } catch {
    return { name: 'log', status: 'ok', detail: `${paths.log} does not exist yet` };
  }
  const since = Date.now() - RECENT_MS;
  const errors = text.split('\n').filter((line) => / ERROR /.test(line.slice(0, 40)) && Date.parse(line.slice(0, 24)) >= since);
  if (errors.length === 0) return { name: 'log', status: 'ok', detail: `no errors in the last day (${paths.log})` };
  const last = errors.at(-1)!;
  return {
    name: 'log', status: 'warning',
    detail: `${errors.length} error${errors.length === 1 ? '' : 's'} in the last day; the last: ${last.slice(0, 300)}`,
    fix: `read ${paths.log} around that time`,
  };
}

function tail(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, bytes));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  return lstatOrNull(path) !== null;
}

function mode(info: Stats): string {
  return `0${(info.mode & 0o777).toString(8)}`;
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

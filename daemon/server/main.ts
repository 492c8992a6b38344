// Entry of dist/daemon.js: the per-user ccc daemon. Started detached by a client; output goes to daemon.log.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { createFileLogger } from '../log';
import { cccHome, homePaths } from '../paths';
import { loadGlobalSettings } from '../index/settings';
import { Daemon } from './daemon';

function settingsMtimeMs(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const home = cccHome();
  const paths = homePaths(home);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  // The folder a client started us from may be a temporary checkout that is deleted later; from then on every new
  // worker thread (they share the process's working directory; Node gives them none of their own) failed to start
  // with `ENOENT: uv_cwd`, and every file lost its definitions. The home lives as long as the daemon does.
  process.chdir(home);
  const log = createFileLogger(paths.log);
  // Taken before reading the file so that an edit made while starting still makes the next client restart us.
  const mtime = settingsMtimeMs(paths.settings);
  let settings;
  try {
    settings = loadGlobalSettings(home);
  } catch (error) {
    log.error(`cannot start: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  const daemon = new Daemon(home, settings, mtime, log);
  if (!(await daemon.start())) {
    log.info('another daemon already serves this home; exiting');
    return;
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => void daemon.shutdown(signal).then(() => process.exit(0)));
  }
  process.on('uncaughtException', (error) => log.error(`uncaught: ${error.stack ?? error.message}`));
  process.on('unhandledRejection', (error) => log.error(`unhandled rejection: ${(error as Error)?.stack ?? String(error)}`));
}

main().catch((error: Error) => {
  createFileLogger(homePaths().log).error(`daemon failed: ${error.stack ?? error.message}`);
  process.exit(1);
});

// `ccc daemon status|start|stop|restart`: look after the background daemon.
import type { Command } from 'commander';
import { connect, daemonStatusIfRunning, restartDaemon, stopDaemon, type ClientOptions } from '../client';
import type { DaemonStatus } from '../protocol';
import { formatBytes, notice, printJson } from './output';

const options: ClientOptions = { client: 'cli', notify: notice };

export function register(program: Command): void {
  const daemon = program
    .command('daemon')
    .description('look after the background daemon that holds the model and the indexes')
    .addHelpText('after', '\nThe daemon starts by itself when a command needs it and exits after daemon.idleTimeoutMinutes without clients.');

  daemon
    .command('status')
    .description('show whether the daemon runs, its version, pid, memory and projects (exits 0 either way; never starts it)')
    .option('--json', 'print JSON: {"running": false} or {"running": true, ...status}')
    .action(async (flags: { json?: boolean }) => {
      const status = await daemonStatusIfRunning(options);
      if (flags.json) printJson(status ? { running: true, ...status } : { running: false });
      else process.stdout.write(status ? formatStatus(status) : 'ccc daemon: not running\n');
    });

  daemon
    .command('start')
    .description('start the daemon if it is not running (replacing an older version)')
    .action(async () => {
      const session = await connect(options);
      session.close();
      process.stdout.write(`ccc daemon ${session.daemonVersion} running (pid ${session.handshake.pid})\n`);
    });

  daemon
    .command('stop')
    .description('stop the daemon; returns once it has exited')
    .action(async () => {
      const stopped = await stopDaemon(options);
      process.stdout.write(stopped ? 'ccc daemon stopped\n' : 'ccc daemon: not running\n');
    });

  daemon
    .command('restart')
    .description('stop the daemon if it runs and start a fresh one')
    .action(async () => {
      const session = await restartDaemon(options);
      session.close();
      process.stdout.write(`ccc daemon ${session.daemonVersion} restarted (pid ${session.handshake.pid})\n`);
    });
}

function formatStatus(status: DaemonStatus): string {
  const lines = [
    `ccc daemon ${status.version} (protocol ${status.protocol}), pid ${status.pid}`,
    `  uptime ${duration(status.uptimeMs)}, idle ${duration(status.idleMs)}, ${status.connections} connection(s), rss ${Math.round(status.rssBytes / 1048576)} MB`,
    `  home ${status.home}`,
    `  socket ${status.socket}`,
    `  model ${status.model}`,
    status.projects.length === 0 ? '  projects: none' : '  projects:',
    ...status.projects.map((p) => `    ${p.root}  ${p.state}, ${p.files} files, ${p.chunks} chunks, ${formatBytes(p.memoryBytes)} in memory, ${formatBytes(p.indexBytes)} on disk`),
  ];
  return `${lines.join('\n')}\n`;
}

function duration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

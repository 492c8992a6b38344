// The daemon: one listener, many client connections, the project registry, and the lifecycle around them
// (pid file, idle exit, ordered shutdown).
import { join } from 'node:path';
import type { Server, Socket } from 'node:net';
import type { Logger } from '../log';
import { homePaths, type HomePaths } from '../paths';
import { DaemonStoppingNotification, IndexChangedNotification, PROTOCOL_VERSION, type DaemonStatus } from '../protocol';
import { ProjectRegistry } from '../index/registry';
import type { GlobalSettings } from '../index/settings';
import { VERSION } from '../version';
import { ClientConnection } from './client-connection';
import { registerHandlers } from './handlers';
import { listenExclusive } from './listener';
import { removePidFile, resetCrashCount, writeExitRecord, writePidFile } from './lifecycle-files';

/** A daemon that stays up this long has started cleanly: the crash counter starts over. */
const CLEAN_START_MS = 30_000;
/** How long the stop announcement may wait for a client that does not read: the stop stays fast. */
const ANNOUNCE_WAIT_MS = 100;

export class Daemon {
  private readonly paths: HomePaths;
  private readonly startedAt = Date.now();
  private readonly clients = new Set<ClientConnection>();
  private readonly registry: ProjectRegistry;
  private server: Server | null = null;
  private lastActivity = Date.now();
  private stopping: Promise<void> | null = null;

  constructor(
    private readonly home: string,
    private readonly settings: GlobalSettings,
    private readonly settingsMtimeMs: number | null,
    private readonly log: Logger,
  ) {
    this.paths = homePaths(home);
    this.registry = new ProjectRegistry({
      home,
      settings,
      log,
      onIndexChanged: (change) => {
        for (const client of this.clients) {
          if (client.kind === 'vscode') void client.connection.sendNotification(IndexChangedNotification, change).catch(() => {});
        }
      },
    });
  }

  /** Binds the socket; false when another daemon already serves this home (this one then just exits). */
  async start(): Promise<boolean> {
    const server = await listenExclusive(this.paths.socket, join(this.home, 'daemon.lock'));
    if (!server) return false;
    this.server = server;
    server.on('connection', (socket) => this.accept(socket));
    server.on('error', (error) => this.log.error(`listener: ${error.message}`));
    writePidFile(this.home, process.pid);
    this.log.info(`daemon ${VERSION} (protocol ${PROTOCOL_VERSION}) listening on ${this.paths.socket}, pid ${process.pid}`);
    setTimeout(() => resetCrashCount(this.home), CLEAN_START_MS).unref();
    this.startIdleClock();
    return true;
  }

  status(): DaemonStatus {
    return {
      version: VERSION,
      protocol: PROTOCOL_VERSION,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAt,
      idleMs: this.idleMs(),
      connections: this.clients.size,
      home: this.home,
      socket: this.paths.socket,
      rssBytes: process.memoryUsage.rss(),
      model: this.registry.modelId,
      projects: this.registry.summaries(),
    };
  }

  /** Close the listener (which removes the socket), end connections, flush stores, record the exit, remove the pid file last. */
  shutdown(reason: string): Promise<void> {
    this.stopping ??= this.runShutdown(reason);
    return this.stopping;
  }

  private async runShutdown(reason: string): Promise<void> {
    const started = Date.now();
    this.log.info(`shutting down: ${reason}`);
    // Node unlinks a Unix socket's file as the listener closes, so the socket is gone from here on; removing it again
    // later could delete a successor's socket.
    this.server?.close();
    await this.announceStop(reason);
    await Promise.all([...this.clients].map((client) => endAndWait(client)));
    try {
      await this.registry.close();
    } catch (error) {
      this.log.error(`flushing the stores failed: ${(error as Error).message}`);
    }
    try {
      writeExitRecord(this.home, { pid: process.pid, time: new Date().toISOString(), reason });
    } catch (error) {
      // A full disk must not keep the daemon from stopping: the pid file still goes, the next client calls it a crash.
      this.log.error(`could not write ${this.paths.lastExit}: ${(error as Error).message}`);
    }
    resetCrashCount(this.home);
    removePidFile(this.home, process.pid);
    this.log.info(`stopped in ${Date.now() - started} ms`);
  }

  /**
   * Every shutdown that reaches here was asked for (a stop request, a signal, the idle exit); a crash never does.
   * Announcing it lets editor windows show "stopped" instead of restarting the daemon as after a crash.
   */
  private async announceStop(reason: string): Promise<void> {
    const params = { reason, requested: true };
    await Promise.all(
      [...this.clients].map((client) =>
        Promise.race([client.connection.sendNotification(DaemonStoppingNotification, params).catch(() => undefined), delay(ANNOUNCE_WAIT_MS)]),
      ),
    );
  }

  private accept(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    const client = new ClientConnection(socket, this.identity(), this.log, (closed) => {
      this.clients.delete(closed);
      this.lastActivity = Date.now();
      this.log.info(`${closed.label} disconnected (${this.clients.size} left)`);
    });
    this.clients.add(client);
    this.lastActivity = Date.now();
    registerHandlers(client.connection, {
      registry: this.registry,
      log: this.log,
      label: () => client.label,
      status: () => this.status(),
      stopping: () => this.stopping !== null,
      touch: () => (this.lastActivity = Date.now()),
      stop: (why) => void this.shutdown(why).then(() => process.exit(0)),
    });
    client.listen();
    this.log.info(`${client.label} connected (${this.clients.size} open)`);
  }

  private identity() {
    return { version: VERSION, handshake: { protocol: PROTOCOL_VERSION, pid: process.pid, settingsMtimeMs: this.settingsMtimeMs } };
  }

  private idleMs(): number {
    if (this.clients.size > 0 || this.registry.isBusy()) return 0;
    return Date.now() - this.lastActivity;
  }

  private startIdleClock(): void {
    const timeoutMs = this.settings.daemon.idleTimeoutMinutes * 60_000;
    if (!(timeoutMs > 0)) return;
    const timer = setInterval(() => {
      if (this.registry.isBusy()) this.lastActivity = Date.now();
      if (this.idleMs() < timeoutMs) return;
      clearInterval(timer);
      void this.shutdown(`idle for ${this.settings.daemon.idleTimeoutMinutes} minutes`).then(() => process.exit(0));
    }, Math.min(Math.max(timeoutMs / 4, 50), 30_000));
  }
}

function endAndWait(client: ClientConnection): Promise<void> {
  return new Promise((resolve) => {
    client.connection.onClose(() => resolve());
    client.end();
    setTimeout(resolve, 250).unref();
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

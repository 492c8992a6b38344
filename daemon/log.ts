// One leveled log per process. The daemon writes to daemon.log; nothing is ever printed to a front end's stdout.
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Appends one line per message; synchronous so the last lines survive a crash. */
export function createFileLogger(file: string, minLevel: LogLevel = (process.env.CCC_LOG_LEVEL as LogLevel) || 'info'): Logger {
  const write = (level: LogLevel, message: string) => {
    if (order[level] < order[minLevel]) return;
    try {
      appendFileSync(file, `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${message}\n`);
    } catch {
      // A log that cannot be written must not take the daemon down.
    }
  };
  return {
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

/** For tests and tools that do not keep a log. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

// One leveled log per process. The daemon writes to daemon.log; nothing is ever printed to a front end's stdout.
import { appendFileSync, renameSync, statSync } from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A log this big is moved to `<file>.1` (replacing the one before), so the logs never take more than twice this. */
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export interface FileLoggerOptions {
  minLevel?: LogLevel;
  rotateBytes?: number;
}

/** Appends one line per message; synchronous so the last lines survive a crash. */
export function createFileLogger(file: string, options: FileLoggerOptions = {}): Logger {
  const minLevel = options.minLevel ?? ((process.env.CCC_LOG_LEVEL as LogLevel) || 'info');
  const rotateBytes = options.rotateBytes ?? LOG_ROTATE_BYTES;
  let size = sizeOf(file);
  const write = (level: LogLevel, message: string) => {
    if (order[level] < order[minLevel]) return;
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${process.pid}] ${message}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      if (size + bytes > rotateBytes && size > 0) {
        renameSync(file, `${file}.1`);
        size = 0;
      }
      appendFileSync(file, line);
      size += bytes;
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

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** For tests and tools that do not keep a log. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

import type { Writable } from 'node:stream';

export const LogLevel = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LogLevel;
export type LogFormat = 'text' | 'json';

/**
 * The logging interface of every stage: pino's call shape (fields first, then the message),
 * the same shape kcl's `Logger` asks for, so one logger serves the stage and its worker.
 */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface LoggerOptions {
  readonly level: LogLevel;
  /** text: "12:00:01 INFO took lease leaseKey=…"; json: one object per line (pino-style). */
  readonly format: LogFormat;
  readonly stream?: Writable;
  /** Added to every line (e.g. the worker id). */
  readonly base?: object;
  readonly now?: () => number;
}

/** A small structured logger (pino's call shape) writing text or JSON lines to stderr. */
export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const threshold = LogLevel[options.level];
  const write = (level: LogLevel, fields: object, message: string) => {
    if (LogLevel[level] < threshold) return;
    const time = now();
    if (options.format === 'json') {
      stream.write(
        `${JSON.stringify({ level, time: new Date(time).toISOString(), msg: message, ...options.base, ...fields })}\n`,
      );
      return;
    }
    const pairs = Object.entries(fields)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const clock = new Date(time).toISOString().slice(11, 23);
    stream.write(`${clock} ${level.toUpperCase().padEnd(5)} ${message}${pairs ? ` ${pairs}` : ''}\n`);
  };
  return {
    debug: (fields, message) => write('debug', fields, message),
    info: (fields, message) => write('info', fields, message),
    warn: (fields, message) => write('warn', fields, message),
    error: (fields, message) => write('error', fields, message),
  };
}

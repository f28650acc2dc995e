/** The logging the library does: pino-compatible (object first, then message). */
export interface Logger {
  /** Every read, every checkpoint: off in production. */
  debug(fields: object, message: string): void;
  /** The worker's life: started, took or stole a lease, stopped. */
  info(fields: object, message: string): void;
  /** Something retried or given up: throttling, a transient fault, a lease lost, a processor that threw. */
  warn(fields: object, message: string): void;
  /** What stops a shard or the worker. */
  error(fields: object, message: string): void;
}

/** Logs nothing: the default. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

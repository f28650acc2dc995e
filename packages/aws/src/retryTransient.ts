import { classifyAwsError, ErrorClass } from './classifyAwsError.js';
import { AwsError } from './errors.js';

export interface RetryTransientOptions {
  /** Told of each retry: what failed and how long until the next try. */
  readonly onRetry?: (error: Error, waitMs: number) => void;
  /** Stops retrying (the last error is thrown). */
  readonly signal?: AbortSignal;
  /** Gives up after this long, from the first try. Default 60 s. */
  readonly giveUpAfterMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Runs a start-up call (describe a stream, list its shards) again, with backoff from 200 ms
 * doubling to 5 s, while it fails with throttling or a transient fault (a dropped
 * connection, a timeout, a 5xx) — for a minute at most. A refused connection is not
 * retried: nothing listens there (the embedded stack is not running), and saying so at
 * once beats a minute of silence. Errors translated by this package are judged by the
 * SDK error they carry.
 *
 * @example
 * const stream = await retryTransient(() => streams.describe('StockTradeStream'), {
 *   onRetry: (error, waitMs) => log.warn({ waitMs }, `${error.message}; trying again`),
 * });
 */
export async function retryTransient<T>(call: () => Promise<T>, options: RetryTransientOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const startedAt = now();
  for (let waitMs = 200; ; waitMs = Math.min(5000, waitMs * 2)) {
    try {
      return await call();
    } catch (error) {
      const retryable = isRetryable(error);
      const late = now() - startedAt + waitMs > (options.giveUpAfterMs ?? 60_000);
      if (!retryable || late || options.signal?.aborted) throw error;
      options.onRetry?.(error as Error, waitMs);
      await sleep(waitMs);
    }
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof AwsError) {
    if (error.code === 'SERVICE_UNREACHABLE') return false;
    if (error.code === 'THROTTLED' || error.code === 'CONNECTION_LOST') return true;
    return error.cause !== undefined && classifyAwsError(error.cause) !== ErrorClass.PERMANENT;
  }
  return classifyAwsError(error) !== ErrorClass.PERMANENT && !refused(error);
}

function refused(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ECONNREFUSED';
}

import type { UserRecord } from '@stock-trades/kpl';

/** What to do about a processor call that threw: call it again, give up on it and go on, or stop the shard. */
export type ProcessingDecision = 'retry' | 'skip' | 'stop';

/** A processor call that threw, as the hook sees it. */
export interface ProcessingFailure {
  readonly shardId: string;
  /** Which call threw. */
  readonly during: 'initialize' | 'processRecords' | 'shardEnded';
  readonly error: unknown;
  /** processRecords: the batch's records still to process (those after the last checkpoint); otherwise none. */
  readonly records: readonly UserRecord[];
  /** How many times in a row this call has thrown: 1 the first time. */
  readonly attempt: number;
}

/**
 * What happens when the processor throws:
 * - `'retry'` (default): the call is made again in place, with jittered backoff, for as long as the lease is held —
 *   every attempt logged with its count, and the shard's consecutive failures shown in the worker's status;
 * - `'skip'`: after `processingAttempts` attempts, give up on the batch as the Java KCL does: log it, checkpoint past
 *   it, and go on with the next (those records are processed at most once);
 * - a hook, asked on every failure: `'retry'`, `'skip'` or `'stop'` (the shard's consumer fails: its lease is no
 *   longer renewed, and a worker takes it after the failover time). A dead-letter sink is a few lines of it.
 */
export type ProcessingErrorPolicy =
  | 'retry'
  | 'skip'
  | ((failure: ProcessingFailure) => ProcessingDecision | Promise<ProcessingDecision>);

export interface ProcessingErrorSettings {
  readonly policy: ProcessingErrorPolicy;
  /** With `'skip'`: how many attempts a batch gets before it is skipped. */
  readonly attempts: number;
  /** Backoff between attempts: a random wait of half to all of firstMs × 2^(attempt − 1), at most maxMs. */
  readonly backoff: { readonly firstMs: number; readonly maxMs: number };
}

export const DEFAULT_PROCESSING_ERRORS: ProcessingErrorSettings = {
  policy: 'retry',
  attempts: 3,
  backoff: { firstMs: 250, maxMs: 30_000 },
};

/** The decision for the `attempt`-th failure in a row of one call. */
export async function decide(
  settings: ProcessingErrorSettings,
  failure: ProcessingFailure,
): Promise<ProcessingDecision> {
  const { policy } = settings;
  if (typeof policy === 'function') return policy(failure);
  if (policy === 'skip' && failure.attempt >= settings.attempts) return 'skip';
  return 'retry';
}

/**
 * "Equal jitter" (every retry of kcl's: processor calls, and Kinesis or the lease table failing for now): between
 * half the exponential bound and all of it, so shards failing together do not retry
 * together, and no retry comes at once (a processor that always throws is never called in a tight loop).
 */
export function backoffMs(backoff: ProcessingErrorSettings['backoff'], attempt: number, random: () => number): number {
  const bound = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(30, attempt - 1));
  return Math.round(bound / 2 + (random() * bound) / 2);
}

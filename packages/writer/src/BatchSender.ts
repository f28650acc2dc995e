import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoffDelay.js';
import { RetryableWriteError } from './errors.js';
import type { PendingRecord } from './PendingRecord.js';
import type { EntryOutcome, RecordEntry, RecordReceipt } from './RecordsPort.js';

export interface DeliveredRecord extends RecordReceipt {
  readonly pending: PendingRecord;
}

export interface BatchResult {
  /** Each record Kinesis acknowledged, exactly once, with where it went. */
  readonly delivered: DeliveredRecord[];
  /** Records still unacknowledged when the retry budget ran out or a fatal error struck. */
  readonly undelivered: PendingRecord[];
  /** Records sent again (a record retried twice counts twice). */
  readonly retriedRecords: number;
  /** Why the undelivered ones were given up on, when there are any. */
  readonly failure?: string;
  /** Set when the failure was not retryable (the stream is gone, access was denied): stop producing. */
  readonly fatal?: Error;
}

/** One write attempt: PutRecords for a batch, or PutRecord for the tutorial's one trade. */
export type WriteEntries = (entries: readonly RecordEntry[]) => Promise<EntryOutcome[]>;

export interface BatchSenderDeps {
  readonly write: WriteEntries;
  readonly policy?: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  /** Milliseconds, for the policy's `retryForMs`; Date.now by default. */
  readonly now?: () => number;
  readonly random?: () => number;
  /** Told of each retry, for logs and progress. */
  readonly onRetry?: (records: number, reason: string, delayMs: number) => void;
  /**
   * Awaited before every attempt, the first and each retry, with the entries about to go:
   * a rate limiter charges them here, so what is sent again is paid for too.
   */
  readonly pace?: (entries: readonly RecordEntry[]) => Promise<void>;
}

/**
 * Sends one batch and re-sends only the entries that failed, with
 * exponential backoff and jitter, until all are acknowledged or a record has used
 * its attempts. Throttling of the whole call is retried the same way. Never sends an
 * acknowledged entry again, so nothing it reports delivered is doubled.
 */
export class BatchSender {
  private readonly policy: RetryPolicy;
  private readonly random: () => number;

  constructor(private readonly deps: BatchSenderDeps) {
    this.policy = deps.policy ?? DEFAULT_RETRY_POLICY;
    this.random = deps.random ?? Math.random;
  }

  async send(batch: readonly PendingRecord[]): Promise<BatchResult> {
    const delivered: DeliveredRecord[] = [];
    let pending = [...batch];
    let retriedRecords = 0;
    let lastReason = '';
    const now = this.deps.now ?? Date.now;
    const startedAt = now();
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        const delay = backoffDelay(attempt - 1, this.policy, this.random);
        const retriedFor = now() - startedAt;
        if (attempt > this.policy.maxAttempts || retriedFor + delay > this.policy.retryForMs) {
          const failure = `gave up after ${attempt - 1} attempts in ${Math.round(retriedFor / 1000)} s (last error: ${lastReason})`;
          return { delivered, undelivered: pending, retriedRecords, failure };
        }
        this.deps.onRetry?.(pending.length, lastReason, delay);
        retriedRecords += pending.length;
        await this.deps.sleep(delay);
      }
      let outcomes: EntryOutcome[];
      const entries = pending.map((item) => item.entry);
      try {
        await this.deps.pace?.(entries);
        outcomes = await this.deps.write(entries);
      } catch (error) {
        if (error instanceof RetryableWriteError) {
          lastReason = error.message;
          continue;
        }
        const fatal = error instanceof Error ? error : new Error(String(error));
        return { delivered, undelivered: pending, retriedRecords, failure: fatal.message, fatal };
      }
      const failed: PendingRecord[] = [];
      pending.forEach((item, index) => {
        const outcome = outcomes[index];
        if (outcome?.ok)
          delivered.push({ pending: item, shardId: outcome.shardId, sequenceNumber: outcome.sequenceNumber });
        else {
          failed.push(item);
          if (outcome) lastReason = `${outcome.errorCode}: ${outcome.errorMessage}`;
        }
      });
      pending = failed;
    }
    return { delivered, undelivered: [], retriedRecords };
  }
}

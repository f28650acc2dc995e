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
  readonly random?: () => number;
  /** Told of each retry, for logs and progress. */
  readonly onRetry?: (records: number, reason: string, delayMs: number) => void;
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
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (attempt > this.policy.maxAttempts) {
          const failure = `gave up after ${this.policy.maxAttempts} attempts (last error: ${lastReason})`;
          return { delivered, undelivered: pending, retriedRecords, failure };
        }
        const delay = backoffDelay(attempt - 1, this.policy, this.random);
        this.deps.onRetry?.(pending.length, lastReason, delay);
        retriedRecords += pending.length;
        await this.deps.sleep(delay);
      }
      let outcomes: EntryOutcome[];
      try {
        outcomes = await this.deps.write(pending.map((item) => item.entry));
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

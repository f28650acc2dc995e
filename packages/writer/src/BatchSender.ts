import { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoffDelay.js';
import { RetryableWriteError } from './errors.js';
import type { PendingRecord } from './PendingRecord.js';
import type { EntryOutcome, RecordEntry, RecordReceipt } from './RecordsPort.js';

export interface DeliveredRecord extends RecordReceipt {
  readonly pending: PendingRecord;
}

export interface BatchResult {
  /** Each record Kinesis acknowledged, exactly once, with where it went (once or more: see `unknown`). */
  readonly delivered: DeliveredRecord[];
  /**
   * Records given up on (the retry budget ran out, or a fatal error struck) that Kinesis
   * surely did not store: every attempt was refused outright (throttled, rejected).
   */
  readonly undelivered: PendingRecord[];
  /**
   * Records given up on whose fate is unknown: an attempt timed out, lost its connection
   * or failed whole with a server error, so Kinesis may have stored them. Never count
   * these as lost: a consumer may well read them.
   */
  readonly unknown: PendingRecord[];
  /** Records sent again (a record retried twice counts twice). */
  readonly retriedRecords: number;
  /** Why the records not acknowledged were given up on, when there are any. */
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
 * Sends one batch and re-sends only the entries that failed, with exponential backoff and
 * jitter, until all are acknowledged or the policy gives up. Throttling of the whole call
 * is retried the same way. Never sends an acknowledged entry again; but an entry whose
 * attempt timed out may have been stored by Kinesis all the same, and its retry stores it
 * again (as with the KPL): such entries are reported `unknown` if given up on, and a
 * consumer must absorb the duplicates of those it acknowledged.
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
    /** Entries an attempt of which may have been stored: their fate is unknown unless acknowledged later. */
    const maybeStored = new Set<PendingRecord>();
    let retriedRecords = 0;
    let lastReason = '';
    const now = this.deps.now ?? Date.now;
    const startedAt = now();
    const givenUp = (failure: string, fatal?: Error): BatchResult => ({
      delivered,
      undelivered: pending.filter((item) => !maybeStored.has(item)),
      unknown: pending.filter((item) => maybeStored.has(item)),
      retriedRecords,
      failure,
      ...(fatal ? { fatal } : {}),
    });
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        const delay = backoffDelay(attempt - 1, this.policy, this.random);
        const retriedFor = now() - startedAt;
        if (attempt > this.policy.maxAttempts || retriedFor + delay > this.policy.retryForMs) {
          const limit =
            attempt > this.policy.maxAttempts
              ? `its ${this.policy.maxAttempts} attempts were used`
              : `it was retried for ${formatSeconds(this.policy.retryForMs)}`;
          return givenUp(
            `gave up after ${attempt - 1} attempts in ${Math.round(retriedFor / 1000)} s: ${limit} (last error: ${lastReason})`,
          );
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
          if (error.outcomeUnknown) for (const item of pending) maybeStored.add(item);
          continue;
        }
        const fatal = error instanceof Error ? error : new Error(String(error));
        return givenUp(fatal.message, fatal);
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
    return { delivered, undelivered: [], unknown: [], retriedRecords };
  }
}

function formatSeconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

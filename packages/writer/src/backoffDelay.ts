export interface RetryPolicy {
  /** Attempts per record, the first included; past this it is given up on. Infinity: no cap but the time. */
  readonly maxAttempts: number;
  /**
   * How long a record is retried at most, from its first attempt (as the KPL's RecordTtl):
   * a retry that would start later is not made. It is what lets a producer ride out an
   * outage of its service; attempts alone run out within seconds.
   */
  readonly retryForMs: number;
  /** Ceiling of the first retry's delay. */
  readonly baseDelayMs: number;
  /** No delay is longer than this. */
  readonly maxDelayMs: number;
}

/**
 * Retries for up to five minutes, however many attempts that takes: a producer rides out a
 * two-minute stall of Kinesis (each attempt may itself wait out a 30 s request timeout).
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  retryForMs: 5 * 60_000,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
};

/**
 * Exponential backoff with full jitter: the delay before retry `retry` (1 = the first
 * retry) is uniform in [0, min(max, base × 2^(retry-1))]. `random` returns [0, 1).
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

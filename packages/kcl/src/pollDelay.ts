export interface PollDelayPolicy {
  /** Never poll a shard more often than this (Kinesis allows 5 GetRecords per shard per second). */
  readonly minMs: number;
  /** A quiet shard is polled at least this often. */
  readonly maxMs: number;
}

/**
 * How long to wait before the next GetRecords: the minimum while behind the tip; while
 * records keep coming at the tip, halve toward the minimum; while the shard is quiet,
 * double toward the maximum.
 */
export function nextPollDelay(
  previousMs: number,
  gotRecords: boolean,
  millisBehindLatest: number,
  policy: PollDelayPolicy,
): number {
  if (gotRecords && millisBehindLatest > 0) return policy.minMs;
  const next = gotRecords ? previousMs / 2 : previousMs * 2;
  return Math.min(policy.maxMs, Math.max(policy.minMs, Math.round(next)));
}

/** What one shard takes in a second, as AWS enforces it for provisioned streams. */
export const SHARD_WRITE_LIMITS = { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024 } as const;

/** One record to charge: the shard it goes to (undefined: unknown, not charged) and its size, data and partition key. */
export interface ShardCharge {
  readonly shardId: string | undefined;
  readonly bytes: number;
}

interface Allowance {
  records: number;
  bytes: number;
  at: number;
}

/**
 * How much of a second's allowance the limiter lets go at once. The shard's own bucket
 * holds a whole second; keeping ours at half leaves the shard the other half in hand, so
 * calls that reach it closer together than they were sent (a delayed call followed by one
 * on time: network, event loop) still fit. At a full second a producer running at the
 * limit meets a refusal whenever a call arrives early.
 */
export const DEFAULT_BURST_SECONDS = 0.5;

/**
 * Keeps a producer within each shard's write allowance, as the KPL's per-shard RateLimit
 * does: each batch is charged to the shards its records go to (the caller routes them),
 * and the caller waits until every charged shard has paid its debt, so `--rate max` runs
 * close to the shards' capacity instead of into a throttling storm. Buckets refill at the
 * shard's rate and hold `burstSeconds` of it (see DEFAULT_BURST_SECONDS); a batch should
 * carry no more than that. Pure: times come in.
 */
export class ShardRateLimiter {
  private readonly allowances = new Map<string, Allowance>();
  /** What a shard's bucket holds: the most one batch for a shard should carry. */
  readonly capacity: { readonly records: number; readonly bytes: number };

  constructor(
    private readonly limits: { recordsPerSecond: number; bytesPerSecond: number } = SHARD_WRITE_LIMITS,
    burstSeconds = DEFAULT_BURST_SECONDS,
  ) {
    if (!(burstSeconds > 0 && burstSeconds <= 1)) throw new RangeError('burstSeconds must be in (0, 1]');
    this.capacity = { records: limits.recordsPerSecond * burstSeconds, bytes: limits.bytesPerSecond * burstSeconds };
  }

  /** Charges a batch; returns how long to wait (ms) before sending it so that no shard is over its allowance. */
  charge(records: readonly ShardCharge[], nowMs: number): number {
    let waitMs = 0;
    for (const { shardId, bytes } of records) {
      if (shardId === undefined) continue;
      const allowance = this.refilled(shardId, nowMs);
      allowance.records -= 1;
      allowance.bytes -= bytes;
      const owed = Math.max(
        -allowance.records / this.limits.recordsPerSecond,
        -allowance.bytes / this.limits.bytesPerSecond,
        0,
      );
      waitMs = Math.max(waitMs, Math.ceil(owed * 1000));
    }
    return waitMs;
  }

  private refilled(shardId: string, nowMs: number): Allowance {
    const { recordsPerSecond, bytesPerSecond } = this.limits;
    const { capacity } = this;
    const allowance = this.allowances.get(shardId) ?? { records: capacity.records, bytes: capacity.bytes, at: nowMs };
    const seconds = Math.max(0, nowMs - allowance.at) / 1000;
    allowance.records = Math.min(capacity.records, allowance.records + seconds * recordsPerSecond);
    allowance.bytes = Math.min(capacity.bytes, allowance.bytes + seconds * bytesPerSecond);
    allowance.at = Math.max(allowance.at, nowMs);
    this.allowances.set(shardId, allowance);
    return allowance;
  }
}

import { createHash } from 'node:crypto';
import type { RecordEntry, ShardRange } from './RecordsPort.js';

/** What one shard takes in a second, as AWS enforces it for provisioned streams. */
export const SHARD_WRITE_LIMITS = { recordsPerSecond: 1000, bytesPerSecond: 1024 * 1024 } as const;

interface Allowance {
  records: number;
  bytes: number;
  at: number;
}

/**
 * Keeps a producer within each shard's write allowance, as the KPL's per-shard RateLimit
 * does: each batch is charged to the shards its records go to (the MD5 of the partition
 * key, or the explicit hash key, against the open shards' ranges), and the caller waits
 * until every charged shard has paid its debt, so `--rate max` runs close to the shards'
 * capacity instead of into a throttling storm. Buckets hold one second's worth. Pure:
 * times come in.
 */
export class ShardRateLimiter {
  private shards: Array<{ shardId: string; start: bigint; end: bigint }> = [];
  private readonly allowances = new Map<string, Allowance>();

  constructor(
    shards: readonly ShardRange[],
    private readonly limits: { recordsPerSecond: number; bytesPerSecond: number } = SHARD_WRITE_LIMITS,
  ) {
    this.useShards(shards);
  }

  /** The stream's shards now (after a reshard). */
  useShards(shards: readonly ShardRange[]): void {
    this.shards = shards
      .filter((shard) => shard.open)
      .map((shard) => ({
        shardId: shard.shardId,
        start: BigInt(shard.startingHashKey),
        end: BigInt(shard.endingHashKey),
      }));
  }

  /** Charges a batch; returns how long to wait (ms) before sending it so that no shard is over its allowance. */
  charge(entries: readonly RecordEntry[], nowMs: number): number {
    let waitMs = 0;
    for (const entry of entries) {
      const shardId = this.shardOf(entry);
      if (shardId === undefined) continue;
      const allowance = this.refilled(shardId, nowMs);
      allowance.records -= 1;
      allowance.bytes -= entry.data.length + Buffer.byteLength(entry.partitionKey);
      const owed = Math.max(
        -allowance.records / this.limits.recordsPerSecond,
        -allowance.bytes / this.limits.bytesPerSecond,
        0,
      );
      waitMs = Math.max(waitMs, Math.ceil(owed * 1000));
    }
    return waitMs;
  }

  private shardOf(entry: RecordEntry): string | undefined {
    const key =
      entry.explicitHashKey !== undefined
        ? BigInt(entry.explicitHashKey)
        : BigInt(`0x${createHash('md5').update(entry.partitionKey, 'utf8').digest('hex')}`);
    return this.shards.find((shard) => key >= shard.start && key <= shard.end)?.shardId;
  }

  private refilled(shardId: string, nowMs: number): Allowance {
    const { recordsPerSecond, bytesPerSecond } = this.limits;
    const allowance = this.allowances.get(shardId) ?? { records: recordsPerSecond, bytes: bytesPerSecond, at: nowMs };
    const seconds = Math.max(0, nowMs - allowance.at) / 1000;
    allowance.records = Math.min(recordsPerSecond, allowance.records + seconds * recordsPerSecond);
    allowance.bytes = Math.min(bytesPerSecond, allowance.bytes + seconds * bytesPerSecond);
    allowance.at = Math.max(allowance.at, nowMs);
    this.allowances.set(shardId, allowance);
    return allowance;
  }
}

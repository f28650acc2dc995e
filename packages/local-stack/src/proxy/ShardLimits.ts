import { TokenBucket } from './TokenBucket.js';

/** What AWS enforces per shard of a provisioned stream. */
export const SHARD_LIMITS = {
  writeRecordsPerSecond: 1000,
  writeBytesPerSecond: 1024 * 1024,
  readCallsPerSecond: 5,
  readBytesPerSecond: 2 * 1024 * 1024,
} as const;

interface ShardBuckets {
  readonly writeRecords: TokenBucket;
  readonly writeBytes: TokenBucket;
  readonly readCalls: TokenBucket;
  readonly readBytes: TokenBucket;
}

/**
 * Every shard's write and read allowance, as AWS enforces it for provisioned streams:
 * 1,000 records and 1 MiB (data + partition key) a second in; five GetRecords calls and
 * 2 MiB a second out. Pure: times come in.
 */
export class ShardLimits {
  private readonly shards = new Map<string, ShardBuckets>();

  /** `scale` < 1 shrinks every limit alike: a class sees a shard's limits at rates a laptop's emulator can reach. */
  constructor(private readonly scale = 1) {}

  /** Whether one more record of `bytes` fits the shard's write allowance now; takes it if so. */
  tryWrite(stream: string, shardId: string, bytes: number, nowMs: number): boolean {
    const buckets = this.buckets(stream, shardId);
    if (!buckets.writeRecords.has(1, nowMs) || !buckets.writeBytes.has(bytes, nowMs)) return false;
    buckets.writeRecords.tryTake(1, nowMs);
    buckets.writeBytes.tryTake(bytes, nowMs);
    return true;
  }

  /** Whether a GetRecords call may go to the shard now (a call and no byte debt); takes the call if so. */
  tryRead(stream: string, shardId: string, nowMs: number): boolean {
    const buckets = this.buckets(stream, shardId);
    if (!buckets.readBytes.has(0, nowMs)) return false;
    return buckets.readCalls.tryTake(1, nowMs);
  }

  /** Charges what a GetRecords call returned; a large read makes the next calls wait until it is paid. */
  chargeRead(stream: string, shardId: string, bytes: number, nowMs: number): void {
    this.buckets(stream, shardId).readBytes.charge(bytes, nowMs);
  }

  private buckets(stream: string, shardId: string): ShardBuckets {
    const key = `${stream}/${shardId}`;
    let buckets = this.shards.get(key);
    if (!buckets) {
      const scaled = (limit: number) => limit * this.scale;
      buckets = {
        writeRecords: new TokenBucket(scaled(SHARD_LIMITS.writeRecordsPerSecond)),
        writeBytes: new TokenBucket(scaled(SHARD_LIMITS.writeBytesPerSecond)),
        // At least one read a second, however small the scale, so a reader is never locked out.
        readCalls: new TokenBucket(Math.max(1, scaled(SHARD_LIMITS.readCallsPerSecond))),
        readBytes: new TokenBucket(scaled(SHARD_LIMITS.readBytesPerSecond)),
      };
      this.shards.set(key, buckets);
    }
    return buckets;
  }
}

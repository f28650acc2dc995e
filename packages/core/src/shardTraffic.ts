/**
 * What the embedded stack's Kinesis proxy counts per shard, and where it tells it: a GET
 * on this path of the stack's Kinesis endpoint answers a ShardTrafficReport. The
 * dashboard's throttling panel reads it; counters only grow (rates are differences).
 */
export const SHARD_TRAFFIC_PATH = '/_stock-trades/shard-traffic';

export interface ShardTrafficCounts {
  /** Records accepted (PutRecord, and PutRecords entries) and their bytes (data + partition key). */
  readonly recordsIn: number;
  readonly bytesIn: number;
  /** PUT payload units the accepted records bill on AWS (one per started 25 KB of each). */
  readonly payloadUnitsIn?: number;
  /** User records in the accepted records: the trades of KPL aggregates, one per plain record. */
  readonly userRecordsIn?: number;
  /** Records refused with ProvisionedThroughputExceededException. */
  readonly recordsRefused: number;
  /** GetRecords calls answered, and refused for the shard's read limits. */
  readonly reads: number;
  readonly readsThrottled: number;
}

export interface ShardTrafficReport {
  /** Whether the per-shard limits are enforced (`pnpm stack --no-shard-limits` turns them off). */
  readonly shardLimits: boolean;
  /** One shard's write allowance, after `--limit-scale`. */
  readonly writeRecordsPerSecond: number;
  readonly writeBytesPerSecond: number;
  /** GetRecords calls a shard takes a second, after `--limit-scale` (never under one). */
  readonly readCallsPerSecond?: number;
  /** Stream name → shard id → counts. */
  readonly streams: Readonly<Record<string, Readonly<Record<string, ShardTrafficCounts>>>>;
  /**
   * Stream name → who read it, one entry per application and retrieval mode: a polling reader by the
   * app id its SDK client sends (`userAgentAppId`, `app/<id>` in the User-Agent; our consumers send
   * their application name), a fan-out reader by its stream consumer's name.
   */
  readonly readers?: Readonly<Record<string, readonly ReaderTraffic[]>>;
}

/** An application's reads of one stream, shard by shard. */
export interface ReaderTraffic {
  /** The app id (polling) or the stream consumer's name (fan-out); `(no app id)` for a polling client that sends none. */
  readonly application: string;
  readonly mode: 'polling' | 'fan-out';
  readonly shards: Readonly<Record<string, ReaderShardCounts>>;
}

export interface ReaderShardCounts {
  /** GetRecords calls answered (polling), or SubscribeToShard events sent (fan-out). */
  readonly reads: number;
  /**
   * GetRecords calls refused for the shard's read limits (polling: every application on the shard
   * shares them), or SubscribeToShard calls refused (fan-out: LimitExceeded, ResourceInUse).
   */
  readonly readsThrottled: number;
  /** Kinesis records handed over (a KPL aggregate is one) and their bytes (data + partition key). */
  readonly recordsOut: number;
  readonly bytesOut: number;
}

/** Who reads with no app id in its User-Agent. */
export const UNNAMED_READER = '(no app id)';

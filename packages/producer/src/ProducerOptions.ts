import type { RetryPolicy } from '@stock-trades/writer';

export const ProducerMode = {
  /** PutRecords of up to 500 trades / 5 MiB, flushed when full or after the linger time. */
  BATCHED: 'batched',
  /** Exactly the tutorial's writer: PutRecord of one trade, then 100 ms sleep. */
  TUTORIAL: 'tutorial',
} as const;
export type ProducerMode = (typeof ProducerMode)[keyof typeof ProducerMode];

export const PartitionKeyMode = {
  TICKER: 'ticker',
  RANDOM: 'random',
} as const;
export type PartitionKeyMode = (typeof PartitionKeyMode)[keyof typeof PartitionKeyMode];

/** The tutorial's pause between two trades. */
export const TUTORIAL_INTERVAL_MS = 100;

export interface ProducerOptions {
  readonly stream: string;
  readonly mode: ProducerMode;
  /** Trades per second in batched mode; undefined: as fast as Kinesis takes them. */
  readonly rate?: number;
  /** Stop after this many trades. */
  readonly count?: number;
  /** Stop after this long. */
  readonly durationMs?: number;
  readonly seed?: number;
  /** Stamped on every trade, so that a copy Kinesis stores twice is counted once; random per run when absent. */
  readonly producerId?: string;
  readonly partitionKey: PartitionKeyMode;
  /** KPL aggregation: many trades per Kinesis record, packed per shard (batched mode only). */
  readonly aggregate?: boolean;
  /** A batch waits at most this long for more trades before it goes out. */
  readonly lingerMs: number;
  /** PutRecords calls under way at once. */
  readonly maxInFlight: number;
  /**
   * Keep within this share of each shard's 1,000 records and 1 MiB a second (default 1: all
   * of it), as the KPL's RateLimit; false: send and let Kinesis throttle.
   */
  readonly shardRateLimit?: number | false;
  readonly retryPolicy: RetryPolicy;
}

export const DEFAULT_LINGER_MS = 50;
export const DEFAULT_MAX_IN_FLIGHT = 4;

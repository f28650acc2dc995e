import type { StockTrade } from '@stock-trades/core';
import type { RecordEntry } from './RecordsPort.js';

/**
 * A Kinesis record on its way, and the trades it carries: one, or with --aggregate a
 * KPL aggregate of many, in order (a trade's index is its sub-sequence number).
 */
export interface PendingRecord {
  /** The trades it carries, each with the partition key it was sent with. */
  readonly trades: readonly KeyedTrade[];
  readonly entry: RecordEntry;
  /** For an aggregate: the shard it was packed for (all its trades hash into that shard). */
  readonly predictedShardId?: string;
}

export interface KeyedTrade {
  readonly trade: StockTrade;
  readonly partitionKey: string;
}

/** Bytes a record counts against the PutRecords limits: its data plus its partition key. */
export function recordSize(entry: RecordEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}

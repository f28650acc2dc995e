import type { StockTrade } from '@stock-trades/core';
import type { RecordEntry } from './RecordsPort.js';

/** A trade on its way to Kinesis: the trade and the record that carries it. */
export interface PendingTrade {
  readonly trade: StockTrade;
  readonly entry: RecordEntry;
}

/** Bytes a record counts against the PutRecords limits: its data plus its partition key. */
export function recordSize(entry: RecordEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}

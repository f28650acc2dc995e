export { type BatchResult, BatchSender, type DeliveredRecord, type WriteEntries } from './BatchSender.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoffDelay.js';
export { ProducerError, RetryableWriteError, StreamNotReadyError, UndeliveredTradesError } from './errors.js';
export { KinesisRecordsPort } from './KinesisRecordsPort.js';
export type { KeyedTrade, PendingRecord } from './PendingRecord.js';
export {
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_IN_FLIGHT,
  PartitionKeyMode,
  ProducerMode,
  type ProducerOptions,
  TUTORIAL_INTERVAL_MS,
} from './ProducerOptions.js';
export { ProductionStats } from './ProductionStats.js';
export { RecordBatcher } from './RecordBatcher.js';
export { AggregatingRecordBuilder, PlainRecordBuilder, type RecordBuilder } from './RecordBuilder.js';
export type { EntryOutcome, RecordEntry, RecordReceipt, RecordsPort, ShardRange } from './RecordsPort.js';
export { type ProducerDeps, runProducer } from './runProducer.js';
export { ShardMap } from './ShardMap.js';
export { TradeLog, type TradeLogLine } from './TradeLog.js';

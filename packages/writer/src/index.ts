export { type BatchResult, BatchSender, type DeliveredRecord, type WriteEntries } from './BatchSender.js';
export { backoffDelay, DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoffDelay.js';
export { RetryableWriteError, WriterError } from './errors.js';
export { KinesisRecordsPort } from './KinesisRecordsPort.js';
export { type KeyedTrade, type PendingRecord, recordSize } from './PendingRecord.js';
export { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES, RecordBatcher } from './RecordBatcher.js';
export type { EntryOutcome, RecordEntry, RecordReceipt, RecordsPort, ShardRange } from './RecordsPort.js';
export { SHARD_WRITE_LIMITS, type ShardCharge, ShardRateLimiter } from './ShardRateLimiter.js';

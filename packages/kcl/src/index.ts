export { type Clock, systemClock } from './Clock.js';
export { chooseLeasesToTake, type TakeDecision, type TakePolicy } from './chooseLeasesToTake.js';
export { DynamoLeaseStore } from './DynamoLeaseStore.js';
export { type DeaggregationResult, deaggregate, type KinesisRecord, type UserRecord } from './deaggregate.js';
export {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  isSentinel,
  Sentinel,
  sentinel,
} from './ExtendedSequenceNumber.js';
export {
  DependencyError,
  ExpiredIteratorError,
  InvalidCheckpointError,
  KclError,
  LeaseLostError,
  ResourceNotFoundError,
  ThrottledError,
} from './errors.js';
export { type InitialPosition, TRIM_HORIZON } from './InitialPosition.js';
export { KinesisStreamPort } from './KinesisStreamPort.js';
export { KPL_MAGIC, partitionKeyHash } from './kplFormat.js';
export type { HashKeyRange, Lease, LeaseMetrics, ShardInfo } from './Lease.js';
export { LeaseExpiryTracker, type ObservedLease } from './LeaseExpiryTracker.js';
export { LeaseRenewer } from './LeaseRenewer.js';
export type { LeaseStore } from './LeaseStore.js';
export { type Logger, silentLogger } from './Logger.js';
export { leaseFromItem, leaseToItem } from './leaseItem.js';
export { newLeasesForShards } from './newLeasesForShards.js';
export { nextPollDelay, type PollDelayPolicy } from './pollDelay.js';
export { type AggregatedRecord, DEFAULT_AGGREGATION_MAX_BYTES, RecordAggregator } from './RecordAggregator.js';
export type {
  CheckpointOptions,
  InitializationInput,
  ProcessRecordsInput,
  RecordProcessorCheckpointer,
  ShardEndedInput,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
} from './RecordProcessor.js';
export { Scheduler, type SchedulerDeps, type WorkerStatus } from './Scheduler.js';
export { type SchedulerConfig, type SchedulerSettings, schedulerConfig } from './SchedulerConfig.js';
export { ShardConsumer, type ShardConsumerOutcome } from './ShardConsumer.js';
export type { IteratorPosition, RecordsPage, StreamPort } from './StreamPort.js';

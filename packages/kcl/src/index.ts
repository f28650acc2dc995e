// The public API of @stock-trades/kcl. Everything else in src/ is internal (its tests import it by path).

// The records a processor gets (KPL aggregates unpacked by @stock-trades/kpl).
export type { KinesisRecord, UserRecord } from '@stock-trades/kpl';
// Time and logging, injectable.
export { type Clock, systemClock } from './Clock.js';
export { classifyError, ErrorKind } from './classifyError.js';
// The AWS adapters, and the ports they implement (for a store or stream of your own, or tests).
export type { DynamoDBClientOptions, KinesisClientOptions } from './clientOptions.js';
// A worker and its configuration.
export { createWorker, type WorkerOptions } from './createWorker.js';
export { DynamoLeaseStore, type DynamoLeaseStoreOptions } from './DynamoLeaseStore.js';
export {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  isSentinel,
  Sentinel,
} from './ExtendedSequenceNumber.js';
// Metrics: the interface, and adapters for CloudWatch (Embedded Metric Format) and OpenTelemetry.
export { type EmfMetrics, type EmfMetricsOptions, emfMetrics } from './emfMetrics.js';
// Errors.
export {
  DependencyError,
  ExpiredIteratorError,
  InvalidCheckpointError,
  InvalidConfigError,
  KclError,
  LeaseLostError,
  ResourceNotFoundError,
  TableNotReadyError,
  ThrottledError,
  TransientError,
} from './errors.js';
export { FanOutStreamPort, type FanOutStreamPortOptions } from './FanOutStreamPort.js';
export { type InitialPosition, TRIM_HORIZON } from './InitialPosition.js';
export { KinesisStreamPort, type KinesisStreamPortOptions } from './KinesisStreamPort.js';
export {
  type HashKeyRange,
  type Lease,
  type LeaseMetrics,
  type LeaseTransition,
  type ShardInfo,
  TransitionKind,
} from './Lease.js';
export type { LeaseStore, TakeKind } from './LeaseStore.js';
export { type Logger, silentLogger } from './Logger.js';
export {
  type MetricDatum,
  type MetricName,
  type MetricOperation,
  type Metrics,
  type MetricUnit,
  noMetrics,
} from './Metrics.js';
export { type OpenTelemetryInstrument, type OpenTelemetryMeter, openTelemetryMetrics } from './openTelemetryMetrics.js';
export type {
  ProcessingDecision,
  ProcessingErrorPolicy,
  ProcessingFailure,
} from './ProcessingErrors.js';
// What a user writes: a record processor, and how it checkpoints.
export type {
  CheckpointOptions,
  InitializationInput,
  ProcessRecordsInput,
  RecordProcessorCheckpointer,
  ShardEndedInput,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
  ShutdownRequestedInput,
} from './RecordProcessor.js';
export { type RunOutcome, Scheduler, type SchedulerDeps, type WorkerStatus } from './Scheduler.js';
export { type Retrieval, type SchedulerConfig, type SchedulerSettings, schedulerConfig } from './SchedulerConfig.js';
export type { IteratorPosition, RecordsPage, StreamPort } from './StreamPort.js';

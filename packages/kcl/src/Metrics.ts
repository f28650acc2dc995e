/** What a metric counts. */
export type MetricUnit = 'Count' | 'Bytes' | 'Milliseconds';

/**
 * One measurement a worker makes. Names and operations are the Java KCL's where it has them
 * (`ProcessTask`: RecordsProcessed, DataBytesProcessed, MillisBehindLatest,
 * RecordProcessor.processRecords.Time; `TakeLeases`: TakenLeases; `RenewAllLeases`:
 * CurrentLeases, LostLeases), so a CloudWatch dashboard or alarm made for a Java KCL
 * application reads ours too. Beyond KCL: StolenLeases, and ProcessingErrors,
 * ProcessingRetries and ProcessingSkips for a processor that throws.
 */
export interface MetricDatum {
  readonly name: MetricName;
  readonly value: number;
  readonly unit: MetricUnit;
  /** The KCL operation the metric belongs to: ProcessTask, TakeLeases, RenewAllLeases. */
  readonly operation: MetricOperation;
  /** Per-shard metrics name their shard; per-worker ones (CurrentLeases) do not. */
  readonly shardId?: string;
}

/** The Java KCL's operation names, used as the `Operation` dimension. */
export type MetricOperation = 'ProcessTask' | 'TakeLeases' | 'RenewAllLeases';

/** Every metric a worker records (see MetricDatum). */
export type MetricName =
  | 'RecordsProcessed'
  | 'DataBytesProcessed'
  | 'MillisBehindLatest'
  | 'RecordProcessor.processRecords.Time'
  | 'ProcessingErrors'
  | 'ProcessingRetries'
  | 'ProcessingSkips'
  | 'TakenLeases'
  | 'StolenLeases'
  | 'LostLeases'
  | 'CurrentLeases';

/**
 * Where a worker's metrics go. `record` is called on the worker's hot path: keep it cheap
 * (add to a buffer, bump a counter) and never throw. `flush` is called when the worker stops.
 * kcl ships two: `emfMetrics` (CloudWatch Embedded Metric Format lines) and
 * `openTelemetryMetrics` (any OpenTelemetry Meter). Off by default (`noMetrics`).
 *
 * @example
 * import { createWorker, emfMetrics } from '@stock-trades/kcl';
 *
 * const worker = createWorker({
 *   applicationName: 'click-counter',
 *   streamName: 'clicks',
 *   workerId: 'counter-1',
 *   processorFactory,
 *   // One EMF line per shard and operation a minute on stdout: CloudWatch Logs turns them into metrics.
 *   metrics: emfMetrics({ namespace: 'click-counter', workerId: 'counter-1' }),
 * });
 */
export interface Metrics {
  /** One measurement, as it happens. */
  record(datum: MetricDatum): void;
  /** Sends what is buffered; the worker calls it when it stops. */
  flush?(): void | Promise<void>;
}

/** Records nothing: the default. */
export const noMetrics: Metrics = { record: () => {} };

/** `record`, but a metrics sink that throws never stops the worker. */
export function recordSafely(metrics: Metrics, datum: MetricDatum): void {
  try {
    metrics.record(datum);
  } catch {
    // A metrics failure is not the worker's: it goes on without that datum.
  }
}

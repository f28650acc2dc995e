import type { MetricDatum, MetricName, Metrics } from './Metrics.js';

/** The part of an OpenTelemetry `Meter` (@opentelemetry/api ≥ 1.9) this adapter uses: bring your own. */
export interface OpenTelemetryMeter {
  /** For amounts: records, bytes, errors, leases taken. */
  createCounter(name: string, options?: { description?: string; unit?: string }): OpenTelemetryInstrument;
  /** For the time a batch takes. */
  createHistogram(name: string, options?: { description?: string; unit?: string }): OpenTelemetryInstrument;
  /** For levels: lag behind the tip, leases held. */
  createGauge(name: string, options?: { description?: string; unit?: string }): OpenTelemetryInstrument;
}

/** A counter (`add`), or a histogram or gauge (`record`), as the Meter makes them. */
export interface OpenTelemetryInstrument {
  /** A counter's: adds `value`. */
  add?(value: number, attributes?: Record<string, string>): void;
  /** A histogram's or a gauge's: records `value`. */
  record?(value: number, attributes?: Record<string, string>): void;
}

/** Each kcl metric as an OpenTelemetry instrument: its name, its kind, its unit (UCUM). */
const INSTRUMENTS: Record<MetricName, { name: string; kind: 'counter' | 'histogram' | 'gauge'; unit: string }> = {
  RecordsProcessed: { name: 'kcl.records_processed', kind: 'counter', unit: '{record}' },
  DataBytesProcessed: { name: 'kcl.data_bytes_processed', kind: 'counter', unit: 'By' },
  MillisBehindLatest: { name: 'kcl.millis_behind_latest', kind: 'gauge', unit: 'ms' },
  'RecordProcessor.processRecords.Time': { name: 'kcl.process_records.duration', kind: 'histogram', unit: 'ms' },
  ProcessingErrors: { name: 'kcl.processing_errors', kind: 'counter', unit: '{error}' },
  ProcessingRetries: { name: 'kcl.processing_retries', kind: 'counter', unit: '{retry}' },
  ProcessingSkips: { name: 'kcl.processing_skips', kind: 'counter', unit: '{batch}' },
  TakenLeases: { name: 'kcl.leases_taken', kind: 'counter', unit: '{lease}' },
  StolenLeases: { name: 'kcl.leases_stolen', kind: 'counter', unit: '{lease}' },
  LostLeases: { name: 'kcl.leases_lost', kind: 'counter', unit: '{lease}' },
  CurrentLeases: { name: 'kcl.leases_held', kind: 'gauge', unit: '{lease}' },
};

/**
 * Metrics through the OpenTelemetry metrics API: give it a Meter from your MeterProvider and your
 * exporter decides where they go (OTLP, Prometheus, …). Counters for amounts, a histogram for
 * processing time, gauges for lag and leases held; attributes `kcl.operation`, `kcl.shard_id` and,
 * when given, `kcl.application` and `kcl.worker_id`. kcl does not depend on @opentelemetry/api:
 * the meter is yours.
 *
 * @example
 * import { metrics } from '@opentelemetry/api';
 * import { openTelemetryMetrics } from '@stock-trades/kcl';
 *
 * const kclMetrics = openTelemetryMetrics(metrics.getMeter('click-counter'), { applicationName: 'click-counter' });
 * // createWorker({ ..., metrics: kclMetrics });
 */
export function openTelemetryMetrics(
  meter: OpenTelemetryMeter,
  labels: { applicationName?: string; workerId?: string } = {},
): Metrics {
  const instruments = new Map<MetricName, OpenTelemetryInstrument>();
  const instrument = (name: MetricName) => {
    let made = instruments.get(name);
    if (!made) {
      const spec = INSTRUMENTS[name];
      const options = { unit: spec.unit, description: `${name} (the Java KCL's name)` };
      made =
        spec.kind === 'counter'
          ? meter.createCounter(spec.name, options)
          : spec.kind === 'histogram'
            ? meter.createHistogram(spec.name, options)
            : meter.createGauge(spec.name, options);
      instruments.set(name, made);
    }
    return made;
  };
  const base: Record<string, string> = {
    ...(labels.applicationName === undefined ? {} : { 'kcl.application': labels.applicationName }),
    ...(labels.workerId === undefined ? {} : { 'kcl.worker_id': labels.workerId }),
  };
  return {
    record(datum: MetricDatum) {
      const attributes = {
        ...base,
        'kcl.operation': datum.operation,
        ...(datum.shardId === undefined ? {} : { 'kcl.shard_id': datum.shardId }),
      };
      const target = instrument(datum.name);
      if (INSTRUMENTS[datum.name].kind === 'counter') target.add?.(datum.value, attributes);
      else target.record?.(datum.value, attributes);
    },
  };
}

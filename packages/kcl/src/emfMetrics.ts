import type { MetricDatum, Metrics, MetricUnit } from './Metrics.js';

/** How `emfMetrics` writes. */
export interface EmfMetricsOptions {
  /** The CloudWatch namespace; the Java KCL uses the application name. */
  readonly namespace: string;
  /** Added to every line as the WorkerIdentifier property (searchable in Logs Insights, not a dimension). */
  readonly workerId?: string;
  /** Where each line goes; one JSON object and a newline per call. Default: process.stdout. */
  readonly write?: (line: string) => void;
  /** How often the buffered metrics go out; default 60 s, CloudWatch's standard resolution. */
  readonly flushIntervalMs?: number;
  /** Wall-clock milliseconds, for each line's timestamp; default Date.now. */
  readonly now?: () => number;
}

/** The EMF adapter: a Metrics whose buffer can be flushed at will, and closed. */
export interface EmfMetrics extends Metrics {
  /** Writes one line per operation and shard with what was recorded since the last flush; nothing if nothing was. */
  flush(): void;
  /** Flushes, and stops the minute timer. */
  close(): void;
}

/** At most this many values of one metric in one line (EMF's limit per metric). */
const EMF_MAX_VALUES = 100;

interface Bucket {
  readonly operation: string;
  readonly shardId: string | undefined;
  readonly metrics: Map<string, { unit: MetricUnit; values: number[] }>;
}

/**
 * Metrics as CloudWatch Embedded Metric Format lines, written where your logs go (stdout by
 * default). Where they reach CloudWatch Logs with the json/emf log format — on AWS Lambda, through
 * the CloudWatch agent, or an ECS FireLens router set to it (ECS's awslogs driver alone does not) —
 * each line becomes metrics with no PutMetricData call. Per flush (every minute), one line per operation and shard:
 * counts and bytes summed, milliseconds as up to 100 values (CloudWatch keeps their statistics).
 * Dimensions: Operation and ShardId for per-shard metrics, Operation alone for per-worker ones,
 * as the Java KCL's.
 *
 * @example
 * import { emfMetrics } from '@stock-trades/kcl';
 *
 * const metrics = emfMetrics({ namespace: 'click-counter', workerId: 'counter-1' });
 * // createWorker({ ..., metrics }); the worker flushes it when it stops.
 */
export function emfMetrics(options: EmfMetricsOptions): EmfMetrics {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? Date.now;
  let buckets = new Map<string, Bucket>();

  const flush = () => {
    const timestamp = now();
    for (const bucket of buckets.values()) {
      const dimensions = bucket.shardId === undefined ? ['Operation'] : ['Operation', 'ShardId'];
      const line: Record<string, unknown> = {
        _aws: {
          Timestamp: timestamp,
          CloudWatchMetrics: [
            {
              Namespace: options.namespace,
              Dimensions: [dimensions],
              Metrics: [...bucket.metrics].map(([name, { unit }]) => ({ Name: name, Unit: unit })),
            },
          ],
        },
        Operation: bucket.operation,
        ...(bucket.shardId === undefined ? {} : { ShardId: bucket.shardId }),
        ...(options.workerId === undefined ? {} : { WorkerIdentifier: options.workerId }),
      };
      for (const [name, { values }] of bucket.metrics) line[name] = values.length === 1 ? values[0] : values;
      write(`${JSON.stringify(line)}\n`);
    }
    buckets = new Map();
  };

  const timer = setInterval(flush, options.flushIntervalMs ?? 60_000);
  timer.unref();

  return {
    record(datum: MetricDatum) {
      const key = `${datum.operation}\u0000${datum.shardId ?? ''}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = { operation: datum.operation, shardId: datum.shardId, metrics: new Map() };
        buckets.set(key, bucket);
      }
      const metric = bucket.metrics.get(datum.name);
      if (!metric) {
        bucket.metrics.set(datum.name, { unit: datum.unit, values: [datum.value] });
      } else if (datum.unit === 'Milliseconds') {
        // A distribution: keep the latest 100 values.
        if (metric.values.length === EMF_MAX_VALUES) metric.values.shift();
        metric.values.push(datum.value);
      } else if (datum.name === 'CurrentLeases') {
        // A level, not an amount: the latest reading.
        metric.values[0] = datum.value;
      } else {
        metric.values[0] = (metric.values[0] ?? 0) + datum.value;
      }
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}

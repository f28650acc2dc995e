import { metrics as otelApi } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { KinesisRecord } from '@stock-trades/kpl';
import { describe, expect, it, vi } from 'vitest';
import { emfMetrics } from '../src/emfMetrics.js';
import type { ShardInfo } from '../src/Lease.js';
import { silentLogger } from '../src/Logger.js';
import type { MetricDatum } from '../src/Metrics.js';
import { openTelemetryMetrics } from '../src/openTelemetryMetrics.js';
import type { ShardRecordProcessor } from '../src/RecordProcessor.js';
import { Scheduler } from '../src/Scheduler.js';
import { schedulerConfig } from '../src/SchedulerConfig.js';
import type { RecordsPage, StreamPort } from '../src/StreamPort.js';
import { checkpointingProcessor } from './helpers/checkpointingProcessor.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { ManualClock } from './helpers/ManualClock.js';

const FULL = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };

/** Two shards of `pages` pages each; record n of a shard has n+1 bytes; 750 ms behind the tip while pages last. */
class TwoShards implements StreamPort {
  private readonly next = new Map<string, number>();
  constructor(private readonly pages: number) {}
  async listShards(): Promise<ShardInfo[]> {
    return ['s-1', 's-2'].map((shardId) => ({ shardId, parentShardIds: [], hashKeyRange: FULL }));
  }
  async getShardIterator(shardId: string): Promise<string> {
    return shardId;
  }
  async getRecords(shardId: string): Promise<RecordsPage> {
    const page = this.next.get(shardId) ?? 0;
    this.next.set(shardId, page + 1);
    const records: KinesisRecord[] =
      page < this.pages
        ? Array.from({ length: 10 }, (_, index) => ({
            sequenceNumber: String(page * 10 + index + 1),
            partitionKey: 'k',
            data: new Uint8Array(page * 10 + index + 1),
          }))
        : [];
    return { records, nextIterator: shardId, millisBehindLatest: page < this.pages ? 750 : 0, childShards: [] };
  }
}

/** A worker on TwoShards whose s-1 processor throws the first two times it is given its first batch. */
async function runWorker(pages: number) {
  const recorded: MetricDatum[] = [];
  const processed = new Map<string, { records: number; bytes: number }>();
  let throws = 0;
  const factory = (shardId: string): ShardRecordProcessor => ({
    initialize: () => {},
    processRecords: async ({ records, checkpointer }) => {
      if (shardId === 's-1' && records[0]?.sequenceNumber === '1' && throws < 2) {
        throws++;
        throw new Error('downstream is down');
      }
      const seen = processed.get(shardId) ?? { records: 0, bytes: 0 };
      for (const record of records) {
        seen.records++;
        seen.bytes += record.data.byteLength;
      }
      processed.set(shardId, seen);
      if (records.length > 0) await checkpointer.checkpoint();
    },
    leaseLost: () => {},
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  });
  const clock = new ManualClock();
  const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: 'w-1' }), {
    stream: new TwoShards(pages),
    store: new InMemoryLeaseStore(),
    processorFactory: factory,
    clock,
    log: silentLogger,
    random: () => 0,
    metrics: { record: (datum) => void recorded.push(datum) },
  });
  const stop = new AbortController();
  const running = scheduler.run(stop.signal);
  await clock.advance(20_000);
  stop.abort();
  await clock.advance(5_000);
  await running;
  return { recorded, processed, throws };
}

const sum = (data: MetricDatum[], name: string, shardId?: string) =>
  data
    .filter((datum) => datum.name === name && (shardId === undefined || datum.shardId === shardId))
    .reduce((total, datum) => total + datum.value, 0);

describe('worker metrics', () => {
  it('count what the processors were really given, the leases taken and held, and each throw and retry', async () => {
    const { recorded, processed, throws } = await runWorker(5);
    expect(throws).toBe(2);
    for (const shardId of ['s-1', 's-2']) {
      const truth = processed.get(shardId);
      expect(truth?.records).toBe(50);
      // Counted once per batch processed: the two attempts that threw are not counted as processed.
      expect(sum(recorded, 'RecordsProcessed', shardId)).toBe(truth?.records);
      expect(sum(recorded, 'DataBytesProcessed', shardId)).toBe(truth?.bytes);
      expect(sum(recorded, 'TakenLeases', shardId)).toBe(1);
      const lag = recorded.filter((datum) => datum.name === 'MillisBehindLatest' && datum.shardId === shardId);
      expect(lag.slice(0, 5).map((datum) => datum.value)).toEqual([750, 750, 750, 750, 750]);
      expect(lag.at(-1)?.value).toBe(0);
    }
    expect(sum(recorded, 'ProcessingErrors', 's-1')).toBe(2);
    expect(sum(recorded, 'ProcessingRetries', 's-1')).toBe(2);
    expect(sum(recorded, 'ProcessingErrors', 's-2')).toBe(0);
    expect(sum(recorded, 'StolenLeases')).toBe(0);
    // Leases held, as the renewer counts them, every round: 2 once both are taken.
    expect(recorded.filter((datum) => datum.name === 'CurrentLeases').map((datum) => datum.value)).toContain(2);
    for (const datum of recorded) {
      expect(datum.operation).toBe(
        datum.name === 'TakenLeases' || datum.name === 'StolenLeases'
          ? 'TakeLeases'
          : datum.name === 'CurrentLeases' || datum.name === 'LostLeases'
            ? 'RenewAllLeases'
            : 'ProcessTask',
      );
    }
  });

  it('a metrics sink that throws does not stop the worker', async () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: 'w-1' }), {
      stream: new TwoShards(2),
      store: new InMemoryLeaseStore(),
      processorFactory: checkpointingProcessor,
      clock,
      log: silentLogger,
      metrics: {
        record: () => {
          throw new Error('sink broken');
        },
      },
    });
    const stop = new AbortController();
    const running = scheduler.run(stop.signal);
    await clock.advance(5_000);
    expect(
      scheduler
        .status()
        .shards.map((shard) => shard.shardId)
        .sort(),
    ).toEqual(['s-1', 's-2']);
    stop.abort();
    await clock.advance(5_000);
    await expect(running).resolves.toEqual({ unfinishedShards: [] });
  });
});

describe('emfMetrics', () => {
  it('writes one Embedded Metric Format line per operation and shard, with the sums of the run', async () => {
    const lines: string[] = [];
    const emf = emfMetrics({
      namespace: 'App',
      workerId: 'w-1',
      write: (line) => lines.push(line),
      now: () => 1_700_000_000_000,
    });
    const { recorded } = await runWorker(5);
    for (const datum of recorded) emf.record(datum);
    emf.close();
    const parsed = lines.map((line) => {
      expect(line.endsWith('\n')).toBe(true);
      return JSON.parse(line) as Record<string, unknown> & {
        _aws: {
          Timestamp: number;
          CloudWatchMetrics: Array<{
            Namespace: string;
            Dimensions: string[][];
            Metrics: Array<{ Name: string; Unit: string }>;
          }>;
        };
      };
    });
    // ProcessTask and TakeLeases for each shard, RenewAllLeases for the worker (CurrentLeases).
    expect(parsed.map((line) => `${line.Operation}/${line.ShardId ?? '-'}`).sort()).toEqual([
      'ProcessTask/s-1',
      'ProcessTask/s-2',
      'RenewAllLeases/-',
      'TakeLeases/s-1',
      'TakeLeases/s-2',
    ]);
    for (const line of parsed) {
      // The EMF specification: a millisecond timestamp, a namespace, dimension sets naming root keys, and every
      // metric named in the directive present at the root as a number or an array of at most 100 numbers.
      expect(line._aws.Timestamp).toBe(1_700_000_000_000);
      const [directive] = line._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe('App');
      // CloudWatch extracts only the metrics the directive names: every one at the root, and nothing else.
      const atRoot = Object.keys(line).filter(
        (key) => !['_aws', 'Operation', 'ShardId', 'WorkerIdentifier'].includes(key),
      );
      expect(atRoot.length).toBeGreaterThan(0);
      expect(directive?.Metrics.map((metric) => metric.Name).sort()).toEqual(atRoot.sort());
      for (const key of directive?.Dimensions.flat() ?? []) expect(typeof line[key]).toBe('string');
      for (const { Name, Unit } of directive?.Metrics ?? []) {
        expect(['Count', 'Bytes', 'Milliseconds']).toContain(Unit);
        const value = line[Name];
        const values = Array.isArray(value) ? value : [value];
        expect(values.length).toBeLessThanOrEqual(100);
        for (const one of values) expect(typeof one).toBe('number');
      }
      expect(line.WorkerIdentifier).toBe('w-1');
    }
    const processTask = (shardId: string) =>
      parsed.find((line) => line.Operation === 'ProcessTask' && line.ShardId === shardId);
    for (const shardId of ['s-1', 's-2']) {
      expect(processTask(shardId)?.RecordsProcessed).toBe(sum(recorded, 'RecordsProcessed', shardId));
      expect(processTask(shardId)?.DataBytesProcessed).toBe(sum(recorded, 'DataBytesProcessed', shardId));
      expect(processTask(shardId)?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Operation', 'ShardId']]);
    }
    expect(processTask('s-1')?.ProcessingErrors).toBe(2);
    const renew = parsed.find((line) => line.Operation === 'RenewAllLeases');
    expect(renew?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Operation']]);
    expect(renew?.CurrentLeases).toBe(recorded.filter((datum) => datum.name === 'CurrentLeases').at(-1)?.value);
  });

  it('writes once a minute unless told otherwise', () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const emf = emfMetrics({ namespace: 'App', write: (line) => lines.push(line) });
      emf.record({ name: 'RecordsProcessed', value: 3, unit: 'Count', operation: 'ProcessTask', shardId: 's' });
      vi.advanceTimersByTime(59_999);
      expect(lines).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(lines).toHaveLength(1);
      emf.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps the latest 100 values of a millisecond metric, and a flush with nothing recorded writes nothing', () => {
    const lines: string[] = [];
    const emf = emfMetrics({ namespace: 'App', write: (line) => lines.push(line) });
    for (let n = 0; n < 150; n++) {
      emf.record({
        name: 'MillisBehindLatest',
        value: n,
        unit: 'Milliseconds',
        operation: 'ProcessTask',
        shardId: 's',
      });
    }
    emf.flush();
    emf.close();
    expect(lines).toHaveLength(1);
    const values = JSON.parse(lines[0] ?? '{}').MillisBehindLatest as number[];
    expect(values).toHaveLength(100);
    expect(values[0]).toBe(50);
    expect(values.at(-1)).toBe(149);
  });
});

describe('openTelemetryMetrics', () => {
  it('reports through a real OpenTelemetry MeterProvider what the worker recorded', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const kcl = openTelemetryMetrics(provider.getMeter('kcl-test'), { applicationName: 'App', workerId: 'w-1' });
    const { recorded } = await runWorker(5);
    for (const datum of recorded) kcl.record(datum);
    await reader.forceFlush();
    const exported = exporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
    const point = (name: string, shardId: string) =>
      exported
        .find((metric) => metric.descriptor.name === name)
        ?.dataPoints.find((dataPoint) => dataPoint.attributes['kcl.shard_id'] === shardId);
    for (const shardId of ['s-1', 's-2']) {
      expect(point('kcl.records_processed', shardId)?.value).toBe(sum(recorded, 'RecordsProcessed', shardId));
      expect(point('kcl.data_bytes_processed', shardId)?.value).toBe(sum(recorded, 'DataBytesProcessed', shardId));
      expect(point('kcl.millis_behind_latest', shardId)?.value).toBe(0);
      expect(point('kcl.records_processed', shardId)?.attributes).toMatchObject({
        'kcl.application': 'App',
        'kcl.worker_id': 'w-1',
        'kcl.operation': 'ProcessTask',
      });
    }
    expect(point('kcl.processing_errors', 's-1')?.value).toBe(2);
    const histogram = point('kcl.process_records.duration', 's-1')?.value as { count: number };
    expect(histogram.count).toBe(
      recorded.filter((datum) => datum.name === 'RecordProcessor.processRecords.Time' && datum.shardId === 's-1')
        .length,
    );
    expect(exported.find((metric) => metric.descriptor.name === 'kcl.leases_held')?.descriptor.unit).toBe('{lease}');
    await provider.shutdown();
    // The API's global meter works as well (a no-op until the user registers a provider).
    expect(() => openTelemetryMetrics(otelApi.getMeter('noop')).record(recorded[0] as MetricDatum)).not.toThrow();
  });
});

describe('openTelemetryMetrics, instrument by instrument', () => {
  /** A meter that notes every instrument it makes and every value given to it. */
  function recordingMeter() {
    const made: Array<{ kind: string; name: string; unit?: string; description?: string }> = [];
    const values: Array<{ name: string; how: 'add' | 'record'; value: number; attributes?: Record<string, string> }> =
      [];
    const instrument = (kind: string) => (name: string, options?: { unit?: string; description?: string }) => {
      made.push({ kind, name, unit: options?.unit, description: options?.description });
      return kind === 'counter'
        ? {
            add: (value: number, attributes?: Record<string, string>) =>
              void values.push({ name, how: 'add', value, attributes }),
          }
        : {
            record: (value: number, attributes?: Record<string, string>) =>
              void values.push({ name, how: 'record', value, attributes }),
          };
    };
    return {
      meter: {
        createCounter: instrument('counter'),
        createHistogram: instrument('histogram'),
        createGauge: instrument('gauge'),
      },
      made,
      values,
    };
  }

  const EXPECTED: Array<[MetricDatum['name'], string, string, string]> = [
    ['RecordsProcessed', 'kcl.records_processed', 'counter', '{record}'],
    ['DataBytesProcessed', 'kcl.data_bytes_processed', 'counter', 'By'],
    ['MillisBehindLatest', 'kcl.millis_behind_latest', 'gauge', 'ms'],
    ['RecordProcessor.processRecords.Time', 'kcl.process_records.duration', 'histogram', 'ms'],
    ['ProcessingErrors', 'kcl.processing_errors', 'counter', '{error}'],
    ['ProcessingRetries', 'kcl.processing_retries', 'counter', '{retry}'],
    ['ProcessingSkips', 'kcl.processing_skips', 'counter', '{batch}'],
    ['TakenLeases', 'kcl.leases_taken', 'counter', '{lease}'],
    ['StolenLeases', 'kcl.leases_stolen', 'counter', '{lease}'],
    ['LostLeases', 'kcl.leases_lost', 'counter', '{lease}'],
    ['CurrentLeases', 'kcl.leases_held', 'gauge', '{lease}'],
  ];

  it.each(EXPECTED)('%s is %s, a %s in %s, made once however often it is recorded', (name, otelName, kind, unit) => {
    const { meter, made, values } = recordingMeter();
    const metrics = openTelemetryMetrics(meter, { applicationName: 'App', workerId: 'w-1' });
    metrics.record({ name, value: 3, unit: 'Count', operation: 'ProcessTask', shardId: 's-1' });
    metrics.record({ name, value: 4, unit: 'Count', operation: 'ProcessTask', shardId: 's-2' });
    expect(made).toEqual([{ kind, name: otelName, unit, description: `${name} (the Java KCL's name)` }]);
    expect(values).toEqual([
      {
        name: otelName,
        how: kind === 'counter' ? 'add' : 'record',
        value: 3,
        attributes: {
          'kcl.application': 'App',
          'kcl.worker_id': 'w-1',
          'kcl.operation': 'ProcessTask',
          'kcl.shard_id': 's-1',
        },
      },
      {
        name: otelName,
        how: kind === 'counter' ? 'add' : 'record',
        value: 4,
        attributes: {
          'kcl.application': 'App',
          'kcl.worker_id': 'w-1',
          'kcl.operation': 'ProcessTask',
          'kcl.shard_id': 's-2',
        },
      },
    ]);
  });

  it('names no application, worker or shard it was not given', () => {
    const { meter, values } = recordingMeter();
    openTelemetryMetrics(meter).record({ name: 'CurrentLeases', value: 2, unit: 'Count', operation: 'RenewAllLeases' });
    expect(values).toEqual([
      { name: 'kcl.leases_held', how: 'record', value: 2, attributes: { 'kcl.operation': 'RenewAllLeases' } },
    ]);
  });
});

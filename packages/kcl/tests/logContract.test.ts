import type { KinesisRecord } from '@stock-trades/kpl';
import { describe, expect, it } from 'vitest';
import { ThrottledError, TransientError } from '../src/errors.js';
import type { Lease, ShardInfo } from '../src/Lease.js';
import type { Logger } from '../src/Logger.js';
import type { MetricDatum } from '../src/Metrics.js';
import type { ShardRecordProcessor } from '../src/RecordProcessor.js';
import { Scheduler } from '../src/Scheduler.js';
import { type SchedulerSettings, schedulerConfig } from '../src/SchedulerConfig.js';
import type { RecordsPage, StreamPort } from '../src/StreamPort.js';
import { checkpointingProcessor } from './helpers/checkpointingProcessor.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';
import { ManualClock } from './helpers/ManualClock.js';

/**
 * The log lines a worker writes are read by people and by tools (the dashboard and the test kit look for "took
 * lease", "stole lease", "released lease", "lost lease"): their level, text and fields are pinned here, scenario by
 * scenario, with the metrics that go with them.
 */

const FULL = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };
const shard = (shardId: string, parentShardIds: string[] = []): ShardInfo => ({
  shardId,
  parentShardIds,
  hashKeyRange: FULL,
});

interface Line {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

function recordingLogger() {
  const lines: Line[] = [];
  const at = (level: Line['level']) => (fields: object, message: string) =>
    void lines.push({ level, message, fields: fields as Record<string, unknown> });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  /** The lines with this message, at this level. */
  const find = (level: Line['level'], message: string) =>
    lines.filter((line) => line.level === level && line.message === message);
  return { lines, log, find };
}

/** Shards that each give one record per read; `ending` names shards that end at their second read, with children. */
class ScriptedStream implements StreamPort {
  private readonly reads = new Map<string, number>();
  readonly ending = new Map<string, ShardInfo[]>();
  listFailures = 0;
  throttledReads = 0;
  constructor(public listed: ShardInfo[]) {}
  async listShards(): Promise<ShardInfo[]> {
    if (this.listFailures > 0) {
      this.listFailures--;
      throw new TransientError('ListShards: socket hang up');
    }
    return this.listed;
  }
  async getShardIterator(shardId: string): Promise<string> {
    return shardId;
  }
  async getRecords(shardId: string): Promise<RecordsPage> {
    if (this.throttledReads > 0) {
      this.throttledReads--;
      throw new ThrottledError('GetRecords: Rate exceeded');
    }
    const read = (this.reads.get(shardId) ?? 0) + 1;
    this.reads.set(shardId, read);
    const children = this.ending.get(shardId);
    if (children && read >= 2)
      return { records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: children };
    const records: KinesisRecord[] = [{ sequenceNumber: String(read), partitionKey: 'k', data: Buffer.from('x') }];
    return { records, nextIterator: shardId, millisBehindLatest: 0, childShards: [] };
  }
}

const plainProcessor = checkpointingProcessor;

function worker(
  stream: StreamPort,
  store: InMemoryLeaseStore,
  options: { settings?: Partial<SchedulerSettings>; factory?: (shardId: string) => ShardRecordProcessor } = {},
) {
  const clock = new ManualClock();
  const { lines, log, find } = recordingLogger();
  const metrics: MetricDatum[] = [];
  const scheduler = new Scheduler(
    schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: 'w-1', ...options.settings }),
    {
      stream,
      store,
      processorFactory: options.factory ?? plainProcessor,
      clock,
      log,
      random: () => 0,
      metrics: { record: (datum) => void metrics.push(datum) },
    },
  );
  const stop = new AbortController();
  const running = scheduler.run(stop.signal);
  const finish = async () => {
    stop.abort();
    await clock.advance(5_000);
    return running;
  };
  return { clock, lines, find, metrics, finish };
}

describe('what a worker logs', () => {
  it('from start to stop: leases created and taken, a shard ended and its child, every lease released', async () => {
    const stream = new ScriptedStream([shard('s-1'), shard('s-2')]);
    stream.ending.set('s-1', [shard('c-1', ['s-1'])]);
    const { clock, find, lines, finish } = worker(stream, new InMemoryLeaseStore());
    await clock.advance(3_000);
    await finish();

    expect(find('info', 'created lease').map((line) => line.fields)).toEqual([
      { leaseKey: 's-1', checkpoint: 'TRIM_HORIZON' },
      { leaseKey: 's-2', checkpoint: 'TRIM_HORIZON' },
    ]);
    expect(find('info', 'worker started').map((line) => line.fields)).toEqual([
      { workerId: 'w-1', stream: 'S', table: 'App' },
    ]);
    expect(
      find('info', 'took lease')
        .map((line) => line.fields.leaseKey)
        .sort(),
    ).toEqual(['c-1', 's-1', 's-2']);
    expect(find('info', 'took lease')[0]?.fields).toMatchObject({ from: null, checkpoint: 'TRIM_HORIZON' });
    expect(find('info', 'shard ended; checkpointing SHARD_END').map((line) => line.fields)).toEqual([
      { shardId: 's-1', childShardIds: ['c-1'] },
    ]);
    expect(find('info', 'created lease for child shard').map((line) => line.fields)).toEqual([
      { leaseKey: 'c-1', parents: ['s-1'] },
    ]);
    const released = find('info', 'released lease').map((line) => line.fields);
    expect(released).toContainEqual({ leaseKey: 's-1', reason: 'shard-ended' });
    expect(released).toContainEqual({ leaseKey: 's-2', reason: 'shutdown' });
    expect(released).toContainEqual({ leaseKey: 'c-1', reason: 'shutdown' });
    expect(find('info', 'shutting down: stopping consumers, then releasing leases').map((line) => line.fields)).toEqual(
      [{ workerId: 'w-1' }],
    );
    expect(lines.at(-1)).toEqual({ level: 'info', message: 'worker stopped', fields: { workerId: 'w-1' } });
    expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
  });

  it('start-up steps that are throttled or fail for now: one warning each, naming the step, then on', async () => {
    const store = new InMemoryLeaseStore();
    let ensureCalls = 0;
    store.ensureTable = async () => {
      ensureCalls++;
      if (ensureCalls === 1) throw new ThrottledError('CreateTable: Rate exceeded');
    };
    const stream = new ScriptedStream([shard('s-1')]);
    stream.listFailures = 1;
    const { clock, find, finish } = worker(stream, store);
    await clock.advance(2_000);
    await finish();
    expect(find('warn', 'throttled trying to create the lease table; backing off').map((line) => line.fields)).toEqual([
      { error: 'CreateTable: Rate exceeded', waitMs: 100 },
    ]);
    expect(
      find('warn', 'a transient fault trying to list the shards; backing off').map((line) => line.fields.waitMs),
    ).toEqual([100]);
    expect(find('info', 'worker started')).toHaveLength(1);
  });

  it('a lease taken over from a worker gone quiet names that worker; a lease lost names why, and is counted', async () => {
    const store = new InMemoryLeaseStore();
    store.leases.set('s-1', aLease('s-1', { leaseOwner: 'gone', leaseCounter: 4 }));
    const stream = new ScriptedStream([shard('s-1')]);
    const { clock, find, metrics, finish } = worker(stream, store, { settings: { failoverMs: 3_000 } });
    await clock.advance(8_000);
    expect(find('info', 'took lease').map((line) => line.fields)).toEqual([
      { leaseKey: 's-1', from: 'gone', checkpoint: 'TRIM_HORIZON' },
    ]);
    // Another worker takes it behind this one's back: the next renewal finds out.
    const held = store.leases.get('s-1') as Lease;
    store.leases.set('s-1', { ...held, leaseOwner: 'thief', leaseCounter: held.leaseCounter + 10 });
    await clock.advance(2_000);
    const lost = find('warn', 'lost lease');
    expect(lost.map((line) => line.fields.leaseKey)).toEqual(['s-1']);
    expect(typeof lost[0]?.fields.reason).toBe('string');
    expect(metrics.filter((datum) => datum.name === 'LostLeases')).toEqual([
      { name: 'LostLeases', value: 1, unit: 'Count', operation: 'RenewAllLeases', shardId: 's-1' },
    ]);
    await finish();
  });

  it('a failed lease-taking round, a failed shard sync and a processor factory that throws: each a warning or error', async () => {
    const store = new InMemoryLeaseStore();
    const listLeases = store.listLeases.bind(store);
    let failScans = 0;
    store.listLeases = async () => {
      if (failScans > 0) {
        failScans--;
        throw new TransientError('Scan: socket hang up');
      }
      return listLeases();
    };
    const stream = new ScriptedStream([shard('s-1')]);
    const { clock, find, finish } = worker(stream, store, {
      settings: { shardSyncIntervalMs: 5_000 },
      factory: () => {
        throw new Error('no database');
      },
    });
    await clock.advance(500);
    failScans = 1;
    await clock.advance(2_000);
    stream.listFailures = 1;
    await clock.advance(4_000);
    await finish();
    expect(find('warn', 'lease taking failed; will retry').map((line) => line.fields)).toEqual([
      { error: 'Scan: socket hang up' },
    ]);
    expect(find('warn', 'shard sync failed').map((line) => line.fields)).toEqual([
      { error: 'ListShards: socket hang up' },
    ]);
    const factory = find('error', 'processor factory failed; letting the lease go');
    expect(factory[0]?.fields).toEqual({ leaseKey: 's-1', error: 'no database' });
  });

  it('a throttled read: a warning with the wait; a processor that throws: a warning per attempt, then a skip, counted', async () => {
    const stream = new ScriptedStream([shard('s-1')]);
    stream.throttledReads = 1;
    let throws = 0;
    const { clock, find, metrics, finish } = worker(stream, new InMemoryLeaseStore(), {
      settings: { onProcessingError: 'skip', processingAttempts: 2 },
      factory: () => ({
        ...plainProcessor(),
        processRecords: async ({ records }) => {
          if (records.length > 0 && throws < 2) {
            throws++;
            throw new Error('downstream is down');
          }
        },
      }),
    });
    await clock.advance(5_000);
    await finish();
    expect(find('warn', 'read throttled; backing off').map((line) => line.fields)).toEqual([
      { shardId: 's-1', waitMs: expect.any(Number), error: 'GetRecords: Rate exceeded' },
    ]);
    expect(find('warn', 'processRecords threw; trying again in place').map((line) => line.fields)).toEqual([
      { shardId: 's-1', attempt: 1, waitMs: expect.any(Number), error: 'downstream is down' },
    ]);
    expect(
      find('warn', 'processRecords threw; skipping it (policy), as the Java KCL does').map((line) => line.fields),
    ).toEqual([{ shardId: 's-1', attempt: 2, records: 1, error: 'downstream is down' }]);
    const counted = (name: string) => metrics.filter((datum) => datum.name === name && datum.shardId === 's-1');
    expect(counted('ProcessingErrors')).toHaveLength(2);
    expect(counted('ProcessingRetries')).toHaveLength(1);
    expect(counted('ProcessingSkips')).toEqual([
      { name: 'ProcessingSkips', value: 1, unit: 'Count', operation: 'ProcessTask', shardId: 's-1' },
    ]);
  });
});

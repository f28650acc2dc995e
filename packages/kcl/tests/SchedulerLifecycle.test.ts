import type { KinesisRecord } from '@stock-trades/kpl';
import { describe, expect, it } from 'vitest';
import {
  DependencyError,
  LeaseLostError,
  ResourceNotFoundError,
  ThrottledError,
  TransientError,
} from '../src/errors.js';
import type { InitialPosition } from '../src/InitialPosition.js';
import type { Lease, ShardInfo } from '../src/Lease.js';
import type { TakeKind } from '../src/LeaseStore.js';
import { silentLogger } from '../src/Logger.js';
import type { MetricDatum, Metrics } from '../src/Metrics.js';
import type { ShardRecordProcessor } from '../src/RecordProcessor.js';
import { Scheduler } from '../src/Scheduler.js';
import { type SchedulerSettings, schedulerConfig } from '../src/SchedulerConfig.js';
import type { IteratorPosition, RecordsPage, StreamPort } from '../src/StreamPort.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';
import { ManualClock } from './helpers/ManualClock.js';

const WORKER = 'worker-1';
const FULL = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };
const SHARD_END = { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 };
const shard = (shardId: string, parentShardIds: string[] = []): ShardInfo => ({
  shardId,
  parentShardIds,
  hashKeyRange: FULL,
});

/**
 * A stream whose shards the test lists in `listed`. Every read returns `perRead` new records (each with
 * the next sequence number) `millisBehindLatest` behind the tip; a shard named in `ending` ends at its
 * next read, with the children given there.
 */
class TestStream implements StreamPort {
  readonly positions: IteratorPosition[] = [];
  readonly ending = new Map<string, ShardInfo[]>();
  private sequence = 0;
  constructor(
    public listed: ShardInfo[],
    private readonly perRead = 0,
    private readonly millisBehindLatest = 0,
  ) {}
  async listShards(): Promise<ShardInfo[]> {
    return this.listed;
  }
  async getShardIterator(shardId: string, position: IteratorPosition): Promise<string> {
    this.positions.push(position);
    return shardId;
  }
  async getRecords(iterator: string): Promise<RecordsPage> {
    const children = this.ending.get(iterator);
    if (children) return { records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: children };
    const records: KinesisRecord[] = Array.from({ length: this.perRead }, () => ({
      sequenceNumber: String(++this.sequence),
      partitionKey: 'k',
      data: Buffer.from('x'),
    }));
    return { records, nextIterator: iterator, millisBehindLatest: this.millisBehindLatest, childShards: [] };
  }
}

/** Processors that note what happens to them, by shard. */
function processors() {
  const events: string[] = [];
  const factory = (shardId: string): ShardRecordProcessor => ({
    initialize: () => void events.push(`${shardId} initialize`),
    processRecords: async ({ records, checkpointer }) => {
      if (records.length > 0) await checkpointer.checkpoint();
    },
    leaseLost: () => void events.push(`${shardId} leaseLost`),
    shardEnded: async ({ checkpointer }) => {
      events.push(`${shardId} shardEnded`);
      await checkpointer.checkpoint();
    },
    shutdownRequested: async ({ checkpointer }) => {
      events.push(`${shardId} shutdownRequested`);
      await checkpointer.checkpoint();
    },
  });
  return { events, factory };
}

function worker(
  stream: StreamPort,
  store: InMemoryLeaseStore,
  options: {
    settings?: Partial<SchedulerSettings>;
    factory?: (shardId: string) => ShardRecordProcessor;
    clock?: ManualClock;
    metrics?: Metrics;
  } = {},
) {
  const clock = options.clock ?? new ManualClock();
  const scheduler = new Scheduler(
    schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER, ...options.settings }),
    {
      stream,
      store,
      processorFactory: options.factory ?? processors().factory,
      clock,
      log: silentLogger,
      random: () => 0,
      metrics: options.metrics,
    },
  );
  const stop = new AbortController();
  const running = scheduler.run(stop.signal);
  return { scheduler, clock, stop, running };
}

/** The in-memory table, noting when (on the test's clock) each lease was taken, and by whom. */
class TakeNotingStore extends InMemoryLeaseStore {
  readonly takes: Array<{ leaseKey: string; owner: string; at: number; how?: TakeKind }> = [];
  clock: ManualClock | undefined;
  override async takeLease(lease: Lease, owner: string, how?: TakeKind): Promise<Lease> {
    const taken = await super.takeLease(lease, owner);
    this.takes.push({ leaseKey: lease.leaseKey, owner, at: this.clock?.monotonicNow() ?? 0, how });
    return taken;
  }
}

/** The table of TakeNotingStore, whose first release fails (DynamoDB out of reach for a moment). */
class FailingRelease extends TakeNotingStore {
  failures = 1;
  override async releaseLease(lease: Lease): Promise<Lease> {
    if (this.failures-- > 0) throw new DependencyError('release failed');
    return super.releaseLease(lease);
  }
}

describe('Scheduler: shutdown', () => {
  it('lets every processor checkpoint, then gives every lease back, before run resolves', async () => {
    const store = new InMemoryLeaseStore();
    const { events, factory } = processors();
    const { clock, stop, running } = worker(new TestStream([shard('s-1'), shard('s-2')], 1), store, { factory });
    await clock.advance(1_000);
    expect(store.leases.get('s-1')?.leaseOwner).toBe(WORKER);

    stop.abort();
    await clock.advance(2_000);
    await running;

    expect(events.filter((event) => event.endsWith('shutdownRequested')).sort()).toEqual([
      's-1 shutdownRequested',
      's-2 shutdownRequested',
    ]);
    for (const leaseKey of ['s-1', 's-2']) {
      expect(store.leases.get(leaseKey)?.leaseOwner).toBeUndefined();
      expect(store.leases.get(leaseKey)?.checkpoint.sequenceNumber).not.toBe('TRIM_HORIZON');
    }
  });

  it('resolves run only once every processor’s shutdownRequested has finished, and only then gives the leases back', async () => {
    const store = new InMemoryLeaseStore();
    let letFinish: () => void = () => {};
    const finishing = new Promise<void>((resolve) => {
      letFinish = resolve;
    });
    const finished: string[] = [];
    const factory = (shardId: string): ShardRecordProcessor => ({
      initialize: () => {},
      processRecords: () => {},
      leaseLost: () => {},
      shardEnded: () => {},
      shutdownRequested: async () => {
        await finishing; // say, flushing a buffer somewhere slow
        finished.push(shardId);
      },
    });
    const { clock, stop, running } = worker(new TestStream([shard('s-1'), shard('s-2')]), store, { factory });
    await clock.advance(1_000);
    let resolved = false;
    void running.then(() => {
      resolved = true;
    });

    stop.abort();
    await clock.advance(5_000);
    expect(resolved).toBe(false);
    expect(store.leases.get('s-1')?.leaseOwner).toBe(WORKER); // not given back while its processor is busy

    letFinish();
    await clock.advance(1_000);
    await running;
    expect(finished.sort()).toEqual(['s-1', 's-2']);
    expect(store.leases.get('s-1')?.leaseOwner).toBeUndefined();
  });

  it('ends a processor whose lease another worker stole with leaseLost, never with shutdownRequested', async () => {
    const store = new InMemoryLeaseStore();
    const { events, factory } = processors();
    // No records, so no checkpoint that would find the theft first: the renewal finds it.
    const { clock, stop, running } = worker(new TestStream([shard('s-1'), shard('s-2')], 0), store, { factory });
    await clock.advance(1_000);
    expect(store.leases.get('s-1')?.leaseOwner).toBe(WORKER);

    store.bump('s-1', { leaseOwner: 'thief' }); // stolen: the next renewal's conditional write fails
    await clock.advance(4_000); // past one renewal interval (failover / 3)
    stop.abort();
    await clock.advance(2_000);
    await running;

    expect(events.filter((event) => event.startsWith('s-1'))).toEqual(['s-1 initialize', 's-1 leaseLost']);
    expect(events).toContain('s-2 shutdownRequested');
    expect(store.leases.get('s-1')?.leaseOwner).toBe('thief');
  });

  it('started with a signal that has already fired, starts up and stops without taking a lease', async () => {
    const store = new TakeNotingStore();
    const stopped = new AbortController();
    stopped.abort();
    const clock = new ManualClock();
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER }), {
      stream: new TestStream([shard('s-1')]),
      store,
      processorFactory: processors().factory,
      clock,
      log: silentLogger,
    });

    const running = scheduler.run(stopped.signal);
    await clock.advance(2_000);

    await expect(running).resolves.toEqual({ unfinishedShards: [] });
    expect(store.takes).toEqual([]);
    expect(store.leases.has('s-1')).toBe(true);
  });
});

describe('Scheduler: start-up', () => {
  /** A table that throttles (or fails) its creation as many times as the test says. */
  class FailingStart extends InMemoryLeaseStore {
    constructor(private readonly failures: Error[]) {
      super();
    }
    override async ensureTable(): Promise<void> {
      const failure = this.failures.shift();
      if (failure) throw failure;
    }
  }

  /** A FakeClock that notes every sleep. */
  class SleepNotingClock extends FakeClock {
    readonly sleeps: number[] = [];
    override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return;
      this.sleeps.push(ms);
      await super.sleep(ms);
    }
  }

  function starting(store: InMemoryLeaseStore, clock: FakeClock) {
    const stop = new AbortController();
    const listLeases = store.listLeases.bind(store);
    store.listLeases = async () => {
      stop.abort(); // started: that is all these tests need
      return listLeases();
    };
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER }), {
      stream: new TestStream([]),
      store,
      processorFactory: processors().factory,
      clock,
    });
    return scheduler.run(stop.signal);
  }

  it('backs off from throttling from 100 ms, doubling up to 5 s', async () => {
    const clock = new SleepNotingClock();
    const throttles = Array.from({ length: 8 }, () => new ThrottledError('slow down'));

    await starting(new FailingStart(throttles), clock);

    expect(clock.sleeps.slice(0, 8)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
  });

  it('retries a transient fault (nothing answers, a dropped connection) for up to a minute, then fails with it', async () => {
    const recovers = new FailingStart([
      new TransientError('create table App failed for now: Error: connect ECONNREFUSED'),
      new TransientError('create table App failed for now: Error: socket hang up'),
    ]);
    const clock = new SleepNotingClock();
    const stop = starting(recovers, clock);
    // It started (and, stopped at once by the helper, resolves): two faults ridden out.
    await expect(stop).resolves.toBeDefined();
    expect(clock.sleeps.slice(0, 2)).toEqual([100, 200]);

    const down = new FailingStart(Array.from({ length: 100 }, () => new TransientError('connect ECONNREFUSED')));
    const downClock = new SleepNotingClock();
    await expect(starting(down, downClock)).rejects.toBeInstanceOf(TransientError);
    const waited = downClock.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeLessThanOrEqual(60_000);
    expect(waited).toBeGreaterThan(50_000);
  });

  it('fails at once on an error that is not throttling', async () => {
    const clock = new SleepNotingClock();
    const store = new FailingStart([new DependencyError('create table App failed: AccessDeniedException')]);

    await expect(starting(store, clock)).rejects.toBeInstanceOf(DependencyError);
    expect(clock.sleeps).toEqual([]);
  });

  it('fails on a stream that does not exist before it makes a lease table for it', async () => {
    let tables = 0;
    const store = new InMemoryLeaseStore();
    store.ensureTable = async () => {
      tables++;
    };
    const missing = new TestStream([]);
    missing.listShards = async () => {
      throw new ResourceNotFoundError('list shards of S failed: ResourceNotFoundException: Stream S not found');
    };
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER }), {
      stream: missing,
      store,
      processorFactory: processors().factory,
      clock: new FakeClock(),
    });
    await expect(scheduler.run()).rejects.toBeInstanceOf(ResourceNotFoundError);
    expect(tables).toBe(0);
  });

  it('lists the shards once to start: the lease sync uses that listing', async () => {
    const stream = new TestStream([shard('s-1')]);
    let listings = 0;
    const listShards = stream.listShards.bind(stream);
    stream.listShards = () => {
      listings++;
      return listShards();
    };
    const store = new InMemoryLeaseStore();
    const { clock, stop, running } = worker(stream, store);
    await clock.advance(1_000);
    expect(store.leases.has('s-1')).toBe(true);
    expect(listings).toBe(1);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('stops retrying once shut down, failing with the last throttling error', async () => {
    const store = new FailingStart(Array.from({ length: 100 }, () => new ThrottledError('slow down')));
    const clock = new ManualClock();
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER }), {
      stream: new TestStream([]),
      store,
      processorFactory: processors().factory,
      clock,
    });
    const running = scheduler.run();
    const outcome = running.catch((error: unknown) => error);
    await clock.advance(1_000);

    scheduler.shutdown();
    await clock.advance(100);

    expect(await outcome).toBeInstanceOf(ThrottledError);
  });

  it('runs without a logger (silent by default)', async () => {
    const store = new TakeNotingStore();
    const clock = new ManualClock();
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER }), {
      stream: new TestStream([shard('s-1')]),
      store,
      processorFactory: processors().factory,
      clock,
    });
    const stop = new AbortController();
    const running = scheduler.run(stop.signal);
    await clock.advance(500);
    expect(store.takes.map((take) => take.leaseKey)).toEqual(['s-1']);
    stop.abort();
    await clock.advance(2_000);
    await expect(running).resolves.toEqual({ unfinishedShards: [] });
  });
});

describe('Scheduler: what it publishes', () => {
  it.each([
    ['polling', { mode: 'polling' as const }, 3, 5],
    ['fan-out', { mode: 'fan-out' as const }, 18, 20],
  ])('reading at the tip with %s: pauses between reads only when polling', async (_, retrieval, least, most) => {
    // A read that waits 50 ms for the next record, as a fan-out subscription waits for its next event. Polling, the
    // worker waits its poll delay (200 ms and up) before asking again; through fan-out it asks again at once.
    const clock = new ManualClock();
    let reads = 0;
    const stream = new TestStream([shard('s-1')]);
    stream.getRecords = async (iterator: string) => {
      await clock.sleep(50);
      reads++;
      const records = [{ sequenceNumber: String(reads), partitionKey: 'k', data: Buffer.from('x') }];
      return { records, nextIterator: iterator, millisBehindLatest: 0, childShards: [] };
    };
    const { stop, running } = worker(stream, new InMemoryLeaseStore(), { clock, settings: { retrieval } });
    await clock.advance(100);
    const before = reads;
    await clock.advance(1_000);
    expect(reads - before).toBeGreaterThanOrEqual(least);
    expect(reads - before).toBeLessThanOrEqual(most);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('reports its shards and how far behind each is', async () => {
    const store = new InMemoryLeaseStore();
    const { scheduler, clock, stop, running } = worker(new TestStream([shard('s-1')], 1, 1_500), store);
    await clock.advance(1_000);

    expect(scheduler.status()).toEqual({
      workerId: WORKER,
      shards: [{ shardId: 's-1', millisBehindLatest: 1_500, processingFailures: 0 }],
    });
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('publishes on each renewal how far behind the lease’s reader is and the records per second it delivered', async () => {
    const store = new InMemoryLeaseStore();
    // One record a read; 1.5 s behind the tip, so it reads every 200 ms (the minimum): 5 records a second.
    const { clock, stop, running } = worker(new TestStream([shard('s-1')], 1, 1_500), store);

    await clock.advance(7_000); // renewals at 0 (no reader yet), 3.3 s (the reader's first figures), 6.7 s

    const metrics = store.leases.get('s-1')?.metrics;
    expect(metrics?.millisBehindLatest).toBe(1_500);
    expect(metrics?.recordsPerSecond).toBeGreaterThan(4.5);
    expect(metrics?.recordsPerSecond).toBeLessThan(5.5);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('publishes the reader’s first figures at the first renewal it is there for: its lag, and no rate yet', async () => {
    const store = new InMemoryLeaseStore();
    const { clock, stop, running } = worker(new TestStream([shard('s-1')], 1, 1_500), store);

    await clock.advance(4_000); // renewals at 0 (no reader yet) and 3.3 s (the reader's first)

    expect(store.leases.get('s-1')?.metrics).toEqual({
      millisBehindLatest: 1_500,
      recordsPerSecond: 0,
      processingFailures: 0,
    });
    stop.abort();
    await clock.advance(2_000);
    await running;
  });
});

describe('Scheduler: leases', () => {
  it('reads shards from the configured timestamp when starting AT_TIMESTAMP', async () => {
    const timestamp = new Date('2026-01-01T00:00:00Z');
    const initialPosition: InitialPosition = { type: 'AT_TIMESTAMP', timestamp };
    const stream = new TestStream([shard('s-1')]);
    const { clock, stop, running } = worker(stream, new InMemoryLeaseStore(), { settings: { initialPosition } });
    await clock.advance(500);

    expect(stream.positions).toEqual([{ type: 'AT_TIMESTAMP', timestamp }]);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('goes on taking the other leases of a round when another worker takes one first', async () => {
    class Racing extends TakeNotingStore {
      lost = 0;
      override async takeLease(lease: Lease, owner: string): Promise<Lease> {
        if (this.lost++ === 0) throw new LeaseLostError(lease.leaseKey); // the first take of the round loses the race
        return super.takeLease(lease, owner);
      }
    }
    const store = new Racing();
    const clock = new ManualClock();
    store.clock = clock;
    const { stop, running } = worker(new TestStream([shard('s-1'), shard('s-2')]), store, {
      clock,
      settings: { leasePollIntervalMs: 5_000 },
    });
    await clock.advance(100);

    expect(store.takes).toHaveLength(1);
    expect(store.takes[0]?.at).toBe(0);
    stop.abort();
    await clock.advance(6_000);
    await running;
  });

  it('steals only on balancing rounds, once per take interval, not at every look at the table', async () => {
    const store = new TakeNotingStore();
    const clock = new ManualClock();
    store.clock = clock;
    for (const leaseKey of ['s-1', 's-2', 's-3', 's-4'])
      store.leases.set(leaseKey, aLease(leaseKey, { leaseOwner: 'other' }));
    const stream = new TestStream(['s-1', 's-2', 's-3', 's-4'].map((shardId) => shard(shardId)));
    const recorded: MetricDatum[] = [];
    const metrics = { record: (datum: MetricDatum) => void recorded.push(datum) };
    const { stop, running } = worker(stream, store, { clock, metrics }); // take interval 20 050 ms, looks every 1 s
    for (let second = 0; second < 30; second++) {
      // The other worker renews what it still holds.
      for (const lease of store.leases.values()) if (lease.leaseOwner === 'other') store.bump(lease.leaseKey);
      await clock.advance(1_000);
    }

    expect(store.takes.map((take) => take.at)).toEqual([0, 21_000]);
    // Recorded on the lease as what they were: steals from a live owner.
    expect(store.takes.map((take) => take.how)).toEqual(['stole', 'stole']);
    // And counted as such, on the shard stolen: a steal is a take too.
    const counted = (name: string) =>
      recorded
        .filter((datum) => datum.name === name)
        .map((datum) => [datum.shardId, datum.value, datum.unit, datum.operation])
        .sort();
    const stolen = store.takes.map((take) => [take.leaseKey, 1, 'Count', 'TakeLeases']).sort();
    expect(counted('StolenLeases')).toEqual(stolen);
    expect(counted('TakenLeases')).toEqual(stolen);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('records a take of a lease its owner stopped renewing as taken after expiry, and of a free one as taken', async () => {
    const store = new TakeNotingStore();
    const clock = new ManualClock();
    store.clock = clock;
    store.leases.set('s-1', aLease('s-1', { leaseOwner: 'gone' }));
    store.leases.set('s-2', aLease('s-2'));
    const stream = new TestStream([shard('s-1'), shard('s-2')]);
    const { stop, running } = worker(stream, store, { clock });
    await clock.advance(12_000);

    expect(store.takes.map((take) => [take.leaseKey, take.how])).toEqual([
      ['s-2', 'took'],
      ['s-1', 'took-expired'],
    ]);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('leaves the lease of a consumer its policy stopped to expire: neither given back nor renewed', async () => {
    const store = new InMemoryLeaseStore();
    const factory = (): ShardRecordProcessor => ({
      initialize: () => {
        throw new Error('processor cannot start');
      },
      processRecords: () => {},
      leaseLost: () => {},
      shardEnded: () => {},
      shutdownRequested: () => {},
    });
    const { clock, stop, running } = worker(new TestStream([shard('s-1')]), store, {
      factory,
      settings: { onProcessingError: () => 'stop' },
    });
    await clock.advance(500);
    const held = store.leases.get('s-1');
    expect(held?.leaseOwner).toBe(WORKER);

    await clock.advance(8_000);

    expect(store.leases.get('s-1')).toEqual(held);
    stop.abort();
    await clock.advance(12_000);
    await running;
  });

  it('keeps renewing the lease of a shard whose processor keeps throwing, retrying in place, and shows it stuck', async () => {
    const store = new InMemoryLeaseStore();
    let calls = 0;
    const factory = (): ShardRecordProcessor => ({
      initialize: () => {
        calls++;
        throw new Error('processor cannot start');
      },
      processRecords: () => {},
      leaseLost: () => {},
      shardEnded: () => {},
      shutdownRequested: () => {},
    });
    const { scheduler, clock, stop, running } = worker(new TestStream([shard('s-1')]), store, { factory });
    await clock.advance(500);
    const counter = store.leases.get('s-1')?.leaseCounter ?? 0;
    // Three failover times later: still its lease, renewed all along, the call tried again and again.
    await clock.advance(30_000);
    expect(store.leases.get('s-1')?.leaseOwner).toBe(WORKER);
    expect(store.leases.get('s-1')?.leaseCounter).toBeGreaterThan(counter + 5);
    expect(calls).toBeGreaterThan(3);
    expect(scheduler.status().shards[0]?.processingFailures).toBe(calls);
    // Published on the lease with each renewal, for anyone watching the table (the dashboard shows a stuck shard).
    expect(store.leases.get('s-1')?.metrics?.processingFailures).toBeGreaterThan(3);
    stop.abort();
    await clock.advance(12_000);
    await running;
  });

  it.each([
    ['retried in place, then stopped with the worker', undefined],
    ['failed by its policy', { onProcessingError: () => 'stop' as const }],
  ])(
    'gives back, with its last checkpoint, the lease of a consumer that throws while the worker stops: %s',
    async (_, settings) => {
      // A processor whose output breaks: it asks the worker to stop, then fails (as the consumer does on a full disk).
      // Retried, the throw ends in the worker's stop ('shutdown'); with the stop policy the consumer fails ('failed'),
      // and its lease is given back all the same: another worker carries on at once, not after the failover time.
      const store = new InMemoryLeaseStore();
      let stopWorker: () => void = () => {};
      let reads = 0;
      const factory = (): ShardRecordProcessor => ({
        initialize: () => {},
        processRecords: async ({ records, checkpointer }) => {
          if (records.length === 0) return;
          if (++reads === 1) return checkpointer.checkpoint();
          stopWorker();
          throw new Error('--out /dev/full could not be written');
        },
        leaseLost: () => {},
        shardEnded: () => {},
        shutdownRequested: () => {},
      });
      const { clock, stop, running } = worker(new TestStream([shard('s-1')], 1), store, { factory, settings });
      stopWorker = () => stop.abort();
      await clock.advance(3_000);
      await running;

      const lease = store.leases.get('s-1');
      expect(lease?.leaseOwner).toBeUndefined();
      expect(lease?.checkpoint.sequenceNumber).toBe('1');
    },
  );

  it('resolves within the shutdown timeout though a processor hangs, naming its shard and giving its lease back', async () => {
    const store = new InMemoryLeaseStore();
    const factory = (shardId: string): ShardRecordProcessor => ({
      initialize: () => {},
      // s-1's processor never returns from its first batch; s-2's returns at once.
      processRecords: ({ records }) =>
        shardId === 's-1' && records.length > 0 ? new Promise<void>(() => {}) : undefined,
      leaseLost: () => {},
      shardEnded: () => {},
      shutdownRequested: async ({ checkpointer }) => checkpointer.checkpoint(),
    });
    const { clock, stop, running } = worker(new TestStream([shard('s-1'), shard('s-2')], 1), store, {
      factory,
      settings: { shutdownTimeoutMs: 5_000 },
    });
    await clock.advance(1_000);
    let outcome: Awaited<typeof running> | undefined;
    void running.then((value) => {
      outcome = value;
    });

    stop.abort();
    await clock.advance(4_000);
    expect(outcome).toBeUndefined(); // still within the timeout: it waits for s-1
    await clock.advance(1_500);

    expect(outcome).toEqual({ unfinishedShards: ['s-1'] });
    expect(store.leases.get('s-1')?.leaseOwner).toBeUndefined();
    expect(store.leases.get('s-2')?.leaseOwner).toBeUndefined();
  });

  it('forgets a lease it could not give back after its processor factory failed, so the lease expires and is taken again', async () => {
    const store = new FailingRelease();
    let calls = 0;
    const { factory } = processors();
    const { clock, stop, running } = worker(new TestStream([shard('s-1')]), store, {
      factory: (shardId) => {
        if (++calls === 1) throw new Error('processor could not start');
        return factory(shardId);
      },
    });

    for (let step = 0; step < 30; step++) await clock.advance(500);

    expect(store.takes).toHaveLength(2);
    expect(calls).toBe(2);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });
});

describe('Scheduler: shard end', () => {
  it('records the children on the finished lease, creates their leases and takes them at once', async () => {
    const store = new TakeNotingStore();
    const clock = new ManualClock();
    store.clock = clock;
    const stream = new TestStream([shard('parent')]);
    const { stop, running } = worker(stream, store, { clock, settings: { leasePollIntervalMs: 5_000 } });
    await clock.advance(1_000);

    const children = [shard('child-1', ['parent']), shard('child-2', ['parent'])];
    stream.listed = [shard('parent'), ...children];
    stream.ending.set('parent', children);
    const endedBy = clock.monotonicNow() + 1_000;
    await clock.advance(1_000);

    expect(store.leases.get('parent')).toMatchObject({ checkpoint: SHARD_END, childShardIds: ['child-1', 'child-2'] });
    expect(store.leases.get('parent')?.leaseOwner).toBeUndefined();
    const childTakes = store.takes.filter((take) => take.leaseKey.startsWith('child'));
    expect(childTakes.map((take) => take.leaseKey).sort()).toEqual(['child-1', 'child-2']);
    for (const take of childTakes) expect(take.at).toBeLessThanOrEqual(endedBy);
    stop.abort();
    await clock.advance(6_000);
    await running;
  });

  it('stops renewing a finished shard’s lease it could not give back', async () => {
    const store = new FailingRelease();
    const stream = new TestStream([shard('s-1')]);
    stream.ending.set('s-1', []);
    const { clock, stop, running } = worker(stream, store);
    await clock.advance(1_000);
    expect(store.leases.get('s-1')?.checkpoint).toEqual(SHARD_END);
    expect(store.failures).toBe(0); // its release was tried, and failed

    // Held on, it would be renewed for as long as the worker runs, with nobody reading it.
    const counter = store.leases.get('s-1')?.leaseCounter;
    await clock.advance(30_000);
    expect(store.leases.get('s-1')?.leaseCounter).toBe(counter);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('syncs with the stream at once when the shard end names no children', async () => {
    const store = new InMemoryLeaseStore();
    const stream = new TestStream([shard('parent')]);
    const { clock, stop, running } = worker(stream, store);
    await clock.advance(1_000);

    stream.listed = [shard('parent'), shard('child-1', ['parent'])];
    stream.ending.set('parent', []);
    await clock.advance(1_000);

    expect(store.leases.get('parent')?.checkpoint).toEqual(SHARD_END);
    expect(store.leases.has('child-1')).toBe(true);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });

  it('finds new shards at each shard sync', async () => {
    const store = new InMemoryLeaseStore();
    const stream = new TestStream([shard('s-1')]);
    const { clock, stop, running } = worker(stream, store, { settings: { shardSyncIntervalMs: 5_000 } });
    await clock.advance(1_000);
    stream.listed = [shard('s-1'), shard('s-2')];
    expect(store.leases.has('s-2')).toBe(false);

    await clock.advance(5_000);

    expect(store.leases.has('s-2')).toBe(true);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });
});

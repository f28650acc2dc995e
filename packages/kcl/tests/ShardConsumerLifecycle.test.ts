import type { KinesisRecord } from '@stock-trades/kpl';
import { describe, expect, it } from 'vitest';
import { DependencyError, ThrottledError } from '../src/errors.js';
import type { Lease, ShardInfo } from '../src/Lease.js';
import type { LeaseRenewer } from '../src/LeaseRenewer.js';
import type { MetricDatum } from '../src/Metrics.js';
import { DEFAULT_PROCESSING_ERRORS } from '../src/ProcessingErrors.js';
import type { InitializationInput, ShardRecordProcessor } from '../src/RecordProcessor.js';
import type { ShardConsumer, ShardConsumerConfig } from '../src/ShardConsumer.js';
import type { IteratorPosition, RecordsPage, StreamPort } from '../src/StreamPort.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';
import { shardConsumerFixture } from './helpers/shardConsumerFixture.js';

const SHARD = 'shard-1';
const FULL = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };
const SHARD_END = { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 };
const record = (sequenceNumber: string): KinesisRecord => ({
  sequenceNumber,
  partitionKey: 'k',
  data: Buffer.from('x'),
});

/** A FakeClock that notes every sleep. */
class SleepNotingClock extends FakeClock {
  readonly sleeps: number[] = [];
  override async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    await super.sleep(ms);
  }
}

/** A shard read from a script: each step is a page's records, an error to throw, or the end (with children). */
type Step = KinesisRecord[] | Error | { end: ShardInfo[] };

class ScriptedShard implements StreamPort {
  readonly positions: IteratorPosition[] = [];
  /** The shards whose reader let go of what it held open (a fan-out subscription). */
  readonly released: string[] = [];
  release(shardId: string): void {
    this.released.push(shardId);
  }
  constructor(
    private readonly steps: Step[],
    private readonly listed: ShardInfo[] = [],
  ) {}
  async listShards(): Promise<ShardInfo[]> {
    return this.listed;
  }
  async getShardIterator(_shardId: string, position: IteratorPosition): Promise<string> {
    this.positions.push(position);
    return 'iterator';
  }
  async getRecords(): Promise<RecordsPage> {
    const step = this.steps.shift() ?? [];
    if (step instanceof Error) throw step;
    if ('end' in step) return { records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: step.end };
    return { records: step, nextIterator: 'next', millisBehindLatest: 0, childShards: [] };
  }
}

/** A processor that notes its calls; `onRecords` runs inside processRecords. */
function notingProcessor(options: { checkpointAtEnd?: boolean; onRecords?: () => void } = {}) {
  const events: string[] = [];
  const initialized: InitializationInput[] = [];
  const ended: Array<readonly string[]> = [];
  const processor: ShardRecordProcessor = {
    initialize: (input) => {
      initialized.push(input);
      events.push('initialize');
    },
    processRecords: async ({ records, checkpointer }) => {
      events.push(`processRecords ${records.length}`);
      options.onRecords?.();
      if (records.length > 0) await checkpointer.checkpoint();
    },
    leaseLost: () => void events.push('leaseLost'),
    shardEnded: async ({ checkpointer, childShardIds }) => {
      events.push('shardEnded');
      ended.push(childShardIds);
      if (options.checkpointAtEnd ?? true) await checkpointer.checkpoint();
    },
    shutdownRequested: ({ checkpointer }) =>
      void events.push(`shutdownRequested at ${checkpointer.lastCheckpoint.sequenceNumber}`),
  };
  return { processor, events, initialized, ended };
}

function consumerOf(
  stream: StreamPort,
  processor: ShardRecordProcessor,
  options: { lease?: Partial<Lease>; store?: InMemoryLeaseStore; config?: Partial<ShardConsumerConfig> } = {},
) {
  return shardConsumerFixture(stream, processor, { ...options, clock: new SleepNotingClock() });
}

describe('ShardConsumer: stopping', () => {
  it('on shutdown, lets the processor checkpoint (shutdownRequested) and ends as shutdown', async () => {
    const { processor, events } = notingProcessor({ onRecords: () => consumer.stop('shutdown') });
    const { consumer, store } = consumerOf(new ScriptedShard([[record('1')], [record('2')]]), processor);

    expect(await consumer.run()).toBe('shutdown');

    expect(events).toEqual(['initialize', 'processRecords 1', 'shutdownRequested at 1']);
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('1');
  });

  it('when its lease is lost, tells the processor leaseLost and nothing else', async () => {
    const { processor, events } = notingProcessor({ onRecords: () => consumer.stop('lease-lost') });
    const { consumer } = consumerOf(new ScriptedShard([[], [record('2')]]), processor);

    expect(await consumer.run()).toBe('lease-lost');

    expect(events).toEqual(['initialize', 'processRecords 0', 'leaseLost']);
  });

  it('keeps the first reason it was stopped for', async () => {
    const { processor, events } = notingProcessor({
      onRecords: () => {
        consumer.stop('lease-lost');
        consumer.stop('shutdown');
      },
    });
    const { consumer } = consumerOf(new ScriptedShard([[]]), processor);

    expect(await consumer.run()).toBe('lease-lost');
    expect(events.at(-1)).toBe('leaseLost');
  });

  it('ends as lease lost, not failed, when the processor fails after the lease was lost', async () => {
    const { processor, events } = notingProcessor({
      onRecords: () => {
        consumer.stop('lease-lost');
        throw new Error('processor noticed too late');
      },
    });
    const { consumer } = consumerOf(new ScriptedShard([[record('1')]]), processor);

    expect(await consumer.run()).toBe('lease-lost');
    expect(events).toEqual(['initialize', 'processRecords 1', 'leaseLost']);
  });

  it('ends as lease lost even when the processor’s leaseLost throws', async () => {
    const { processor } = notingProcessor({ onRecords: () => consumer.stop('lease-lost') });
    processor.leaseLost = () => {
      throw new Error('cleanup failed');
    };
    const { consumer } = consumerOf(new ScriptedShard([[]]), processor);

    expect(await consumer.run()).toBe('lease-lost');
  });
});

describe('ShardConsumer: what it holds open', () => {
  it('lets go of its shard’s reader however it ends: shard end, shutdown, lease lost, failure', async () => {
    const outcomes: string[] = [];
    const released: string[][] = [];
    const ends: Array<(consumer: () => ShardConsumer | undefined) => ShardRecordProcessor> = [
      () => notingProcessor().processor,
      (self) => notingProcessor({ onRecords: () => self()?.stop('shutdown') }).processor,
      (self) => notingProcessor({ onRecords: () => self()?.stop('lease-lost') }).processor,
      () =>
        notingProcessor({
          onRecords: () => {
            throw new Error('bug');
          },
        }).processor,
    ];
    for (const end of ends) {
      const stream = new ScriptedShard([[record('1')], { end: [] }]);
      const holder: { consumer?: ShardConsumer } = {};
      const { consumer } = consumerOf(
        stream,
        end(() => holder.consumer),
        {
          config: { processingErrors: { ...DEFAULT_PROCESSING_ERRORS, policy: () => 'stop' } },
        },
      );
      holder.consumer = consumer;
      outcomes.push(await consumer.run());
      released.push(stream.released);
    }
    expect(outcomes).toEqual(['shard-ended', 'shutdown', 'lease-lost', 'failed']);
    expect(released).toEqual([[SHARD], [SHARD], [SHARD], [SHARD]]);
  });
});

describe('ShardConsumer: failures', () => {
  it('ends as failed, without calling leaseLost, when the processor throws and its policy says stop', async () => {
    const { processor, events } = notingProcessor({
      onRecords: () => {
        throw new Error('bug in the processor');
      },
    });
    const { consumer } = consumerOf(new ScriptedShard([[record('1')], { end: [] }]), processor, {
      config: { processingErrors: { ...DEFAULT_PROCESSING_ERRORS, policy: () => 'stop' } },
    });

    expect(await consumer.run()).toBe('failed');
    expect(events).toEqual(['initialize', 'processRecords 1']);
  });

  it('ends as failed when a read fails with anything but throttling or an expired iterator', async () => {
    const { processor, events } = notingProcessor();
    const { consumer } = consumerOf(
      new ScriptedShard([new DependencyError('GetRecords failed: InternalFailure'), { end: [] }]),
      processor,
    );

    expect(await consumer.run()).toBe('failed');
    expect(events).toEqual(['initialize']);
  });

  it('backs off from throttling by doubling from the minimum poll time, up to 5 s', async () => {
    const throttles = Array.from({ length: 7 }, () => new ThrottledError('slow down'));
    const { processor } = notingProcessor();
    const { consumer, clock } = consumerOf(new ScriptedShard([...throttles, { end: [] }]), processor);

    await consumer.run(); // (nothing renews the lease here: after 10 s of backing off, it is given up)
    expect(clock.sleeps).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
  });
});

describe('ShardConsumer: shard end', () => {
  it('tells the processor which shards continue this one', async () => {
    const children: ShardInfo[] = [
      { shardId: 'child-a', parentShardIds: [SHARD], hashKeyRange: FULL },
      { shardId: 'child-b', parentShardIds: [SHARD], hashKeyRange: FULL },
    ];
    const { processor, ended } = notingProcessor();
    const { consumer } = consumerOf(new ScriptedShard([{ end: children }]), processor);

    expect(await consumer.run()).toBe('shard-ended');
    expect(ended).toEqual([['child-a', 'child-b']]);
  });

  it('checkpoints SHARD_END itself when the processor did not, and only once when it did', async () => {
    const forgetful = notingProcessor({ checkpointAtEnd: false });
    const first = consumerOf(new ScriptedShard([{ end: [] }]), forgetful.processor);
    expect(await first.consumer.run()).toBe('shard-ended');
    expect(first.store.leases.get(SHARD)?.checkpoint).toEqual(SHARD_END);
    expect(first.store.writes).toBe(1);

    const diligent = notingProcessor({ checkpointAtEnd: true });
    const second = consumerOf(new ScriptedShard([{ end: [] }]), diligent.processor);
    expect(await second.consumer.run()).toBe('shard-ended');
    expect(second.store.leases.get(SHARD)?.checkpoint).toEqual(SHARD_END);
    expect(second.store.writes).toBe(1);
  });

  it('given a lease already at SHARD_END, ends at once: no read, no processor call, no write', async () => {
    // The Scheduler never hands one out (finished leases are not taken), but a reader started on one would read the
    // closed shard again from TRIM_HORIZON and deliver all of it a second time.
    const stream = new ScriptedShard([[record('1')], { end: [] }]);
    const { processor, events } = notingProcessor();
    const { consumer, store } = consumerOf(stream, processor, { lease: { checkpoint: SHARD_END } });

    expect(await consumer.run()).toBe('shard-ended');
    expect(events).toEqual([]);
    expect(stream.positions).toEqual([]);
    expect(store.leases.get(SHARD)?.checkpoint).toEqual(SHARD_END);
    expect(store.writes).toBe(0);
  });
});

describe('ShardConsumer: where it starts', () => {
  it('reads a new lease at LATEST from the tip', async () => {
    const stream = new ScriptedShard([{ end: [] }]);
    await consumerOf(stream, notingProcessor().processor, {
      lease: { checkpoint: { sequenceNumber: 'LATEST', subSequenceNumber: 0 } },
    }).consumer.run();
    expect(stream.positions).toEqual([{ type: 'LATEST' }]);
  });

  it('reads a new lease at AT_TIMESTAMP from the configured time', async () => {
    const timestamp = new Date('2026-01-01T00:00:00Z');
    const stream = new ScriptedShard([{ end: [] }]);
    await consumerOf(stream, notingProcessor().processor, {
      lease: { checkpoint: { sequenceNumber: 'AT_TIMESTAMP', subSequenceNumber: 0 } },
      config: { initialTimestamp: timestamp },
    }).consumer.run();
    expect(stream.positions).toEqual([{ type: 'AT_TIMESTAMP', timestamp }]);
  });

  it('reads a lease at TRIM_HORIZON from the start, even when an initial timestamp is configured', async () => {
    const stream = new ScriptedShard([{ end: [] }]);
    await consumerOf(stream, notingProcessor().processor, {
      config: { initialTimestamp: new Date('2026-01-01T00:00:00Z') },
    }).consumer.run();
    expect(stream.positions).toEqual([{ type: 'TRIM_HORIZON' }]);
  });
});

describe('ShardConsumer: parents', () => {
  const parent = (shardId: string): ShardInfo => ({ shardId, parentShardIds: [], hashKeyRange: FULL });

  it('starts a shard without parents at once, telling the processor it has none', async () => {
    const { processor, initialized } = notingProcessor();
    await consumerOf(new ScriptedShard([{ end: [] }]), processor).consumer.run();
    expect(initialized[0]?.parents).toEqual([]);
  });

  it('starts once every parent is finished, with the state each stored, a parent trimmed from the stream counting as finished', async () => {
    const store = new InMemoryLeaseStore();
    store.leases.set('p-1', aLease('p-1', { checkpoint: SHARD_END, applicationState: 'state of p-1' }));
    const { processor, initialized } = notingProcessor();
    const stream = new ScriptedShard([{ end: [] }], []); // p-2 is neither leased nor listed any more
    const { consumer } = consumerOf(stream, processor, { store, lease: { parentShardIds: ['p-1', 'p-2'] } });

    expect(await consumer.run()).toBe('shard-ended');
    expect(initialized[0]?.parents).toEqual([
      { shardId: 'p-1', applicationState: 'state of p-1' },
      { shardId: 'p-2', applicationState: undefined },
    ]);
  });

  it('waits for a parent that is still listed but has no lease yet, and for one not finished', async () => {
    const store = new InMemoryLeaseStore();
    store.leases.set(
      'p-1',
      aLease('p-1', { leaseOwner: 'other', checkpoint: { sequenceNumber: '5', subSequenceNumber: 0 } }),
    );
    const { processor, events } = notingProcessor();
    const stream = new ScriptedShard([{ end: [] }], [parent('p-1'), parent('p-2')]);
    const { consumer, clock } = consumerOf(stream, processor, { store, lease: { parentShardIds: ['p-1', 'p-2'] } });
    let looks = 0;
    const getLease = store.getLease.bind(store);
    store.getLease = async (leaseKey) => {
      looks++;
      if (looks === 5) {
        // After two looks at both parents: p-1 finishes, and p-2 gets its lease, already finished.
        store.leases.set('p-1', aLease('p-1', { checkpoint: SHARD_END }));
        store.leases.set('p-2', aLease('p-2', { checkpoint: SHARD_END }));
      }
      return getLease(leaseKey);
    };

    expect(await consumer.run()).toBe('shard-ended');
    expect(clock.sleeps.slice(0, 2)).toEqual([1000, 1000]);
    expect(events[0]).toBe('initialize');
  });

  it('stopped while waiting for its parents, ends without ever starting the processor', async () => {
    const store = new InMemoryLeaseStore();
    store.leases.set(
      'p-1',
      aLease('p-1', { leaseOwner: 'other', checkpoint: { sequenceNumber: '5', subSequenceNumber: 0 } }),
    );
    const { processor, events } = notingProcessor();
    const { consumer } = consumerOf(new ScriptedShard([{ end: [] }]), processor, {
      store,
      lease: { parentShardIds: ['p-1'] },
    });
    const getLease = store.getLease.bind(store);
    store.getLease = async (leaseKey) => {
      consumer.stop('shutdown');
      return getLease(leaseKey);
    };

    expect(await consumer.run()).toBe('shutdown');
    expect(events).toEqual([]);
  });
});

describe('ShardConsumer: what it measures', () => {
  it('times each batch as long as the processor took over it', async () => {
    const recorded: MetricDatum[] = [];
    const clock = new FakeClock();
    const took = [250, 40];
    const { processor } = notingProcessor({ onRecords: () => clock.advance(took.shift() ?? 0) });
    const { consumer } = shardConsumerFixture(
      new ScriptedShard([[record('1'), record('2')], [record('3')], { end: [] }]),
      processor,
      { clock, metrics: { record: (datum) => void recorded.push(datum) } },
    );

    expect(await consumer.run()).toBe('shard-ended');
    const timed = recorded.filter((datum) => datum.name === 'RecordProcessor.processRecords.Time');
    expect(timed.map((datum) => [datum.value, datum.unit, datum.shardId])).toEqual([
      [250, 'Milliseconds', SHARD],
      [40, 'Milliseconds', SHARD],
      [0, 'Milliseconds', SHARD],
    ]);
  });
});

describe('ShardConsumer: health and counts', () => {
  it('is healthy until more than the stall time has passed since its last read', () => {
    const { consumer, clock } = consumerOf(new ScriptedShard([]), notingProcessor().processor);
    clock.advance(10_000);
    expect(consumer.isHealthy(10_000)).toBe(true);
    clock.advance(1);
    expect(consumer.isHealthy(10_000)).toBe(false);
  });

  it('while its processor takes a minute over a batch: stays healthy (its lease renewed) and shows its lag growing', async () => {
    const seen: Array<{ healthy: boolean; lag: number }> = [];
    let consumer: ShardConsumer | undefined;
    let clock: FakeClock | undefined;
    let renewer: LeaseRenewer | undefined;
    const processor: ShardRecordProcessor = {
      ...notingProcessor().processor,
      processRecords: async ({ records }) => {
        if (records.length === 0 || !consumer || !clock) return;
        for (let second = 0; second < 60; second += 15) {
          seen.push({ healthy: consumer.isHealthy(10_000), lag: consumer.millisBehindLatest });
          for (let tick = 0; tick < 3; tick++) {
            clock.advance(5_000);
            await renewer?.renewAll(() => consumer?.isHealthy(10_000) ?? false); // the renew loop, every 5 s
          }
        }
      },
    };
    ({ consumer, clock, renewer } = consumerOf(
      new ScriptedShard([[{ ...record('1'), approximateArrivalTimestamp: new Date(1_000_000 - 2000) }], { end: [] }]),
      processor,
    ));
    expect(await consumer.run()).toBe('shard-ended');
    // Healthy all along (a busy processor is no stalled reader); lag: the batch's first record's age, growing.
    expect(seen).toEqual([
      { healthy: true, lag: 2000 },
      { healthy: true, lag: 17_000 },
      { healthy: true, lag: 32_000 },
      { healthy: true, lag: 47_000 },
    ]);
    // Done with the batch, it shows what Kinesis says again, and a reader quiet past the stall time is unhealthy.
    expect(consumer.millisBehindLatest).toBe(0);
    clock.advance(10_001);
    expect(consumer.isHealthy(10_000)).toBe(false);
  });

  it('counts the records it has handed to the processor', async () => {
    const { consumer } = consumerOf(
      new ScriptedShard([[record('1'), record('2')], [record('3')], { end: [] }]),
      notingProcessor().processor,
    );
    expect(consumer.recordsDelivered).toBe(0);
    await consumer.run();
    expect(consumer.recordsDelivered).toBe(3);
  });
});

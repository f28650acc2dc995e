import { describe, expect, it } from 'vitest';
import {
  type Lease,
  Scheduler,
  type ShardRecordProcessor,
  type StreamPort,
  schedulerConfig,
  silentLogger,
} from '../src/index.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { ManualClock } from './helpers/ManualClock.js';

const WORKER = 'worker-1';
const SHARD = 'shardId-000000000000';

const FULL = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };

/** One open shard that never has records. */
const oneQuietShard: StreamPort = {
  listShards: async () => [{ shardId: SHARD, parentShardIds: [], hashKeyRange: FULL }],
  getShardIterator: async () => 'iterator',
  getRecords: async () => ({ records: [], nextIterator: 'iterator', millisBehindLatest: 0, childShards: [] }),
};

const idle: ShardRecordProcessor = {
  initialize: () => {},
  processRecords: () => {},
  leaseLost: () => {},
  shardEnded: async ({ checkpointer }) => checkpointer.checkpoint(),
  shutdownRequested: () => {},
};

/** The in-memory table, where a release can hang, noting every take. */
class SlowReleaseStore extends InMemoryLeaseStore {
  hold: Promise<void> | undefined;
  scans = 0;
  readonly takes: string[] = [];

  override async listLeases(): Promise<Lease[]> {
    this.scans++;
    return super.listLeases();
  }

  override async releaseLease(lease: Lease): Promise<Lease> {
    if (this.hold) await this.hold;
    return super.releaseLease(lease);
  }

  override async takeLease(lease: Lease, owner: string): Promise<Lease> {
    this.takes.push(`${lease.leaseKey} by ${owner} at counter ${lease.leaseCounter}`);
    return super.takeLease(lease, owner);
  }
}

describe('Scheduler: a lease this worker holds is not taken again', () => {
  it('while it is still giving a lease back, though the lease looks expired by then', async () => {
    // Prepare: the processor factory fails once, so the worker gives the lease it just took back at once;
    // the release hangs, so the worker holds the lease, with no consumer, while its counter stands still.
    const clock = new ManualClock();
    const store = new SlowReleaseStore();
    let factoryCalls = 0;
    let release = () => {};
    store.hold = new Promise((resolve) => {
      release = resolve;
    });
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: WORKER }), {
      stream: oneQuietShard,
      store,
      processorFactory: () => {
        factoryCalls++;
        if (factoryCalls === 1) throw new Error('processor could not start');
        return idle;
      },
      clock,
      log: silentLogger,
    });
    const stop = new AbortController();
    const running = scheduler.run(stop.signal);
    await clock.advance(100);
    expect(store.takes).toEqual([`${SHARD} by ${WORKER} at counter 0`]);

    // Act: 15 s pass, past the 10 s failover time, with take rounds looking at the table all along.
    const scansBefore = store.scans;
    for (let step = 0; step < 30; step++) await clock.advance(500);

    // Assess: the scenario happened (the lease stood still past the failover time under the worker's
    // eyes), and the worker did not take again the lease it still held.
    expect(store.scans - scansBefore).toBeGreaterThanOrEqual(10);
    expect(store.leases.get(SHARD)).toMatchObject({ leaseOwner: WORKER, leaseCounter: 1 });
    expect(store.takes).toHaveLength(1);
    expect(factoryCalls).toBe(1);

    // Once given back, the lease is taken again, and this time its processor starts.
    release();
    store.hold = undefined;
    for (let step = 0; step < 4; step++) await clock.advance(500);
    expect(store.takes).toHaveLength(2);
    expect(factoryCalls).toBe(2);
    stop.abort();
    await clock.advance(2_000);
    await running;
  });
});

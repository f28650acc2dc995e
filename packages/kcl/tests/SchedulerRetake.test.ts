import { describe, expect, it } from 'vitest';
import {
  type Lease,
  type LeaseMetrics,
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

/** The in-memory table, where renewals can be held back (late), noting each take and whether a renewal of that lease was under way. */
class LateRenewalStore extends InMemoryLeaseStore {
  hold: Promise<void> | undefined;
  scans = 0;
  readonly takes: Array<{ leaseKey: string; owner: string; whileRenewing: boolean }> = [];
  private readonly renewing = new Map<string, number>();

  renewalsUnderWay(leaseKey: string): number {
    return this.renewing.get(leaseKey) ?? 0;
  }

  override async listLeases(): Promise<Lease[]> {
    this.scans++;
    return super.listLeases();
  }

  override async renewLease(lease: Lease, metrics?: LeaseMetrics): Promise<Lease> {
    this.renewing.set(lease.leaseKey, this.renewalsUnderWay(lease.leaseKey) + 1);
    try {
      if (this.hold) await this.hold;
      return await super.renewLease(lease, metrics);
    } finally {
      this.renewing.set(lease.leaseKey, this.renewalsUnderWay(lease.leaseKey) - 1);
    }
  }

  override async takeLease(lease: Lease, owner: string): Promise<Lease> {
    this.takes.push({ leaseKey: lease.leaseKey, owner, whileRenewing: this.renewalsUnderWay(lease.leaseKey) > 0 });
    return super.takeLease(lease, owner);
  }
}

describe('Scheduler: a lease this worker holds is not taken again', () => {
  it('while its own renewal is late and the lease looks expired', async () => {
    // Prepare: the processor factory fails once, so the worker holds the lease with no consumer
    // for it. That is the state in which only "this worker holds it" stands between a late
    // renewal and a second take (a running or winding-down consumer is also checked for).
    const clock = new ManualClock();
    const store = new LateRenewalStore();
    let factoryCalls = 0;
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
    expect(store.takes).toEqual([{ leaseKey: SHARD, owner: WORKER, whileRenewing: false }]);
    expect(factoryCalls).toBe(1);

    // Act: from now on its renewals are late; the lease's counter stands still for 15 s, past
    // the 10 s failover time, while take rounds keep looking at the table.
    let release = () => {};
    store.hold = new Promise((resolve) => {
      release = resolve;
    });
    await clock.advance(3_500);
    expect(store.renewalsUnderWay(SHARD)).toBe(1);
    const counter = store.leases.get(SHARD)?.leaseCounter;
    const scansBefore = store.scans;
    for (let step = 0; step < 30; step++) await clock.advance(500);

    // Assess: no take while its renewal was under way; and the scenario happened: take rounds
    // ran while the counter stood still past the failover time.
    expect(store.takes.filter((take) => take.whileRenewing)).toEqual([]);
    expect(store.leases.get(SHARD)?.leaseCounter).toBe(counter);
    expect(store.scans - scansBefore).toBeGreaterThanOrEqual(10);

    release();
    store.hold = undefined;
    stop.abort();
    await clock.advance(2_000);
    await running;
  });
});

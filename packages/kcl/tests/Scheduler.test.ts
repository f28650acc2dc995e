import { describe, expect, it } from 'vitest';
import type { StreamPort } from '../src/index.js';
import { Scheduler, schedulerConfig, silentLogger, ThrottledError } from '../src/index.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';

/** A lease table that throttles its first calls to create the table, as DynamoDB may under load. */
class ThrottlingStore extends InMemoryLeaseStore {
  throttlesLeft = 3;
  ensureCalls = 0;
  override async ensureTable(): Promise<void> {
    this.ensureCalls++;
    if (this.throttlesLeft-- > 0) throw new ThrottledError('create table App: ProvisionedThroughputExceededException');
  }
}

const noShards: StreamPort = {
  listShards: async () => [],
  getShardIterator: async () => 'iterator',
  getRecords: async () => ({ records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: [] }),
};

describe('Scheduler', () => {
  it('backs off and tries again while the lease table throttles its start, instead of giving up', async () => {
    const store = new ThrottlingStore();
    const stop = new AbortController();
    const listLeases = store.listLeases.bind(store);
    store.listLeases = async () => {
      stop.abort(); // started: one look at the table is enough for this test
      return listLeases();
    };
    const scheduler = new Scheduler(schedulerConfig({ applicationName: 'App', streamName: 'S', workerId: 'w' }), {
      stream: noShards,
      store,
      processorFactory: () => {
        throw new Error('no shards, no processors');
      },
      clock: new FakeClock(),
      log: silentLogger,
    });

    await expect(scheduler.run(stop.signal)).resolves.toEqual({ unfinishedShards: [] });
    expect(store.ensureCalls).toBe(4);
  });
});

import type { Lease } from '../../src/Lease.js';
import { LeaseRenewer } from '../../src/LeaseRenewer.js';
import { silentLogger } from '../../src/Logger.js';
import type { Metrics } from '../../src/Metrics.js';
import type { ShardRecordProcessor } from '../../src/RecordProcessor.js';
import { ShardConsumer, type ShardConsumerConfig } from '../../src/ShardConsumer.js';
import type { StreamPort } from '../../src/StreamPort.js';
import { FakeClock } from './FakeClock.js';
import { InMemoryLeaseStore } from './InMemoryLeaseStore.js';
import { aLease } from './leaseFactory.js';

export interface ShardConsumerFixtureOptions<C extends FakeClock> {
  readonly clock?: C;
  readonly store?: InMemoryLeaseStore;
  /** Over a lease of shard-1 held by `me`. */
  readonly lease?: Partial<Lease>;
  readonly config?: Partial<ShardConsumerConfig>;
  readonly random?: () => number;
  readonly metrics?: Metrics;
}

/**
 * One ShardConsumer for shard-1 as a worker runs it, in memory: its lease held by `me` in an in-memory table, a
 * renewer with a 10 s failover, and the reader's usual pace (100 records, polls of 200 ms to 1 s).
 */
export function shardConsumerFixture<C extends FakeClock = FakeClock>(
  stream: StreamPort,
  processor: ShardRecordProcessor,
  options: ShardConsumerFixtureOptions<C> = {},
) {
  const store = options.store ?? new InMemoryLeaseStore();
  const clock = options.clock ?? (new FakeClock() as C);
  const renewer = new LeaseRenewer({ store, clock, log: silentLogger, failoverMs: 10_000, onLeaseLost: () => {} });
  const lease = aLease('shard-1', { leaseOwner: 'me', ...options.lease });
  store.leases.set(lease.leaseKey, lease);
  renewer.add(lease);
  const consumer = new ShardConsumer(lease, {
    stream,
    store,
    renewer,
    processor,
    clock,
    log: silentLogger,
    config: { maxRecords: 100, poll: { minMs: 200, maxMs: 1000 }, parentPollMs: 1000, ...options.config },
    onShardEnd: async () => {},
    random: options.random,
    metrics: options.metrics,
  });
  return { consumer, store, clock, renewer };
}

import { FAILOVER_MS, type Scenario } from './scenarioArbitrary.js';

const F = FAILOVER_MS;
const quiet = {
  seed: 1,
  records: 0,
  workers: 1,
  rethrowCheckpointErrors: false,
  endOnLastPage: true,
  storeLatencyMs: 0,
} as const;

/**
 * Shards 1 and 2 (busy) merge into 4, which gets records; 4 merges at once with 3 (quiet)
 * into 5. Shard 3 ends first, so 5's lease is created (from GetRecords' ChildShards) while
 * its other parent, 4, has no lease yet: 4's own parents have not ended.
 */
export const mergeWhileOtherParentHasNoLease: Scenario = {
  ...quiet,
  shards: 4,
  maxRecords: 1,
  processingMs: 400,
  checkpointing: 'every-batch',
  events: [
    { afterMs: 0, action: { type: 'records', shard: 1, count: 10 } },
    { afterMs: 0, action: { type: 'records', shard: 2, count: 10 } },
    { afterMs: 1000, action: { type: 'merge', shard: 1 } },
    { afterMs: 0, action: { type: 'records', shard: 1, count: 3 } },
    { afterMs: 0, action: { type: 'merge', shard: 1 } },
    { afterMs: 0, action: { type: 'records', shard: 1, count: 3 } },
  ],
};

/**
 * w1 holds the one shard; its renewal at 2/3 F is the last that goes through (its table calls
 * fail from then on), so it holds the lease until 5/3 F. w2's scan sent at 2/5 F is slow (F/2
 * there, nothing back: the latency window has closed) and shows the counter of that renewal. Dated
 * from when it was sent, the sighting lets w2 take the lease at 3/2 F, while w1 reads on.
 */
export const slowScanBeforeLastRenewal: Scenario = {
  ...quiet,
  shards: 1,
  maxRecords: 1,
  processingMs: 0,
  checkpointing: 'never',
  events: [
    { afterMs: F / 5, action: { type: 'start' } },
    { afterMs: 50, action: { type: 'store-delay', worker: 1, latencyMs: F / 2, ms: F / 5 } },
    {
      afterMs: 0.68 * F - F / 5 - 50,
      action: { type: 'store-fault', worker: 0, kind: 'throttle', rate: 1, ms: 3 * F },
    },
    { afterMs: 0.52 * F, action: { type: 'records', shard: 0, count: 20 } },
  ],
};

/**
 * The table throttles now and then while the only shard, just split, ends: its SHARD_END
 * checkpoint lands, but creating the second child's lease does not. Nothing retries it but the
 * periodic shard sync (60 s by default).
 */
export const childLeaseThrottledAtShardEnd: Scenario = {
  ...quiet,
  seed: 991470356,
  shards: 1,
  maxRecords: 1,
  processingMs: 0,
  checkpointing: 'every-batch',
  events: [
    { afterMs: 0, action: { type: 'split', shard: 0 } },
    { afterMs: 0, action: { type: 'store-fault', worker: undefined, kind: 'throttle', rate: 0.2, ms: 401 } },
    { afterMs: 0, action: { type: 'records', shard: 1, count: 3 } },
  ],
};

/**
 * w1 reads one record at a time and works 1.5 s on each; its table calls fail from 0.68 F on, so
 * its renewal at 2/3 F is the last and holds the lease until 5/3 F. It is handed a record just
 * before then (within the rule) and is still working on it when w2, having seen the counter stand
 * still for the failover time, takes the lease and starts on the shard.
 */
export const batchOutlastsLease: Scenario = {
  ...quiet,
  shards: 1,
  maxRecords: 1,
  processingMs: 1500,
  checkpointing: 'never',
  events: [
    { afterMs: 400, action: { type: 'start' } },
    { afterMs: 0, action: { type: 'records', shard: 0, count: 30 } },
    { afterMs: 0.68 * F - 400, action: { type: 'store-fault', worker: 0, kind: 'throttle', rate: 1, ms: 2 * F } },
  ],
};

import { describe, expect, it } from 'vitest';
import {
  type InitialPosition,
  type Lease,
  type Logger,
  type ShardInfo,
  type StreamPort,
  silentLogger,
  ThrottledError,
} from '../src/index.js';
import { ShardSyncer } from '../src/ShardSyncer.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';

const FULL = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };
const LOW = { startingHashKey: '0', endingHashKey: '170141183460469231731687303715884105727' };
const HIGH = { startingHashKey: '170141183460469231731687303715884105728', endingHashKey: FULL.endingHashKey };
const SHARD_END = { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 };

/** A stream that lists whatever shards the test puts in `shards`. */
function streamOf(shards: ShardInfo[]): StreamPort {
  return {
    listShards: async () => shards.map((shard) => ({ ...shard })),
    getShardIterator: async () => {
      throw new Error('the syncer does not read shards');
    },
    getRecords: async () => {
      throw new Error('the syncer does not read shards');
    },
  };
}

/** The in-memory table, noting the order leases are created in. */
class RecordingStore extends InMemoryLeaseStore {
  readonly created: string[] = [];
  override async createLeaseIfAbsent(lease: Lease): Promise<boolean> {
    const created = await super.createLeaseIfAbsent(lease);
    if (created) this.created.push(lease.leaseKey);
    return created;
  }
}

/** A parent split into two children, and an unrelated open shard. */
const parent: ShardInfo = {
  shardId: 'shardId-000000000000',
  parentShardIds: [],
  hashKeyRange: FULL,
  endingSequenceNumber: '99',
};
const left: ShardInfo = { shardId: 'shardId-000000000001', parentShardIds: [parent.shardId], hashKeyRange: LOW };
const right: ShardInfo = { shardId: 'shardId-000000000002', parentShardIds: [parent.shardId], hashKeyRange: HIGH };

function syncer(
  shards: ShardInfo[],
  store: InMemoryLeaseStore,
  initial: InitialPosition = { type: 'TRIM_HORIZON' },
  log: Logger = silentLogger,
) {
  return new ShardSyncer(streamOf(shards), store, initial, log);
}

describe('ShardSyncer', () => {
  it('creates a lease for every new shard, parents before their children, at the initial position', async () => {
    const store = new RecordingStore();

    // Listed children first, as ListShards may order them: the parent must still come first.
    await syncer([right, left, parent], store).sync();

    expect(store.created.indexOf(parent.shardId)).toBeLessThan(store.created.indexOf(left.shardId));
    expect(store.created.indexOf(parent.shardId)).toBeLessThan(store.created.indexOf(right.shardId));
    expect([...store.created].sort()).toEqual([parent.shardId, left.shardId, right.shardId]);
    expect(store.leases.get(left.shardId)).toEqual(
      aLease(left.shardId, { parentShardIds: [parent.shardId], hashKeyRange: LOW }),
    );
  });

  it('starts a shard with no leased parent at the initial position, and children of a leased parent at TRIM_HORIZON', async () => {
    const store = new RecordingStore();
    store.leases.set(
      parent.shardId,
      aLease(parent.shardId, { leaseOwner: 'w', checkpoint: { sequenceNumber: '42', subSequenceNumber: 0 } }),
    );
    const open: ShardInfo = { shardId: 'shardId-000000000003', parentShardIds: [], hashKeyRange: FULL };

    await syncer([parent, left, open], store, { type: 'LATEST' }).sync();

    expect(store.leases.get(open.shardId)?.checkpoint.sequenceNumber).toBe('LATEST');
    expect(store.leases.get(left.shardId)?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
    expect(store.leases.get(parent.shardId)?.checkpoint.sequenceNumber).toBe('42');
  });

  it('leaves existing leases as they are', async () => {
    const store = new RecordingStore();
    const existing = aLease(parent.shardId, {
      leaseOwner: 'w',
      leaseCounter: 4,
      checkpoint: { sequenceNumber: '42', subSequenceNumber: 0 },
    });
    store.leases.set(parent.shardId, existing);

    await syncer([parent], store).sync();

    expect(store.leases.get(parent.shardId)).toBe(existing);
    expect(store.created).toEqual([]);
    expect(store.writes).toBe(0);
  });

  it('creates a closed shard’s child leases at TRIM_HORIZON with their parents and hash ranges, once', async () => {
    const store = new RecordingStore();
    const taken = aLease(left.shardId, { leaseOwner: 'other', leaseCounter: 3, parentShardIds: [parent.shardId] });
    store.leases.set(left.shardId, taken);

    await syncer([], store).createChildLeases([left, right]);

    expect(store.leases.get(left.shardId)).toBe(taken);
    expect(store.leases.get(right.shardId)).toEqual(
      aLease(right.shardId, { parentShardIds: [parent.shardId], hashKeyRange: HIGH }),
    );
    expect(store.created).toEqual([right.shardId]);
  });

  it('deletes a finished lease once ListShards no longer returns its shard', async () => {
    const store = new RecordingStore();
    store.leases.set(parent.shardId, aLease(parent.shardId, { checkpoint: SHARD_END, leaseCounter: 9 }));
    store.leases.set(left.shardId, aLease(left.shardId, { parentShardIds: [parent.shardId] }));

    await syncer([left], store).sync();

    expect(store.leases.has(parent.shardId)).toBe(false);
    expect(store.leases.has(left.shardId)).toBe(true);
  });

  it('keeps a finished lease while its shard is still listed, so the shard is never read again', async () => {
    const store = new RecordingStore();
    const finished = aLease(parent.shardId, {
      checkpoint: SHARD_END,
      leaseCounter: 9,
      childShardIds: [left.shardId, right.shardId],
    });
    store.leases.set(parent.shardId, finished);

    const sync = syncer([parent, left, right], store);
    await sync.sync();
    await sync.sync();

    expect(store.leases.get(parent.shardId)).toBe(finished);
    expect(store.created).not.toContain(parent.shardId);
  });

  it('keeps an unfinished lease even when its shard is no longer listed', async () => {
    const store = new RecordingStore();
    const unfinished = aLease(parent.shardId, {
      leaseOwner: 'w',
      checkpoint: { sequenceNumber: '42', subSequenceNumber: 0 },
    });
    store.leases.set(parent.shardId, unfinished);

    await syncer([], store).sync();

    expect(store.leases.get(parent.shardId)).toBe(unfinished);
  });

  it('leaves a finished lease that changed since it was listed, and goes on with the rest when a delete fails', async () => {
    const changed = aLease(parent.shardId, { checkpoint: SHARD_END, leaseCounter: 9 });
    const throttled = aLease('shardId-000000000007', { checkpoint: SHARD_END });
    const gone = aLease('shardId-000000000008', { checkpoint: SHARD_END });
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (_fields, message) => void warnings.push(message) };
    class Racing extends InMemoryLeaseStore {
      override async listLeases(): Promise<Lease[]> {
        const listed = await super.listLeases();
        this.bump(parent.shardId); // another worker writes on it right after our scan
        return listed;
      }
      override async deleteLease(lease: Lease): Promise<void> {
        if (lease.leaseKey === throttled.leaseKey)
          throw new ThrottledError('delete: ProvisionedThroughputExceededException');
        return super.deleteLease(lease);
      }
    }
    const store = new Racing();
    for (const lease of [changed, throttled, gone]) store.leases.set(lease.leaseKey, lease);

    await expect(syncer([], store, undefined, log).sync()).resolves.toBeUndefined();

    expect(store.leases.get(parent.shardId)?.leaseCounter).toBe(10);
    expect(store.leases.has(throttled.leaseKey)).toBe(true);
    expect(store.leases.has(gone.leaseKey)).toBe(false);
    expect(warnings).toEqual(['could not delete lease of a finished shard']);
  });
});

import { describe, expect, it } from 'vitest';
import type { ShardInfo } from '../src/Lease.js';
import { newLeasesForShards } from '../src/newLeasesForShards.js';

const range = { startingHashKey: '0', endingHashKey: '1' };
const shard = (shardId: string, parents: string[] = [], closed = false): ShardInfo => ({
  shardId,
  parentShardIds: parents,
  hashKeyRange: range,
  ...(closed ? { endingSequenceNumber: '99' } : {}),
});

describe('newLeasesForShards: lineages', () => {
  it('creates one lease per shard, however many children reach the same parent', () => {
    // 0 was split into 1 and 2; 1 and 2 were merged into 3.
    const shards = [shard('0', [], true), shard('1', ['0'], true), shard('2', ['0'], true), shard('3', ['1', '2'])];

    const keys = newLeasesForShards(shards, new Set(), { type: 'TRIM_HORIZON' }).map((lease) => lease.leaseKey);

    expect(keys.sort()).toEqual(['0', '1', '2', '3']);
  });

  it('starts a shard whose parent is no longer listed (trimmed) and has no lease at the initial position', () => {
    const leases = newLeasesForShards([shard('5', ['4'])], new Set(), { type: 'LATEST' });

    expect(leases.map((lease) => [lease.leaseKey, lease.checkpoint.sequenceNumber])).toEqual([['5', 'LATEST']]);
  });
});

import { describe, expect, it } from 'vitest';
import type { InitialPosition, ShardInfo } from '../src/index.js';
import { newLeasesForShards } from '../src/newLeasesForShards.js';

const range = { startingHashKey: '0', endingHashKey: '1' };
const shard = (shardId: string, parents: string[] = [], closed = false): ShardInfo => ({
  shardId,
  parentShardIds: parents,
  hashKeyRange: range,
  ...(closed ? { endingSequenceNumber: '99' } : {}),
});
// 0 and 1 were merged into 2; 2 was split into 3 and 4.
const resharded = [
  shard('0', [], true),
  shard('1', [], true),
  shard('2', ['0', '1'], true),
  shard('3', ['2']),
  shard('4', ['2']),
];
const starts = (position: InitialPosition, existing: string[] = []) =>
  Object.fromEntries(
    newLeasesForShards(resharded, new Set(existing), position).map((lease) => [
      lease.leaseKey,
      lease.checkpoint.sequenceNumber,
    ]),
  );

describe('newLeasesForShards', () => {
  it('TRIM_HORIZON: every shard gets a lease; all start at the beginning', () => {
    expect(starts({ type: 'TRIM_HORIZON' })).toEqual({
      0: 'TRIM_HORIZON',
      1: 'TRIM_HORIZON',
      2: 'TRIM_HORIZON',
      3: 'TRIM_HORIZON',
      4: 'TRIM_HORIZON',
    });
  });

  it('LATEST: closed shards with no leased ancestor get none; open ones start at LATEST', () => {
    expect(starts({ type: 'LATEST' })).toEqual({ 3: 'LATEST', 4: 'LATEST' });
  });

  it('a shard continuing a leased shard starts at TRIM_HORIZON, whatever the initial position', () => {
    expect(starts({ type: 'LATEST' }, ['0', '1', '2'])).toEqual({ 3: 'TRIM_HORIZON', 4: 'TRIM_HORIZON' });
  });

  it('AT_TIMESTAMP applies to the whole lineage at first start', () => {
    expect(Object.values(starts({ type: 'AT_TIMESTAMP', timestamp: new Date(0) }))).toEqual(
      Array(5).fill('AT_TIMESTAMP'),
    );
  });

  it('records each lease’s parents and creates nothing that exists', () => {
    const leases = newLeasesForShards(resharded, new Set(['0', '1', '2', '3']), { type: 'TRIM_HORIZON' });
    expect(leases.map((lease) => [lease.leaseKey, lease.parentShardIds])).toEqual([['4', ['2']]]);
  });
});

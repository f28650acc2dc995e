import { describe, expect, it } from 'vitest';
import { leaseFromItem } from '../src/leaseItem.js';

const minimal = { leaseKey: { S: 'shardId-000000000001' }, leaseCounter: { N: '3' }, checkpoint: { S: '42' } };

describe('lease items: what an item may leave out', () => {
  it('reads a lease item with only the attributes every KCL writes', () => {
    expect(leaseFromItem(minimal)).toEqual({
      leaseKey: 'shardId-000000000001',
      leaseOwner: undefined,
      leaseCounter: 3,
      checkpoint: { sequenceNumber: '42', subSequenceNumber: 0 },
      ownerSwitchesSinceCheckpoint: 0,
      parentShardIds: [],
      childShardIds: [],
      hashKeyRange: undefined,
      applicationState: undefined,
    });
  });

  it('has a hash key range only when both of its ends are there', () => {
    expect(leaseFromItem({ ...minimal, startingHashKey: { S: '0' } }).hashKeyRange).toBeUndefined();
    expect(leaseFromItem({ ...minimal, endingHashKey: { S: '99' } }).hashKeyRange).toBeUndefined();
    expect(leaseFromItem({ ...minimal, startingHashKey: { S: '0' }, endingHashKey: { S: '99' } }).hashKeyRange).toEqual(
      {
        startingHashKey: '0',
        endingHashKey: '99',
      },
    );
  });

  it('has metrics only when both figures are there', () => {
    expect(leaseFromItem({ ...minimal, millisBehindLatest: { N: '20' } }).metrics).toBeUndefined();
    expect(leaseFromItem({ ...minimal, recordsPerSecond: { N: '2.5' } }).metrics).toBeUndefined();
  });
});

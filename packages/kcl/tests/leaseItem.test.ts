import { describe, expect, it } from 'vitest';
import { leaseFromItem, leaseToItem } from '../src/leaseItem.js';
import { aLease } from './helpers/leaseFactory.js';

describe('lease items (Java KCL 2.x schema)', () => {
  it('writes every attribute with the Java KCL’s name and type', () => {
    const item = leaseToItem(
      aLease('shardId-000000000003', {
        leaseOwner: 'worker-a',
        leaseCounter: 42,
        checkpoint: {
          sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
          subSequenceNumber: 7,
        },
        ownerSwitchesSinceCheckpoint: 2,
        parentShardIds: ['shardId-000000000000', 'shardId-000000000001'],
        childShardIds: ['shardId-000000000005'],
        hashKeyRange: { startingHashKey: '0', endingHashKey: '170141183460469231731687303715884105727' },
      }),
    );
    expect(item).toEqual({
      leaseKey: { S: 'shardId-000000000003' },
      leaseOwner: { S: 'worker-a' },
      leaseCounter: { N: '42' },
      checkpoint: { S: '49590338271490256608559692538361571095921575989136588898' },
      checkpointSubSequenceNumber: { N: '7' },
      ownerSwitchesSinceCheckpoint: { N: '2' },
      parentShardId: { SS: ['shardId-000000000000', 'shardId-000000000001'] },
      childShardIds: { SS: ['shardId-000000000005'] },
      startingHashKey: { S: '0' },
      endingHashKey: { S: '170141183460469231731687303715884105727' },
    });
  });

  it('leaves out what DynamoDB cannot store empty: no owner, no parents, no children', () => {
    const item = leaseToItem(aLease('shardId-000000000000', { hashKeyRange: undefined }));
    expect(Object.keys(item).sort()).toEqual([
      'checkpoint',
      'checkpointSubSequenceNumber',
      'leaseCounter',
      'leaseKey',
      'ownerSwitchesSinceCheckpoint',
    ]);
    expect(item.checkpoint).toEqual({ S: 'TRIM_HORIZON' });
  });

  it('reads an item the Java KCL wrote, ignoring attributes it adds that we do not use', () => {
    const lease = leaseFromItem({
      leaseKey: { S: 'shardId-000000000001' },
      leaseOwner: { S: 'java-worker' },
      leaseCounter: { N: '9' },
      checkpoint: { S: 'SHARD_END' },
      checkpointSubSequenceNumber: { N: '0' },
      ownerSwitchesSinceCheckpoint: { N: '1' },
      pendingCheckpoint: { S: '123' },
      throughputKBps: { N: '12.5' },
    });
    expect(lease).toEqual(
      aLease('shardId-000000000001', {
        leaseOwner: 'java-worker',
        leaseCounter: 9,
        checkpoint: { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 },
        ownerSwitchesSinceCheckpoint: 1,
        hashKeyRange: undefined,
      }),
    );
  });

  it('round-trips the processor state we keep beside the checkpoint', () => {
    const lease = aLease('s', { leaseOwner: 'w', applicationState: '{"marks":{"1764151200000":"495903"}}' });
    expect(leaseFromItem(leaseToItem(lease))).toEqual(lease);
  });
});

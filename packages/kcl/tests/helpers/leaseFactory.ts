import type { Lease } from '../../src/index.js';

/** A lease for `shardId`; override any field. */
export function aLease(shardId: string, overrides: Partial<Lease> = {}): Lease {
  return {
    leaseKey: shardId,
    leaseOwner: undefined,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [],
    childShardIds: [],
    hashKeyRange: { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' },
    applicationState: undefined,
    ...overrides,
  };
}

export function shardIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `shardId-${String(index).padStart(12, '0')}`);
}

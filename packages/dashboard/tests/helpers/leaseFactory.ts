import type { Lease } from '@stock-trades/kcl';

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
    hashKeyRange: undefined,
    applicationState: undefined,
    ...overrides,
  };
}

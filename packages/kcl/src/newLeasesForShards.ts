import { Sentinel, sentinel } from './ExtendedSequenceNumber.js';
import type { InitialPosition } from './InitialPosition.js';
import type { Lease, ShardInfo } from './Lease.js';

/**
 * The leases to create for shards that have none, as a pure function of the shard list.
 * A shard continuing a shard that has (or gets) a lease starts at TRIM_HORIZON, so no
 * record is skipped after a reshard; its consumer waits until every parent is finished.
 * A shard with no such parent starts at the initial position, except that with LATEST
 * a closed one gets no lease at all (there is nothing new to read in it).
 */
export function newLeasesForShards(
  shards: readonly ShardInfo[],
  existingLeaseKeys: ReadonlySet<string>,
  initialPosition: InitialPosition,
): Lease[] {
  const byId = new Map(shards.map((shard) => [shard.shardId, shard]));
  const leased = new Map<string, boolean>();
  const created: Lease[] = [];

  const hasLease = (shardId: string, visiting: Set<string>): boolean => {
    if (existingLeaseKeys.has(shardId)) return true;
    const known = leased.get(shardId);
    if (known !== undefined) return known;
    const shard = byId.get(shardId);
    if (!shard || visiting.has(shardId)) return false;
    visiting.add(shardId);
    const continuesLeased = shard.parentShardIds.some((parent) => hasLease(parent, visiting));
    const closed = shard.endingSequenceNumber !== undefined;
    const gets = continuesLeased || !(initialPosition.type === 'LATEST' && closed);
    leased.set(shardId, gets);
    if (gets) {
      const startAt =
        continuesLeased && initialPosition.type !== 'AT_TIMESTAMP' ? Sentinel.TRIM_HORIZON : initialPosition.type;
      created.push({
        leaseKey: shardId,
        leaseOwner: undefined,
        leaseCounter: 0,
        checkpoint: sentinel(startAt),
        ownerSwitchesSinceCheckpoint: 0,
        parentShardIds: shard.parentShardIds,
        childShardIds: [],
        hashKeyRange: shard.hashKeyRange,
        applicationState: undefined,
      });
    }
    return gets;
  };

  for (const shard of shards) hasLease(shard.shardId, new Set());
  return created;
}

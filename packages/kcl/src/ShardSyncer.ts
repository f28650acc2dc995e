import { Sentinel, sentinel } from './ExtendedSequenceNumber.js';
import { LeaseLostError } from './errors.js';
import type { InitialPosition } from './InitialPosition.js';
import type { ShardInfo } from './Lease.js';
import type { LeaseStore } from './LeaseStore.js';
import type { Logger } from './Logger.js';
import { newLeasesForShards } from './newLeasesForShards.js';
import type { StreamPort } from './StreamPort.js';

/** Keeps the lease table in step with the stream's shards. */
export class ShardSyncer {
  constructor(
    private readonly stream: StreamPort,
    private readonly store: LeaseStore,
    private readonly initialPosition: InitialPosition,
    private readonly log: Logger,
  ) {}

  /**
   * Creates leases for shards that have none (see newLeasesForShards), and removes leases
   * of finished shards that Kinesis no longer lists (trimmed past retention). A finished lease
   * whose shard is still listed stays: without it the next sync would create the shard's lease
   * again and read the shard a second time. `justListed`: the shards as the caller just listed them (start-up).
   */
  async sync(justListed?: readonly ShardInfo[]): Promise<void> {
    const [shards, leases] = await Promise.all([justListed ?? this.stream.listShards(), this.store.listLeases()]);
    const existing = new Set(leases.map((lease) => lease.leaseKey));
    for (const lease of newLeasesForShards(shards, existing, this.initialPosition)) {
      if (await this.store.createLeaseIfAbsent(lease)) {
        this.log.info({ leaseKey: lease.leaseKey, checkpoint: lease.checkpoint.sequenceNumber }, 'created lease');
      }
    }
    const listed = new Set(shards.map((shard) => shard.shardId));
    for (const lease of leases) {
      if (listed.has(lease.leaseKey) || lease.checkpoint.sequenceNumber !== Sentinel.SHARD_END) continue;
      try {
        await this.store.deleteLease(lease);
        this.log.info({ leaseKey: lease.leaseKey }, 'deleted lease of a finished shard no longer in the stream');
      } catch (error) {
        // Cleanup only: whatever stopped it, the next sync tries again.
        if (error instanceof LeaseLostError) {
          this.log.debug({ leaseKey: lease.leaseKey }, 'lease changed since it was listed; not deleted');
        } else {
          const reason = error instanceof Error ? error.message : String(error);
          this.log.warn({ leaseKey: lease.leaseKey, error: reason }, 'could not delete lease of a finished shard');
        }
      }
    }
  }

  /** Creates the leases of a closed shard's children at once, instead of at the next sync. */
  async createChildLeases(children: readonly ShardInfo[]): Promise<void> {
    for (const child of children) {
      const created = await this.store.createLeaseIfAbsent({
        leaseKey: child.shardId,
        leaseOwner: undefined,
        leaseCounter: 0,
        checkpoint: sentinel(Sentinel.TRIM_HORIZON),
        ownerSwitchesSinceCheckpoint: 0,
        parentShardIds: child.parentShardIds,
        childShardIds: [],
        hashKeyRange: child.hashKeyRange,
        applicationState: undefined,
      });
      if (created)
        this.log.info({ leaseKey: child.shardId, parents: child.parentShardIds }, 'created lease for child shard');
    }
  }
}

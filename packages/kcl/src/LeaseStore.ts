import type { ExtendedSequenceNumber } from './ExtendedSequenceNumber.js';
import type { Lease, LeaseMetrics, TransitionKind } from './Lease.js';

/** The kinds of take. */
export type TakeKind = Exclude<TransitionKind, 'released'>;

/**
 * The lease table. Every write is conditional on the counter (and owner) of the lease
 * value passed in, increments the counter, and returns the lease as written; a failed
 * condition throws LeaseLostError.
 */
export interface LeaseStore {
  /** Creates the table (on-demand billing) if it does not exist, and waits until it is ACTIVE. */
  ensureTable(): Promise<void>;
  /** Every lease in the table. */
  listLeases(): Promise<Lease[]>;
  /** One lease, read consistently; undefined when there is none. */
  getLease(leaseKey: string): Promise<Lease | undefined>;
  /** Creates the lease unless one with its key exists; true when this call created it. */
  createLeaseIfAbsent(lease: Lease): Promise<boolean>;
  /** Heartbeat of a lease we hold: counter + 1, if owner and counter are still as given; publishes `metrics` if given. */
  renewLease(lease: Lease, metrics?: LeaseMetrics): Promise<Lease>;
  /**
   * Makes `owner` the holder, if counter (and owner) are still as observed; `how` says why
   * it may (recorded on the lease, for watchers): it had no owner, its owner's lease
   * expired, or a live owner's is stolen to balance. Default: judged from the lease.
   */
  takeLease(lease: Lease, owner: string, how?: TakeKind): Promise<Lease>;
  /** Gives the lease up (no owner) so another worker can take it at once. */
  releaseLease(lease: Lease): Promise<Lease>;
  /** Stores a checkpoint (and the processor's state, if given) on a lease we hold. */
  checkpoint(lease: Lease, position: ExtendedSequenceNumber, applicationState?: string): Promise<Lease>;
  /** Records a closed shard's children on its lease (we hold it). */
  setChildShards(lease: Lease, childShardIds: readonly string[]): Promise<Lease>;
  /** Removes a lease whose shard is gone from the stream and fully processed. */
  deleteLease(lease: Lease): Promise<void>;
}

import type { HashKeyRange } from '@stock-trades/kpl';
import type { ExtendedSequenceNumber } from './ExtendedSequenceNumber.js';

/** The range of 128-bit hash keys a shard owns, as decimal strings (Kinesis' own form). */
export type { HashKeyRange };

/**
 * One shard's lease, as stored in the lease table (Java KCL 2.x schema). Immutable:
 * every change is a new value returned by the lease store after a conditional write.
 */
export interface Lease {
  /** The shard id. */
  readonly leaseKey: string;
  /** Worker id of the holder; undefined when nobody holds it (new, or released). */
  readonly leaseOwner: string | undefined;
  /** Incremented by every take, renew, checkpoint and release: the lease's heartbeat. */
  readonly leaseCounter: number;
  readonly checkpoint: ExtendedSequenceNumber;
  readonly ownerSwitchesSinceCheckpoint: number;
  readonly parentShardIds: readonly string[];
  readonly childShardIds: readonly string[];
  readonly hashKeyRange: HashKeyRange | undefined;
  /**
   * Beyond KCL: a small string a record processor stores with its checkpoint, in the same
   * conditional write (attribute `applicationState`; Java KCL's updates leave it alone).
   */
  readonly applicationState: string | undefined;
  /**
   * Beyond KCL: what the holder published with its last renewal, for dashboards
   * (attributes `millisBehindLatest` and `recordsPerSecond`, as KCL 3 adds `throughputKBps`;
   * the Java KCL's updates leave attributes it does not know alone).
   */
  readonly metrics?: LeaseMetrics;
  /**
   * Java KCL 3.x graceful handoff (attribute `checkpointOwner`), read-only for us: while it is set,
   * the worker it names is still draining the shard and `leaseOwner` names the worker that gets it
   * next. See handoffPending (handoff.ts) and docs/kcl3.md.
   */
  readonly checkpointOwner?: string;
  /**
   * Beyond KCL: the last few changes of owner, newest last, as the workers that made them
   * wrote them (attribute `leaseTransitions`, JSON; the Java KCL's updates leave it alone).
   * A watcher reading the table now and then learns from it what happened in between.
   */
  readonly transitions?: readonly LeaseTransition[];
}

/** How a lease changed hands. */
export const TransitionKind = {
  /** Taken while it had no owner (new, or released). */
  TOOK: 'took',
  /** Taken after its owner stopped renewing it for the failover time. */
  TOOK_EXPIRED: 'took-expired',
  /** Taken from a live owner, to balance the leases. */
  STOLE: 'stole',
  /** Given up by its owner (a clean stop, a finished shard). */
  RELEASED: 'released',
} as const;
export type TransitionKind = (typeof TransitionKind)[keyof typeof TransitionKind];

/** Beyond KCL: the last change of a lease's owner, written with it (attribute `lastTransition`), so a reader of the table can tell a take from a steal from a release. */
export interface LeaseTransition {
  readonly kind: TransitionKind;
  /** The worker that made the change. */
  readonly worker: string;
  /** The owner before (takes only); null when there was none. */
  readonly from: string | null;
  /** When, on the writer's wall clock (ms since the epoch). */
  readonly at: number;
  /** The lease counter the change wrote. */
  readonly counter: number;
}

/** A holder's view of its shard, published on the lease with each renewal. */
export interface LeaseMetrics {
  /** How far the holder's reads are behind the tip of the shard (GetRecords' MillisBehindLatest). */
  readonly millisBehindLatest: number;
  /** Records (KPL user records counted one by one) delivered to the processor per second since the last renewal. */
  readonly recordsPerSecond: number;
  /** How many times in a row the processor's call in hand has thrown (0, or absent: none): a stuck shard shows. */
  readonly processingFailures?: number;
}

/** A shard as ListShards (or GetRecords' ChildShards) describes it. */
export interface ShardInfo {
  readonly shardId: string;
  readonly parentShardIds: readonly string[];
  readonly hashKeyRange: HashKeyRange;
  /** Set when the shard is closed (it was split or merged). */
  readonly endingSequenceNumber?: string;
}

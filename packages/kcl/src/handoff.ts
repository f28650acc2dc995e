import type { Lease } from './Lease.js';
import type { ObservedLease } from './LeaseExpiryTracker.js';

/*
 * The Java KCL 3.x graceful lease handoff, as read in awslabs/amazon-kinesis-client v3.5.1:
 *
 * 1. The leader moves a lease from worker A to worker B with one conditional UpdateItem
 *    (DynamoDBLeaseRefresher.initiateGracefulLeaseHandoff): leaseOwner = B, checkpointOwner = A,
 *    on condition leaseOwner = A and no checkpointOwner. The counter is NOT incremented.
 * 2. A keeps renewing (DynamoDBLeaseRenewer.isCheckpointOwner: checkpointOwner = A, leaseOwner ≠ A),
 *    shuts its processor down so that it checkpoints (LeaseGracefulShutdownHandler), then hands
 *    the lease over (attemptLeaseTransfer → assignLease): leaseOwner = B, checkpointOwner removed,
 *    counter + 1.
 * 3. B does not start while checkpointOwner is set (DynamoDBLeaseDiscoverer.fetchLease: "it means
 *    that the lease is still pending shutdown for the last owner"; DynamoDBLeaseRenewer.initialize
 *    skips such leases too).
 * 4. If A never finishes, the lease is freed like any other: once expired (its counter stands still)
 *    or unowned, it may be taken, and a take removes checkpointOwner
 *    (DynamoDBLeaseSerializer.getDynamoTakeLeaseUpdate; Lease.blockedOnPendingCheckpoint; #1765
 *    "Treat expired pending handoff leases as available lease to take").
 *
 * Java treats any checkpointOwner as a pending handoff (Lease.shutdownRequested), whoever it
 * names; checkpointOwner = leaseOwner is a state it refuses to renew. We do the same.
 */

/** True while a KCL 3 graceful handoff of this lease is under way: its checkpointOwner is still draining it. */
export function handoffPending(lease: Pick<Lease, 'checkpointOwner'>): boolean {
  return lease.checkpointOwner !== undefined;
}

/**
 * True when a pending handoff forbids taking (or stealing) the lease now: its draining owner is
 * alive, i.e. the lease is not expired (ObservedLease.expired: unowned, or its counter stood still
 * for the failover time). An expired lease is takeable even in a handoff, as in the Java KCL; our
 * take then removes checkpointOwner.
 */
export function handoffBlocksTake(observed: ObservedLease): boolean {
  return handoffPending(observed.lease) && !observed.expired;
}

import { type Lease, type LeaseTransition, TransitionKind } from '@stock-trades/kcl';
import { type LeaseEvent, LeaseEventKind, type LeaseView } from './types.js';

interface Seen {
  lease: Lease;
  /** Monotonic time the counter last moved (or the lease was first seen). */
  counterAt: number;
  /**
   * Monotonic time the read before the one that first showed this counter began: the counter
   * moved after it (for a lease seen once, the start of that read). The earliest it can have moved.
   */
  changedAfter: number;
  /** Monotonic time the checkpoint last moved; undefined until it does. */
  checkpointAt: number | undefined;
  /** An expiry already reported for this owner and counter. */
  expiryReported: boolean;
}

/**
 * Follows a lease table through snapshots, as a KCL worker does: a lease whose counter
 * has not moved for the failover time on the watcher's own monotonic clock is expired.
 * It tells what happened — took, stole, released, expired, finished — from the workers'
 * own records on the lease (`transitions`: our kcl writes each change of owner with its
 * kind and time), so a release and a re-take between two reads read as released, then
 * took, at the times they happened; and, for leases without them (a Java KCL worker), from
 * the differences between snapshots. Pure: snapshots and times come in.
 *
 * The watcher samples the table, so it learns of a counter's move up to one read interval
 * late, and the taker's clock ran from the move itself. A new owner counts as taking an
 * expired lease when the counter can have stood still for the failover time — from the start
 * of the read before the one that showed it — and as a steal when it cannot: a live holder
 * renews several times per failover time, so the two stay apart while reads come more often
 * than the failover time minus the renew interval.
 */
export class LeaseWatch {
  private readonly seen = new Map<string, Seen>();
  private primed = false;
  private lastReadStartedAt: number | undefined;

  constructor(private readonly failoverMs: number) {}

  /**
   * Takes a snapshot of the table, read between `readStartedAt` and `monotonicNow`; returns
   * the events since the last one.
   */
  observe(
    leases: readonly Lease[],
    monotonicNow: number,
    wallNow: number,
    readStartedAt: number = monotonicNow,
  ): LeaseEvent[] {
    const movedAfter = this.lastReadStartedAt ?? readStartedAt;
    const at = new Date(wallNow).toISOString();
    const events: LeaseEvent[] = [];
    const present = new Set<string>();
    for (const lease of leases) {
      present.add(lease.leaseKey);
      const before = this.seen.get(lease.leaseKey);
      if (!before) {
        // A lease that appears with an owner after the first look was taken in between (when, its record says).
        if (this.primed && lease.leaseOwner !== undefined) {
          const took = lease.transitions?.findLast((transition) => transition.worker === lease.leaseOwner);
          const when = took ? new Date(took.at).toISOString() : at;
          events.push({
            at: when,
            kind: LeaseEventKind.TOOK,
            shardId: lease.leaseKey,
            worker: lease.leaseOwner,
            from: null,
          });
        }
        this.seen.set(lease.leaseKey, {
          lease,
          counterAt: monotonicNow,
          changedAfter: readStartedAt,
          checkpointAt: undefined,
          expiryReported: false,
        });
        continue;
      }
      const event = (kind: LeaseEventKind, worker: string | null, from: string | null, when = at) =>
        events.push({ at: when, kind, shardId: lease.leaseKey, worker, from });
      const previousOwner = before.lease.leaseOwner ?? null;
      const owner = lease.leaseOwner ?? null;
      const finished = lease.checkpoint.sequenceNumber === 'SHARD_END';
      const newlyFinished = finished && before.lease.checkpoint.sequenceNumber !== 'SHARD_END';
      // What the workers wrote since the last read: newer than the counter seen then.
      const fresh = (lease.transitions ?? []).filter((transition) => transition.counter > before.lease.leaseCounter);
      if (fresh.length > 0) {
        let finishedTold = !newlyFinished;
        for (const transition of fresh) {
          const when = new Date(transition.at).toISOString();
          // A finished shard's lease is given back right after SHARD_END is written: finished, then released.
          if (!finishedTold && transition.kind === TransitionKind.RELEASED) {
            event(LeaseEventKind.FINISHED, transition.worker, null, when);
            finishedTold = true;
          }
          this.fromTransition(transition, before, event, when);
        }
        if (!finishedTold) event(LeaseEventKind.FINISHED, owner ?? previousOwner, null);
      } else if (owner !== previousOwner) {
        if (owner === null) event(LeaseEventKind.RELEASED, previousOwner, null);
        else if (previousOwner === null || before.expiryReported) event(LeaseEventKind.TOOK, owner, previousOwner);
        else if (monotonicNow - before.changedAfter > this.failoverMs) {
          event(LeaseEventKind.EXPIRED, previousOwner, null);
          event(LeaseEventKind.TOOK, owner, previousOwner);
        } else event(LeaseEventKind.STOLE, owner, previousOwner);
      }
      if (fresh.length === 0 && newlyFinished) event(LeaseEventKind.FINISHED, owner ?? previousOwner, null);
      const counterMoved = lease.leaseCounter !== before.lease.leaseCounter;
      const checkpointMoved =
        lease.checkpoint.sequenceNumber !== before.lease.checkpoint.sequenceNumber ||
        lease.checkpoint.subSequenceNumber !== before.lease.checkpoint.subSequenceNumber;
      const next: Seen = {
        lease,
        counterAt: counterMoved ? monotonicNow : before.counterAt,
        changedAfter: counterMoved ? movedAfter : before.changedAfter,
        checkpointAt: checkpointMoved ? monotonicNow : before.checkpointAt,
        expiryReported: counterMoved || owner !== previousOwner ? false : before.expiryReported,
      };
      if (owner !== null && !next.expiryReported && !finished && this.expired(next, monotonicNow)) {
        event(LeaseEventKind.EXPIRED, owner, null);
        next.expiryReported = true;
      }
      this.seen.set(lease.leaseKey, next);
    }
    for (const key of [...this.seen.keys()]) if (!present.has(key)) this.seen.delete(key);
    this.primed = true;
    this.lastReadStartedAt = readStartedAt;
    // In the order they happened (a stable sort: what one lease's record says stays in its order).
    return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /** The events one recorded change of owner stands for. */
  private fromTransition(
    transition: LeaseTransition,
    before: Seen,
    event: (kind: LeaseEventKind, worker: string | null, from: string | null, when: string) => void,
    when: string,
  ): void {
    switch (transition.kind) {
      case TransitionKind.TOOK:
        event(LeaseEventKind.TOOK, transition.worker, null, when);
        return;
      case TransitionKind.TOOK_EXPIRED: {
        // Said already if this watcher saw the counter stand still for the failover time itself.
        const told = before.expiryReported && (before.lease.leaseOwner ?? null) === transition.from;
        if (!told) event(LeaseEventKind.EXPIRED, transition.from, null, when);
        event(LeaseEventKind.TOOK, transition.worker, transition.from, when);
        return;
      }
      case TransitionKind.STOLE:
        event(LeaseEventKind.STOLE, transition.worker, transition.from, when);
        return;
      case TransitionKind.RELEASED:
        event(LeaseEventKind.RELEASED, transition.worker, null, when);
        return;
    }
  }

  /** Every lease as the page shows it. */
  views(monotonicNow: number): LeaseView[] {
    return [...this.seen.values()]
      .map(({ lease, counterAt, checkpointAt }) => {
        const finished = lease.checkpoint.sequenceNumber === 'SHARD_END';
        const counterAgeMs = monotonicNow - counterAt;
        const held = lease.leaseOwner !== undefined && !finished;
        const expired = held && counterAgeMs > this.failoverMs;
        // A holder renews several times per failover time: a counter still for half of it is a holder in trouble.
        const stalling = held && !expired && counterAgeMs > this.failoverMs / 2;
        const live = held && !expired;
        return {
          shardId: lease.leaseKey,
          owner: lease.leaseOwner ?? null,
          counter: lease.leaseCounter,
          checkpoint: lease.checkpoint.sequenceNumber,
          checkpointAgeMs: checkpointAt === undefined ? null : monotonicNow - checkpointAt,
          counterAgeMs,
          expired,
          expiresInMs: stalling ? this.failoverMs - counterAgeMs : null,
          finished,
          millisBehindLatest: live ? (lease.metrics?.millisBehindLatest ?? null) : null,
          recordsPerSecond: live ? (lease.metrics?.recordsPerSecond ?? null) : null,
          processingFailures: live ? (lease.metrics?.processingFailures ?? 0) : 0,
        };
      })
      .sort((a, b) => (a.shardId < b.shardId ? -1 : 1));
  }

  private expired(seen: Seen, monotonicNow: number): boolean {
    return monotonicNow - seen.counterAt > this.failoverMs;
  }
}

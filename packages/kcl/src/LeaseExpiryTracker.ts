import type { Lease } from './Lease.js';

export interface ObservedLease {
  readonly lease: Lease;
  /** Nobody holds it, or its counter has not moved for longer than the failover time. */
  readonly expired: boolean;
}

interface Sighting {
  readonly counter: number;
  readonly owner: string | undefined;
  /** Monotonic time at which this worker first saw this counter value. */
  readonly since: number;
}

/**
 * Judges lease expiry the way the Java KCL does, on this worker's own monotonic clock:
 * a lease is expired when its counter has not changed for `failoverMs` since we first
 * saw its current value. No clock is compared across machines. A lease nobody holds
 * is expired at once; an owned lease seen for the first time gets the full failover time.
 */
export class LeaseExpiryTracker {
  private readonly sightings = new Map<string, Sighting>();

  constructor(private readonly failoverMs: number) {}

  observe(leases: readonly Lease[], now: number): ObservedLease[] {
    const present = new Set<string>();
    const observed = leases.map((lease) => {
      present.add(lease.leaseKey);
      const previous = this.sightings.get(lease.leaseKey);
      const unchanged = previous && previous.counter === lease.leaseCounter && previous.owner === lease.leaseOwner;
      const since = unchanged ? previous.since : now;
      this.sightings.set(lease.leaseKey, { counter: lease.leaseCounter, owner: lease.leaseOwner, since });
      const expired = lease.leaseOwner === undefined || now - since > this.failoverMs;
      return { lease, expired };
    });
    for (const key of this.sightings.keys()) if (!present.has(key)) this.sightings.delete(key);
    return observed;
  }
}

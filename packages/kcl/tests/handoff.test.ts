import { describe, expect, it } from 'vitest';
import { chooseLeasesToTake } from '../src/chooseLeasesToTake.js';
import { handoffBlocksTake, handoffPending } from '../src/handoff.js';
import type { Lease } from '../src/index.js';
import { LeaseExpiryTracker } from '../src/LeaseExpiryTracker.js';
import { aLease } from './helpers/leaseFactory.js';

const policy = { maxLeasesForWorker: Number.POSITIVE_INFINITY, maxLeasesToStealAtOneTime: 1, allowSteal: true };
const first = () => 0;

/** What a KCL 3 leader's initiateGracefulLeaseHandoff leaves: next owner in leaseOwner, draining one in checkpointOwner. */
function inHandoff(leaseKey: string, from: string, to: string, leaseCounter = 5): Lease {
  return aLease(leaseKey, { leaseOwner: to, checkpointOwner: from, leaseCounter });
}

describe('KCL 3 graceful handoff', () => {
  it('is pending while checkpointOwner is set, whoever it names', () => {
    expect(handoffPending(aLease('a', { leaseOwner: 'b' }))).toBe(false);
    expect(handoffPending(inHandoff('a', 'java-a', 'java-b'))).toBe(true);
    expect(handoffPending(aLease('a', { leaseOwner: 'me', checkpointOwner: 'me' }))).toBe(true);
  });

  it('blocks taking a lease in handoff while its draining owner is alive, not once it has expired', () => {
    const lease = inHandoff('a', 'java-a', 'java-b');
    expect(handoffBlocksTake({ lease, expired: false })).toBe(true);
    expect(handoffBlocksTake({ lease, expired: true })).toBe(false);
    expect(handoffBlocksTake({ lease: aLease('a', { leaseOwner: 'x' }), expired: false })).toBe(false);
  });

  it('is never stolen from a loaded worker, even when that is the only lease to steal', () => {
    const leases = [
      inHandoff('a', 'java-a', 'java-b'),
      inHandoff('b', 'java-a', 'java-b'),
      inHandoff('c', 'java-a', 'java-b'),
      aLease('d', { leaseOwner: 'java-c' }),
    ];
    const decision = chooseLeasesToTake(
      leases.map((lease) => ({ lease, expired: false })),
      'me',
      policy,
      first,
    );
    expect(decision.take).toEqual([]);
    expect(decision.steal).toEqual([]);
  });

  it('steals another lease of the loaded worker instead of one in handoff', () => {
    const leases = [
      inHandoff('a', 'java-a', 'busy'),
      inHandoff('b', 'java-a', 'busy'),
      aLease('c', { leaseOwner: 'busy' }),
      aLease('d', { leaseOwner: 'busy' }),
    ];
    const decision = chooseLeasesToTake(
      leases.map((lease) => ({ lease, expired: false })),
      'me',
      policy,
      first,
    );
    expect(decision.steal).toHaveLength(1);
    expect(['c', 'd']).toContain(decision.steal[0]?.leaseKey);
  });

  it('is taken once its draining owner stops renewing it for the failover time (the handoff died)', () => {
    const tracker = new LeaseExpiryTracker(10_000);
    const owned = aLease('a', { leaseOwner: 'java-a', leaseCounter: 5 });
    const handoff = inHandoff('a', 'java-a', 'java-b', 5);
    const choose = (lease: Lease, now: number) =>
      chooseLeasesToTake(tracker.observe([lease], now), 'me', policy, first);

    expect(choose(owned, 0)).toMatchObject({ take: [], steal: [] }); // java-a's, live
    // The handoff changes the owner but not the counter: the failover wait starts again.
    expect(choose(handoff, 9_000)).toMatchObject({ take: [], steal: [] });
    expect(choose(handoff, 19_000)).toMatchObject({ take: [], steal: [] });
    // The draining owner renews while it checkpoints: still not takeable.
    const renewed = { ...handoff, leaseCounter: 6 };
    expect(choose(renewed, 25_000)).toMatchObject({ take: [], steal: [] });
    // It stops renewing (died mid-handoff): after the failover time, the lease is taken.
    expect(choose(renewed, 35_001).take.map((lease) => lease.leaseKey)).toEqual(['a']);
  });

  it('counts a lease in handoff for its next owner when working out the target', () => {
    const leases = [inHandoff('a', 'java-a', 'java-b'), aLease('b', { leaseOwner: 'me' })];
    const decision = chooseLeasesToTake(
      leases.map((lease) => ({ lease, expired: false })),
      'me',
      policy,
      first,
    );
    expect(decision.target).toBe(1);
    expect(decision.steal).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { chooseLeasesToTake } from '../src/chooseLeasesToTake.js';
import type { Lease } from '../src/index.js';
import { LeaseExpiryTracker, type ObservedLease } from '../src/LeaseExpiryTracker.js';
import { aLease, shardIds } from './helpers/leaseFactory.js';

const policy = { maxLeasesForWorker: Number.POSITIVE_INFINITY, maxLeasesToStealAtOneTime: 1, allowSteal: true };
const seeded = (seed: number) => () => {
  seed = (seed * 16807) % 2147483647;
  return (seed - 1) / 2147483646;
};

function live(leases: Lease[]): ObservedLease[] {
  return leases.map((lease) => ({ lease, expired: lease.leaseOwner === undefined }));
}

/** Lease-taking rounds for several workers on one table until nobody takes anything. */
function simulate(workers: string[], shardCount: number, rounds = 50) {
  let table = shardIds(shardCount).map((shardId) => aLease(shardId));
  const random = seeded(7);
  const stealsPerRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let changed = false;
    let steals = 0;
    for (const worker of workers) {
      const decision = chooseLeasesToTake(live(table), worker, policy, random);
      expect(decision.steal.length).toBeLessThanOrEqual(1);
      steals += decision.steal.length;
      for (const lease of [...decision.take, ...decision.steal]) {
        table = table.map((entry) =>
          entry.leaseKey === lease.leaseKey
            ? { ...entry, leaseOwner: worker, leaseCounter: entry.leaseCounter + 1 }
            : entry,
        );
        changed = true;
      }
    }
    stealsPerRound.push(steals);
    if (!changed) break;
  }
  const counts = new Map(
    workers.map((worker) => [worker, table.filter((lease) => lease.leaseOwner === worker).length]),
  );
  return { table, counts, stealsPerRound };
}

describe('chooseLeasesToTake', () => {
  it.each([
    [1, 4],
    [2, 4],
    [3, 4],
    [4, 4],
    [3, 10],
    [5, 8],
  ])('balances %i workers over %i leases to within one of each other, every lease held', (workerCount, shards) => {
    const workers = Array.from({ length: workerCount }, (_, index) => `worker-${index}`);
    const { table, counts } = simulate(workers, shards);
    expect(table.every((lease) => lease.leaseOwner !== undefined)).toBe(true);
    const values = [...counts.values()];
    expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
    expect(Math.max(...values)).toBeLessThanOrEqual(Math.ceil(shards / workerCount));
  });

  it('takes expired and unowned leases before stealing from a live worker', () => {
    const leases = [
      aLease('a', { leaseOwner: 'busy' }),
      aLease('b', { leaseOwner: 'busy' }),
      aLease('c', { leaseOwner: 'busy' }),
      aLease('d', { leaseOwner: 'dead' }),
    ];
    const observed = leases.map((lease) => ({ lease, expired: lease.leaseOwner === 'dead' }));
    const decision = chooseLeasesToTake(observed, 'me', policy, seeded(1));
    expect(decision.take.map((lease) => lease.leaseKey)).toEqual(['d']);
    expect(decision.steal).toEqual([]);
  });

  it('steals one lease at a time from the most loaded worker', () => {
    const leases = [
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((key) => aLease(key, { leaseOwner: 'big' })),
      ...['g', 'h'].map((key) => aLease(key, { leaseOwner: 'small' })),
    ];
    const decision = chooseLeasesToTake(live(leases), 'me', policy, seeded(3));
    expect(decision.target).toBe(3);
    expect(decision.take).toEqual([]);
    expect(decision.steal).toHaveLength(1);
    expect(decision.steal[0]?.leaseOwner).toBe('big');
  });

  it('does not steal between two workers one lease apart (no thrash)', () => {
    const leases = [
      aLease('a', { leaseOwner: 'other' }),
      aLease('b', { leaseOwner: 'other' }),
      aLease('c', { leaseOwner: 'me' }),
    ];
    expect(chooseLeasesToTake(live(leases), 'me', policy, seeded(1)).steal).toEqual([]);
    // And in a long run, two workers over an odd number of leases settle and stay settled.
    const { stealsPerRound } = simulate(['x', 'y'], 5, 20);
    expect(stealsPerRound.at(-1)).toBe(0);
  });

  it('does not steal outside a balancing round, and respects the per-worker cap', () => {
    const leases = ['a', 'b', 'c', 'd'].map((key) => aLease(key, { leaseOwner: 'other' }));
    expect(chooseLeasesToTake(live(leases), 'me', { ...policy, allowSteal: false }, seeded(1)).steal).toEqual([]);
    const free = ['a', 'b', 'c', 'd'].map((key) => aLease(key));
    expect(chooseLeasesToTake(live(free), 'me', { ...policy, maxLeasesForWorker: 2 }, seeded(1)).take).toHaveLength(2);
  });

  it('takes a lease nobody holds even when the observation does not call it expired', () => {
    // An unowned lease is free whatever the tracker said; counted as a worker's, it would only ever be stolen.
    const free = aLease('free');
    const decision = chooseLeasesToTake(
      [
        { lease: free, expired: false },
        { lease: aLease('other-1', { leaseOwner: 'other' }), expired: false },
      ],
      'me',
      { ...policy, allowSteal: false },
      seeded(1),
    );
    expect(decision.take.map((lease) => lease.leaseKey)).toEqual(['free']);
  });

  it('leaves finished shards (SHARD_END) out of taking and of the balance', () => {
    const done = { sequenceNumber: 'SHARD_END', subSequenceNumber: 0 };
    const leases = [aLease('parent', { checkpoint: done }), aLease('child-1'), aLease('child-2')];
    const decision = chooseLeasesToTake(live(leases), 'me', policy, seeded(1));
    expect(decision.take.map((lease) => lease.leaseKey).sort()).toEqual(['child-1', 'child-2']);
  });
});

describe('LeaseExpiryTracker', () => {
  it('expires an owned lease only after its counter stood still for the failover time, on our own clock', () => {
    const tracker = new LeaseExpiryTracker(10_000);
    const lease = aLease('a', { leaseOwner: 'other', leaseCounter: 5 });
    expect(tracker.observe([lease], 0)[0]?.expired).toBe(false);
    expect(tracker.observe([lease], 10_000)[0]?.expired).toBe(false);
    expect(tracker.observe([lease], 10_001)[0]?.expired).toBe(true);
  });

  it('restarts the wait whenever the counter moves', () => {
    const tracker = new LeaseExpiryTracker(10_000);
    tracker.observe([aLease('a', { leaseOwner: 'other', leaseCounter: 5 })], 0);
    expect(tracker.observe([aLease('a', { leaseOwner: 'other', leaseCounter: 6 })], 9_000)[0]?.expired).toBe(false);
    expect(tracker.observe([aLease('a', { leaseOwner: 'other', leaseCounter: 6 })], 18_000)[0]?.expired).toBe(false);
    expect(tracker.observe([aLease('a', { leaseOwner: 'other', leaseCounter: 6 })], 19_001)[0]?.expired).toBe(true);
  });

  it('treats a lease nobody holds as expired at once', () => {
    expect(new LeaseExpiryTracker(10_000).observe([aLease('a')], 0)[0]?.expired).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { chooseLeasesToTake, type TakePolicy } from '../src/chooseLeasesToTake.js';
import type { Lease } from '../src/Lease.js';
import type { ObservedLease } from '../src/LeaseExpiryTracker.js';
import { aLease } from './helpers/leaseFactory.js';

const policy: TakePolicy = {
  maxLeasesForWorker: Number.POSITIVE_INFINITY,
  maxLeasesToStealAtOneTime: 1,
  allowSteal: true,
};
const seeded = (seed: number) => () => {
  seed = (seed * 16807) % 2147483647;
  return (seed - 1) / 2147483646;
};

/** Leases held by live workers, `counts` in the order given; unowned leases are expired. */
function held(counts: Array<[owner: string | undefined, count: number]>): ObservedLease[] {
  const leases: Lease[] = [];
  for (const [owner, count] of counts) {
    for (let index = 0; index < count; index++)
      leases.push(aLease(`${owner ?? 'free'}-${index}`, { leaseOwner: owner }));
  }
  return leases.map((lease) => ({ lease, expired: lease.leaseOwner === undefined }));
}

describe('chooseLeasesToTake: balancing', () => {
  it('takes no free lease once it holds more than its share', () => {
    const decision = chooseLeasesToTake(
      held([
        ['me', 5],
        ['other', 1],
        [undefined, 2],
      ]),
      'me',
      policy,
      seeded(1),
    );
    expect(decision).toMatchObject({ take: [], steal: [], target: 4 });
  });

  it('neither takes nor steals outside a balancing round when nothing is free', () => {
    const decision = chooseLeasesToTake(held([['other', 4]]), 'me', { ...policy, allowSteal: false }, seeded(1));
    expect(decision).toMatchObject({ take: [], steal: [] });
  });

  it('when two or more short, steals one from a worker at the target: the first by name among the most loaded', () => {
    const decision = chooseLeasesToTake(
      held([
        ['w-b', 3],
        ['w-a', 3],
        ['w-c', 3],
      ]),
      'me',
      policy,
      seeded(1),
    );
    expect(decision.target).toBe(3);
    expect(decision.steal.map((lease) => lease.leaseOwner)).toEqual(['w-a']);
  });

  it('steals from the most loaded worker, not from one that merely comes first by name', () => {
    const decision = chooseLeasesToTake(
      held([
        ['w-z', 4],
        ['w-a', 1],
      ]),
      'me',
      policy,
      seeded(1),
    );
    expect(decision.target).toBe(2); // five leases, three workers (itself too)
    expect(decision.steal.map((lease) => lease.leaseOwner)).toEqual(['w-z']);
  });

  it('steals only what the most loaded worker holds above the target, even when allowed to steal more at once', () => {
    const decision = chooseLeasesToTake(
      held([
        ['big', 3],
        ['small', 3],
      ]),
      'me',
      { ...policy, maxLeasesToStealAtOneTime: 5 },
      seeded(1),
    );
    expect(decision.target).toBe(2);
    expect(decision.steal).toHaveLength(1);
  });

  it('takes each free lease first equally often, by the randomness it is given', () => {
    const random = seeded(42);
    const firsts = new Map<string, number>();
    for (let draw = 0; draw < 3_000; draw++) {
      const [first] = chooseLeasesToTake(
        held([[undefined, 3]]),
        'me',
        { ...policy, maxLeasesForWorker: 1 },
        random,
      ).take;
      if (first) firsts.set(first.leaseKey, (firsts.get(first.leaseKey) ?? 0) + 1);
    }
    expect([...firsts.keys()].sort()).toEqual(['free-0', 'free-1', 'free-2']);
    for (const count of firsts.values()) expect(count).toBeGreaterThan(900);
  });
});

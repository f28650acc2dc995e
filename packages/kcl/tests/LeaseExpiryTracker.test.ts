import { describe, expect, it } from 'vitest';
import { LeaseExpiryTracker } from '../src/LeaseExpiryTracker.js';
import { aLease } from './helpers/leaseFactory.js';

describe('LeaseExpiryTracker: leases that leave the table', () => {
  it('forgets a lease gone from the table, so one created again with the same key gets the full failover time', () => {
    const tracker = new LeaseExpiryTracker(10_000);
    const lease = aLease('a', { leaseOwner: 'other', leaseCounter: 5 });
    tracker.observe([lease], 0);
    tracker.observe([], 5_000); // deleted

    const [again] = tracker.observe([lease], 20_000);

    expect(again?.expired).toBe(false);
  });
});

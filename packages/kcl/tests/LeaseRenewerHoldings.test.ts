import { describe, expect, it } from 'vitest';
import { DependencyError, LeaseLostError } from '../src/errors.js';
import type { Lease } from '../src/Lease.js';
import { LeaseRenewer } from '../src/LeaseRenewer.js';
import { silentLogger } from '../src/Logger.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';

const at = (sequenceNumber: string) => ({ sequenceNumber, subSequenceNumber: 0 });

function setup(store = new InMemoryLeaseStore()) {
  const clock = new FakeClock();
  const lost: string[] = [];
  const renewer = new LeaseRenewer({
    store,
    clock,
    log: silentLogger,
    failoverMs: 10_000,
    onLeaseLost: (leaseKey) => lost.push(leaseKey),
  });
  const lease = aLease('a', { leaseOwner: 'me', leaseCounter: 3 });
  store.leases.set('a', lease);
  const generation = renewer.add(lease);
  return { store, clock, lost, renewer, generation };
}

describe('LeaseRenewer: holdings', () => {
  it('lists the leases it holds, and knows no lease it does not hold', () => {
    const { renewer } = setup();
    expect(renewer.keys()).toEqual(['a']);
    expect(renewer.current('b')).toBeUndefined();
  });

  it('counts a lease as fresh only for its current holding', () => {
    const { store, renewer, generation } = setup();
    renewer.forget('a');
    const second = renewer.add(store.bump('a', { leaseOwner: 'me' }));

    expect(renewer.isFresh('a', generation)).toBe(false);
    expect(renewer.isFresh('a', second)).toBe(true);
    expect(renewer.isFresh('a')).toBe(true);
  });

  it('forgets only the holding it is told to, leaving a newer one alone', () => {
    const { store, renewer, generation } = setup();
    renewer.forget('a', generation);
    expect(renewer.has('a')).toBe(false);
    const second = renewer.add(store.bump('a', { leaseOwner: 'me' }));

    renewer.forget('a', generation);
    expect(renewer.has('a')).toBe(true);
    renewer.forget('a', second);
    expect(renewer.has('a')).toBe(false);
  });

  it('forgets a holding of a lease it no longer holds as a no-op (a late clean-up after the lease went)', () => {
    const { renewer, generation } = setup();
    renewer.forget('a');

    expect(() => renewer.forget('a', generation)).not.toThrow();
    expect(() => renewer.forget('never-held', 1)).not.toThrow();
    expect(renewer.keys()).toEqual([]);
  });
});

describe('LeaseRenewer: writes', () => {
  it('refuses to write on a lease not renewed for the failover time, and gives it up', async () => {
    const { store, clock, lost, renewer } = setup();
    clock.advance(10_000);

    const write = renewer.update('a', (lease) => store.checkpoint(lease, at('5')));

    await expect(write).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.leases.get('a')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
    expect(lost).toEqual(['a']);
  });

  it('gives a lease up once its renewals have been failing for the failover time', async () => {
    class Failing extends InMemoryLeaseStore {
      override async renewLease(): Promise<Lease> {
        throw new DependencyError('renew lease a failed: InternalServerError');
      }
    }
    const { clock, lost, renewer } = setup(new Failing());

    await renewer.renewAll(() => true);
    expect(lost).toEqual([]);
    clock.advance(10_000);
    await renewer.renewAll(() => true);

    expect(lost).toEqual(['a']);
    expect(renewer.has('a')).toBe(false);
  });

  it('a write of an earlier holding that finds the lease lost leaves the current holding alone', async () => {
    let answer: (lease: Lease) => void = () => {};
    let inFlight = false;
    const { store, lost, renewer } = setup();
    const stale = renewer.update('a', () => {
      inFlight = true;
      return new Promise<Lease>((resolve) => {
        answer = resolve;
      }).then(() => {
        throw new LeaseLostError('a');
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(inFlight).toBe(true); // sent, not just queued
    // While that write hangs, the holding ends and the lease is held again.
    renewer.forget('a');
    renewer.add(store.bump('a', { leaseOwner: 'me' }));

    answer(aLease('a'));

    await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
    expect(renewer.has('a')).toBe(true);
    expect(lost).toEqual([]);
  });
});

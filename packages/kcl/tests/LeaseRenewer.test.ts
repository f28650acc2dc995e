import { describe, expect, it } from 'vitest';
import { LeaseLostError, LeaseRenewer, silentLogger } from '../src/index.js';
import { FakeClock } from './helpers/FakeClock.js';
import { InMemoryLeaseStore } from './helpers/InMemoryLeaseStore.js';
import { aLease } from './helpers/leaseFactory.js';

function setup() {
  const store = new InMemoryLeaseStore();
  const clock = new FakeClock();
  const lost: string[] = [];
  const renewer = new LeaseRenewer({
    store,
    clock,
    log: silentLogger,
    failoverMs: 10_000,
    onLeaseLost: (key) => lost.push(key),
  });
  const lease = aLease('a', { leaseOwner: 'me', leaseCounter: 3 });
  store.leases.set('a', lease);
  renewer.add(lease);
  return { store, clock, lost, renewer };
}

describe('LeaseRenewer', () => {
  it('renews by incrementing the counter, conditional on the counter it last wrote', async () => {
    const { store, renewer } = setup();
    await renewer.renewAll(() => true);
    await renewer.renewAll(() => true);
    expect(store.leases.get('a')?.leaseCounter).toBe(5);
    expect(renewer.current('a')?.leaseCounter).toBe(5);
  });

  it('refuses a write from a processor of an earlier holding, once the lease is held again', async () => {
    const { store, renewer } = setup();
    const first = renewer.generationOf('a');
    renewer.forget('a'); // lost (not renewed in time) ...
    const again = store.bump('a', { leaseOwner: 'me' });
    const second = renewer.add(again); // ... and taken back by this worker
    const stale = renewer.update(
      'a',
      (lease) => store.checkpoint(lease, { sequenceNumber: '9', subSequenceNumber: 0 }),
      first,
    );
    await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
    expect(store.leases.get('a')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
    const current = renewer.update(
      'a',
      (lease) => store.checkpoint(lease, { sequenceNumber: '9', subSequenceNumber: 0 }),
      second,
    );
    await expect(current).resolves.toMatchObject({ checkpoint: { sequenceNumber: '9' } });
  });

  it('publishes what the holder reports on the lease with each renewal', async () => {
    const { store, renewer } = setup();
    await renewer.renewAll(
      () => true,
      (leaseKey) => (leaseKey === 'a' ? { millisBehindLatest: 250, recordsPerSecond: 40 } : undefined),
    );
    expect(store.leases.get('a')).toMatchObject({
      leaseCounter: 4,
      metrics: { millisBehindLatest: 250, recordsPerSecond: 40 },
    });
  });

  it('finds out at the next renewal that another worker took the lease, and says so once', async () => {
    const { store, lost, renewer } = setup();
    store.bump('a', { leaseOwner: 'thief' });
    await renewer.renewAll(() => true);
    await renewer.renewAll(() => true);
    expect(lost).toEqual(['a']);
    expect(renewer.has('a')).toBe(false);
  });

  it('does not renew a lease whose reader stalled, and gives it up after the failover time', async () => {
    const { store, clock, lost, renewer } = setup();
    await renewer.renewAll(() => false);
    expect(store.leases.get('a')?.leaseCounter).toBe(3);
    clock.advance(10_001);
    await renewer.renewAll(() => false);
    expect(lost).toEqual(['a']);
  });

  it('serializes a checkpoint and a renewal on the same lease so neither writes a stale counter', async () => {
    const { store, renewer } = setup();
    await Promise.all([
      renewer.update('a', (lease) => store.checkpoint(lease, { sequenceNumber: '10', subSequenceNumber: 0 })),
      renewer.renewAll(() => true),
      renewer.update('a', (lease) => store.checkpoint(lease, { sequenceNumber: '11', subSequenceNumber: 2 })),
    ]);
    expect(store.leases.get('a')).toMatchObject({
      leaseCounter: 6,
      checkpoint: { sequenceNumber: '11', subSequenceNumber: 2 },
    });
  });

  it('rejects writes on a lease it does not hold', async () => {
    const { renewer } = setup();
    await expect(renewer.update('zzz', async (lease) => lease)).rejects.toBeInstanceOf(LeaseLostError);
  });

  it('releases with a conditional write that leaves the lease ownerless', async () => {
    const { store, renewer } = setup();
    await renewer.release('a');
    expect(store.leases.get('a')).toMatchObject({ leaseOwner: undefined, leaseCounter: 4 });
    expect(renewer.has('a')).toBe(false);
  });
});

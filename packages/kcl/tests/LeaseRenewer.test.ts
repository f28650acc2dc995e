import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeaseLostError, type LeaseStore, silentLogger } from '../src/index.js';
import { LeaseExpiryTracker } from '../src/LeaseExpiryTracker.js';
import { LeaseRenewer } from '../src/LeaseRenewer.js';
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

describe('LeaseRenewer: a lease it cannot renew is given up before any other worker can take it', () => {
  const step = fc.oneof(
    fc.record({
      kind: fc.constant('renew' as const),
      toStoreMs: fc.integer({ min: 0, max: 6_000 }),
      backMs: fc.integer({ min: 0, max: 6_000 }),
      fails: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 8_000 }) }),
    fc.record({ kind: fc.constant('look' as const) }),
  );

  it('never holds a lease as its own while another worker, watching the table, judges it expired', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const store = new InMemoryLeaseStore();
        const clock = new FakeClock();
        const lease = aLease('a', { leaseOwner: 'me', leaseCounter: 1 });
        store.leases.set('a', lease);
        // The take went out at this instant; the other worker first looks at the table right after it landed.
        const renewer = new LeaseRenewer({
          store,
          clock,
          log: silentLogger,
          failoverMs: 10_000,
          onLeaseLost: () => {},
        });
        renewer.add(lease, clock.monotonicNow());
        const other = new LeaseExpiryTracker(10_000);
        const look = async () => {
          const [seen] = other.observe(await store.listLeases(), clock.monotonicNow());
          if (seen?.expired) expect(renewer.isFresh('a')).toBe(false);
        };
        await look();
        // The store answers after a while; a renewal lands on the table in between (or not at all, when it fails).
        const slowStore = (toStoreMs: number, backMs: number, fails: boolean): LeaseStore['renewLease'] => {
          return async (held, metrics) => {
            clock.advance(toStoreMs);
            await look();
            if (fails) throw new Error('internal server error');
            const written = await store.renewLease(held, metrics);
            await look();
            clock.advance(backMs);
            await look();
            return written;
          };
        };
        for (const next of steps) {
          if (next.kind === 'wait') clock.advance(next.ms);
          else if (next.kind === 'renew') {
            const renewLease = slowStore(next.toStoreMs, next.backMs, next.fails);
            await renewer.update('a', (held) => renewLease(held, undefined)).catch(() => undefined);
          }
          await look();
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  });
});

import { describe, expect, it } from 'vitest';
import type { LeaseTransition } from '../src/Lease.js';
import { isLeaseItem, leaseFromItem, leaseToItem, TRANSITIONS_KEPT } from '../src/leaseItem.js';
import { aLease } from './helpers/leaseFactory.js';

const minimal = { leaseKey: { S: 'shardId-000000000001' }, leaseCounter: { N: '3' }, checkpoint: { S: '42' } };
const took: LeaseTransition = { kind: 'took', worker: 'w-1', from: null, at: 1_700_000_000_000, counter: 2 };
const stole: LeaseTransition = { kind: 'stole', worker: 'w-2', from: 'w-1', at: 1_700_000_060_000, counter: 9 };

/** The item with `leaseTransitions` written as the given JSON text. */
const withTransitionsText = (text: string) => ({ ...minimal, leaseTransitions: { S: text } });

/**
 * The `leaseTransitions` attribute is ours, beside the Java KCL's schema: written only when there is one, and read
 * back only when every entry is one we could have written. A table is shared (other workers, other KCLs, a hand
 * edit), so a reader of it — the dashboard — must never be shown an entry it would misread.
 */
describe('lease items: the owner changes kept beside the lease', () => {
  it('writes the transitions when there are some, and reads them back as they were', () => {
    const item = leaseToItem(aLease('shardId-000000000001', { transitions: [took, stole] }));
    expect(JSON.parse(item.leaseTransitions?.S ?? 'null')).toEqual([took, stole]);
    expect(leaseFromItem(item).transitions).toEqual([took, stole]);
    expect(leaseToItem(aLease('shardId-000000000001', { transitions: [] })).leaseTransitions).toBeUndefined();
  });

  it('reads an item without the attribute as one without transitions', () => {
    expect(leaseFromItem(minimal)).not.toHaveProperty('transitions');
  });

  it(`reads up to ${TRANSITIONS_KEPT} and refuses more`, () => {
    const kept = Array.from({ length: TRANSITIONS_KEPT }, (_, index) => ({ ...took, counter: index }));
    expect(leaseFromItem(withTransitionsText(JSON.stringify(kept))).transitions).toHaveLength(TRANSITIONS_KEPT);
    const tooMany = [...kept, took];
    expect(leaseFromItem(withTransitionsText(JSON.stringify(tooMany)))).not.toHaveProperty('transitions');
  });

  it.each([
    ['text that is not JSON', '[{"kind":'],
    ['JSON that is not a list', JSON.stringify(took)],
    ['a null entry', JSON.stringify([took, null])],
    ['an entry that is not an object', JSON.stringify([took, 'stole'])],
    ['an unknown kind', JSON.stringify([{ ...took, kind: 'borrowed' }])],
    ['a worker that is not text', JSON.stringify([{ ...took, worker: 7 }])],
    ['a missing worker', JSON.stringify([{ kind: 'took', from: null, at: 1, counter: 1 }])],
    ['a previous owner that is neither text nor null', JSON.stringify([{ ...stole, from: 3 }])],
    ['a missing previous owner', JSON.stringify([{ kind: 'took', worker: 'w', at: 1, counter: 1 }])],
    ['a time that is not a whole number', JSON.stringify([{ ...took, at: 1.5 }])],
    ['a counter that is not a number', JSON.stringify([{ ...took, counter: '2' }])],
  ])('leaves out transitions with %s, and still reads the lease', (_, text) => {
    const lease = leaseFromItem(withTransitionsText(text));
    expect(lease).not.toHaveProperty('transitions');
    expect(lease.leaseKey).toBe('shardId-000000000001');
    expect(lease.checkpoint).toEqual({ sequenceNumber: '42', subSequenceNumber: 0 });
  });

  it('reads each kind a worker writes, and an owner before as text or null', () => {
    const kinds = ['took', 'took-expired', 'stole', 'released'] as const;
    const entries = kinds.map((kind, index) => ({ ...took, kind, from: index % 2 === 0 ? null : 'w-0' }));
    expect(leaseFromItem(withTransitionsText(JSON.stringify(entries))).transitions).toEqual(entries);
  });
});

describe('lease items: what is a lease', () => {
  it('is an item with the three attributes every KCL writes', () => {
    expect(isLeaseItem(minimal)).toBe(true);
    expect(isLeaseItem({ ...minimal, entityType: { S: 'LEASE' } })).toBe(true);
  });

  it.each([
    ['no leaseKey', { leaseCounter: minimal.leaseCounter, checkpoint: minimal.checkpoint }],
    ['a leaseKey that is not text', { ...minimal, leaseKey: { N: '1' } }],
    ['no leaseCounter', { leaseKey: minimal.leaseKey, checkpoint: minimal.checkpoint }],
    ['a leaseCounter that is not a number', { ...minimal, leaseCounter: { N: 'many' } }],
    ['no checkpoint', { leaseKey: minimal.leaseKey, leaseCounter: minimal.leaseCounter }],
    ['a Java KCL 3 worker-metrics item', { ...minimal, entityType: { S: 'WORKER_METRIC_STATS' } }],
  ])('is not an item with %s', (_, item) => {
    expect(isLeaseItem(item)).toBe(false);
  });
});

describe('lease items: processing failures beside the metrics', () => {
  const withFailures = (failures: string) => ({
    ...minimal,
    millisBehindLatest: { N: '0' },
    recordsPerSecond: { N: '0' },
    processingFailures: { N: failures },
  });

  it('reads none and a count', () => {
    expect(leaseFromItem(withFailures('0')).metrics?.processingFailures).toBe(0);
    expect(leaseFromItem(withFailures('12')).metrics?.processingFailures).toBe(12);
  });

  it.each(['-1', '2.5', 'NaN'])('leaves out a count of %s', (failures) => {
    const metrics = leaseFromItem(withFailures(failures)).metrics;
    expect(metrics).toEqual({ millisBehindLatest: 0, recordsPerSecond: 0 });
  });
});

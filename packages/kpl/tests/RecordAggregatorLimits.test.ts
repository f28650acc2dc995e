import { describe, expect, it } from 'vitest';
import { deaggregate } from '../src/deaggregate.js';
import { type AggregatedRecord, RecordAggregator, RecordTooLargeError } from '../src/RecordAggregator.js';

const bytes = (length: number) => new Uint8Array(length).fill(7);

/** The size of the aggregate of `count` records of `data` under one partition key, as built. */
function sizeOf(count: number, data: Uint8Array): number {
  const aggregator = new RecordAggregator();
  for (let index = 0; index < count; index++) aggregator.add('key', data);
  return aggregator.flush()?.data.byteLength ?? 0;
}

describe('RecordAggregator: limits', () => {
  it('refuses a user record too big for any aggregate, saying so', () => {
    expect(() => new RecordAggregator(100).add('key', bytes(100))).toThrow(
      'a user record of 100 bytes does not fit in a 100-byte aggregate',
    );
    expect(() => new RecordAggregator(100).add('key', bytes(100))).toThrow(RecordTooLargeError);
  });

  it('fills an aggregate up to its limit exactly, and starts the next when one more record would not fit', () => {
    const data = bytes(10);
    const aggregator = new RecordAggregator(sizeOf(2, data));

    expect(aggregator.add('key', data)).toBeUndefined();
    expect(aggregator.add('key', data)).toBeUndefined();
    expect(aggregator.size).toBe(2);
    const full = aggregator.add('key', data);

    expect(full?.count).toBe(2);
    expect(full?.data.byteLength).toBe(sizeOf(2, data));
    expect(aggregator.size).toBe(1);
    expect(() => new RecordAggregator(sizeOf(1, data)).add('key', data)).not.toThrow();
  });

  it('keeps to its limit with records whose lengths take several bytes to write', () => {
    const aggregator = new RecordAggregator(1_000);
    const aggregates: AggregatedRecord[] = [];
    for (let index = 0; index < 20; index++) {
      const full = aggregator.add(`key-${index % 3}`, bytes(300));
      if (full) aggregates.push(full);
    }
    const last = aggregator.flush();
    if (last) aggregates.push(last);

    for (const aggregate of aggregates) expect(aggregate.data.byteLength).toBeLessThanOrEqual(1_000);
    const records = aggregates.map((aggregate, index) => ({
      sequenceNumber: String(index),
      partitionKey: 'k',
      data: aggregate.data,
    }));
    expect(deaggregate(records).records).toHaveLength(20);
  });

  it('gives nothing to flush when nothing was added', () => {
    expect(new RecordAggregator().flush()).toBeUndefined();
  });
});

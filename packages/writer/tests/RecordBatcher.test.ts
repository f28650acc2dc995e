import { aTrade } from '@stock-trades/core/testing';
import { describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, MAX_BATCH_RECORDS, type PendingRecord, RecordBatcher } from '../src/index.js';

function item(id: number, bytes = 100): PendingRecord {
  return {
    trades: [{ trade: aTrade({ id }), partitionKey: 'AMZN' }],
    entry: { data: new Uint8Array(bytes), partitionKey: 'AMZN' },
  };
}

describe('RecordBatcher', () => {
  it('hands out a batch as soon as it holds 500 records', () => {
    const batcher = new RecordBatcher();
    const batches = Array.from({ length: 1001 }, (_, index) => batcher.add(item(index))).filter((batch) => batch);
    expect(batches.map((batch) => batch?.length)).toEqual([MAX_BATCH_RECORDS, MAX_BATCH_RECORDS]);
    expect(batcher.size).toBe(1);
    expect(batcher.drain()?.map((pending) => pending.trades[0]?.trade.id)).toEqual([1000]);
    expect(batcher.drain()).toBeUndefined();
  });

  it('keeps a batch under 5 MiB of data plus partition keys', () => {
    const batcher = new RecordBatcher();
    const big = 1024 * 1024 - 4; // with the 4-byte key, exactly 1 MiB
    const out = [1, 2, 3, 4, 5, 6].map((id) => batcher.add(item(id, big)));
    expect(out.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(out[5]?.length).toBe(5);
    expect(5 * (big + 4)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    expect(batcher.size).toBe(1);
  });

  it('refuses a single record over 1 MiB', () => {
    expect(() => new RecordBatcher().add(item(1, 1024 * 1024))).toThrow(/1 MiB/);
  });
});

import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from '../src/index.js';

/** `count` records of `bytes` each (data and partition key), all going to `shardId`. */
const records = (count: number, bytes = 11, shardId: string | undefined = 's0') =>
  Array.from({ length: count }, () => ({ shardId, bytes }));

describe('ShardRateLimiter', () => {
  it('lets a shard’s second of records through at once, then paces at 1,000 records a second', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(500), 0)).toBe(0);
    expect(limiter.charge(records(500), 0)).toBe(0);
    expect(limiter.charge(records(500), 0)).toBe(500);
    // Sent at 500 ms as told, the next batch waits another half second.
    expect(limiter.charge(records(500), 500)).toBe(500);
  });

  it('paces by bytes too: 1 MiB a second of data and partition keys', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(4, 512 * 1024), 0)).toBe(1000); // 2 MiB
  });

  it('charges each record to its own shard, so a quiet shard never waits for a busy one', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(1500, 11, 'low'), 0)).toBe(500);
    expect(limiter.charge(records(1, 11, 'high'), 0)).toBe(0);
    const unknown = Array.from({ length: 5000 }, () => ({ shardId: undefined, bytes: 11 }));
    expect(limiter.charge(unknown, 0)).toBe(0); // no shard known: nothing charged
  });

  it('gives a shard it has not seen (a child after a reshard) its own allowance', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(1000, 11, 'parent'), 0)).toBe(0);
    expect(limiter.charge(records(1000, 11, 'child'), 0)).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from '../src/index.js';

/** `count` records of `bytes` each (data and partition key), all going to `shardId`. */
const records = (count: number, bytes = 11, shardId: string | undefined = 's0') =>
  Array.from({ length: count }, () => ({ shardId, bytes }));

describe('ShardRateLimiter', () => {
  it('lets half a second of a shard’s records through at once, then paces at 1,000 records a second', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(500), 0)).toBe(0);
    expect(limiter.charge(records(500), 0)).toBe(500);
    expect(limiter.charge(records(500), 0)).toBe(1000);
    // Sent at 1 s as told, the next batch waits another half second.
    expect(limiter.charge(records(500), 1000)).toBe(500);
  });

  it('paces by bytes too: 1 MiB a second of data and partition keys', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(4, 512 * 1024), 0)).toBe(1500); // 2 MiB against half a MiB in hand
  });

  it('with a whole second of burst (as the shard itself), lets a second of records through at once', () => {
    const limiter = new ShardRateLimiter(undefined, 1);
    expect(limiter.charge(records(1000), 0)).toBe(0);
    expect(limiter.charge(records(500), 0)).toBe(500);
    expect(() => new ShardRateLimiter(undefined, 0)).toThrow(RangeError);
    expect(() => new ShardRateLimiter(undefined, 1.5)).toThrow(RangeError);
  });

  /**
   * A producer sends half-MiB batches when the limiter says; every other call is delayed
   * 150 ms on its way, so the next one reaches the shard 150 ms early. The shard is a
   * token bucket of one second, as AWS's (and the embedded stack's). Returns the calls the
   * shard refused.
   */
  function refusedWithJitter(limiter: ShardRateLimiter): number {
    const batch = 512 * 1024;
    let shardLevel = 1024 * 1024;
    let shardAt = 0;
    let refused = 0;
    let now = 0;
    for (let call = 0; call < 40; call++) {
      now += limiter.charge([{ shardId: 's0', bytes: batch }], now);
      const arrival = now + (call % 2 === 0 ? 150 : 0);
      shardLevel = Math.min(1024 * 1024, shardLevel + ((arrival - shardAt) / 1000) * 1024 * 1024);
      shardAt = arrival;
      if (shardLevel >= batch) shardLevel -= batch;
      else refused++;
    }
    return refused;
  }

  it('keeps half of the shard’s burst in hand, so calls arriving closer together than sent are not refused', () => {
    expect(refusedWithJitter(new ShardRateLimiter())).toBe(0);
    expect(refusedWithJitter(new ShardRateLimiter(undefined, 1))).toBeGreaterThan(0); // a full second: refusals
  });

  it('charges each record to its own shard, so a quiet shard never waits for a busy one', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(1500, 11, 'low'), 0)).toBe(1000);
    expect(limiter.charge(records(1, 11, 'high'), 0)).toBe(0);
    const unknown = Array.from({ length: 5000 }, () => ({ shardId: undefined, bytes: 11 }));
    expect(limiter.charge(unknown, 0)).toBe(0); // no shard known: nothing charged
  });

  it('gives a shard it has not seen (a child after a reshard) its own allowance', () => {
    const limiter = new ShardRateLimiter();
    expect(limiter.charge(records(500, 11, 'parent'), 0)).toBe(0);
    expect(limiter.charge(records(500, 11, 'child'), 0)).toBe(0);
  });
});

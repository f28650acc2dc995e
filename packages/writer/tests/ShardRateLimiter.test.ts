import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShardRateLimiter } from '../src/index.js';

const MAX = (2n ** 128n - 1n).toString();
const HALF = (2n ** 127n - 1n).toString();
const ONE = [{ shardId: 's0', startingHashKey: '0', endingHashKey: MAX, open: true }];
const entries = (count: number, bytes = 10, partitionKey = 'k') =>
  Array.from({ length: count }, () => ({ data: new Uint8Array(bytes), partitionKey }));

describe('ShardRateLimiter', () => {
  it('lets a shard’s second of records through at once, then paces at 1,000 records a second', () => {
    const limiter = new ShardRateLimiter(ONE);
    expect(limiter.charge(entries(500), 0)).toBe(0);
    expect(limiter.charge(entries(500), 0)).toBe(0);
    expect(limiter.charge(entries(500), 0)).toBe(500);
    // Sent at 500 ms as told, the next batch waits another half second.
    expect(limiter.charge(entries(500), 500)).toBe(500);
  });

  it('paces by bytes too: 1 MiB a second of data and partition keys', () => {
    const limiter = new ShardRateLimiter(ONE);
    const big = entries(4, 512 * 1024 - 1, 'a'); // 2 MiB
    expect(limiter.charge(big, 0)).toBe(1000);
  });

  it('charges each record to its own shard, so a quiet shard never waits for a busy one', () => {
    const two = [
      { shardId: 'low', startingHashKey: '0', endingHashKey: HALF, open: true },
      { shardId: 'high', startingHashKey: (2n ** 127n).toString(), endingHashKey: MAX, open: true },
    ];
    const limiter = new ShardRateLimiter(two);
    const low =
      ['a', 'b', 'c', 'd', 'e'].find(
        (key) => BigInt(`0x${createHash('md5').update(key).digest('hex')}`) <= 2n ** 127n - 1n,
      ) ?? '';
    expect(limiter.charge(entries(1500, 10, low), 0)).toBe(500);
    expect(limiter.charge([{ data: new Uint8Array(10), partitionKey: 'x', explicitHashKey: MAX }], 0)).toBe(0);
  });

  it('follows a reshard: the new open shards get their own allowance', () => {
    const limiter = new ShardRateLimiter(ONE);
    expect(limiter.charge(entries(1000), 0)).toBe(0);
    limiter.useShards([
      { shardId: 's0', startingHashKey: '0', endingHashKey: MAX, open: false },
      { shardId: 's1', startingHashKey: '0', endingHashKey: MAX, open: true },
    ]);
    expect(limiter.charge(entries(1000), 0)).toBe(0);
  });
});

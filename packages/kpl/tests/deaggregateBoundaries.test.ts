import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deaggregate } from '../src/deaggregate.js';
import { partitionKeyHash } from '../src/kplFormat.js';

/** AWS's aws-kinesis-agg 4.2.8 aggregate of AAPL {"n":1}, MSFT {"n":2}, AAPL {"n":3} (see deaggregate.test.ts). */
const THREE = Buffer.from(
  'f3899ac20a044141504c0a044d5346541a0b08001a077b226e223a317d1a0b08011a077b226e223a327d1a0b08001a077b226e223a337d66dc3f659c72b97466b82dacc2014ec7',
  'hex',
);
const record = (data: Uint8Array) => ({ sequenceNumber: '7', partitionKey: 'outer', data });
const keysOf = (data: Uint8Array, startingHashKey: bigint, endingHashKey: bigint) => {
  const range = { startingHashKey: String(startingHashKey), endingHashKey: String(endingHashKey) };
  const { records, outOfRange } = deaggregate([record(data)], range);
  return { keys: records.map((user) => user.partitionKey), outOfRange };
};

describe('deaggregate: edges', () => {
  it('keeps a user record whose hash key is exactly either end of the shard’s range', () => {
    const aapl = partitionKeyHash('AAPL');
    const msft = partitionKeyHash('MSFT');
    expect(aapl < msft).toBe(true);

    expect(keysOf(THREE, aapl, aapl)).toEqual({ keys: ['AAPL', 'AAPL'], outOfRange: 1 });
    expect(keysOf(THREE, msft, msft)).toEqual({ keys: ['MSFT'], outOfRange: 2 });
    expect(keysOf(THREE, aapl + 1n, msft - 1n)).toEqual({ keys: [], outOfRange: 3 });
  });

  it('passes a record through whole when it does not start with the KPL magic bytes, even if the rest checks out', () => {
    const notMagic = Buffer.from(THREE);
    notMagic[3] = 0x00;

    const { records } = deaggregate([record(notMagic)]);

    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ partitionKey: 'outer', aggregated: false, subSequenceNumber: 0 });
  });

  it('reads an aggregate of no user records (magic, empty body, its MD5) as nothing', () => {
    const empty = Buffer.concat([THREE.subarray(0, 4), createHash('md5').update(Buffer.alloc(0)).digest()]);

    expect(deaggregate([record(empty)]).records).toEqual([]);
  });
});

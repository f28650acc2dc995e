import { describe, expect, it } from 'vitest';
import { deaggregate, partitionKeyHash, RecordAggregator } from '../src/index.js';

/**
 * Golden vectors made by AWS's own aws-kinesis-agg 4.2.8 (RecordAggregator.addUserRecord
 * then build()), not by this code: magic f3899ac2, protobuf AggregatedRecord, MD5 trailer.
 */
const GOLDEN = {
  // AAPL {"n":1}, MSFT {"n":2}, AAPL {"n":3}: key table [AAPL, MSFT]
  three:
    'f3899ac20a044141504c0a044d5346541a0b08001a077b226e223a317d1a0b08011a077b226e223a327d1a0b08001a077b226e223a337d66dc3f659c72b97466b82dacc2014ec7',
  // AMZN "a" (no explicit hash key), GOOG "b" with explicit hash key "0"
  ehk: 'f3899ac20a04414d5a4e0a04474f4f471201301a0508001a01611a07080110001a01623801c91103249e7b43e51c473609cb38',
  // T "hello"
  single: 'f3899ac20a01541a0908001a0568656c6c6ff4302d3e945363e4434c27b5594873a5',
};
const SEQUENCE = '49590338271490256608559692538361571095921575989136588898';
const FULL_RANGE = { startingHashKey: '0', endingHashKey: '340282366920938463463374607431768211455' };

const record = (hex: string, data = Buffer.from(hex, 'hex')) => ({
  sequenceNumber: SEQUENCE,
  partitionKey: 'outer',
  data,
});
const text = (data: Uint8Array) => Buffer.from(data).toString('utf8');

describe('deaggregate', () => {
  it('unpacks an aggregate into user records numbered by sub-sequence number', () => {
    const { records, outOfRange } = deaggregate([record(GOLDEN.three)], FULL_RANGE);
    expect(outOfRange).toBe(0);
    expect(
      records.map((user) => [user.sequenceNumber, user.subSequenceNumber, user.partitionKey, text(user.data)]),
    ).toEqual([
      [SEQUENCE, 0, 'AAPL', '{"n":1}'],
      [SEQUENCE, 1, 'MSFT', '{"n":2}'],
      [SEQUENCE, 2, 'AAPL', '{"n":3}'],
    ]);
    expect(records.every((user) => user.aggregated)).toBe(true);
  });

  it('gives an explicit hash key only to the record that has one', () => {
    const { records } = deaggregate([record(GOLDEN.ehk)]);
    expect(records.map((user) => [user.partitionKey, user.explicitHashKey, text(user.data)])).toEqual([
      ['AMZN', undefined, 'a'],
      ['GOOG', '0', 'b'],
    ]);
  });

  it('passes a record with a wrong MD5 on whole, as a plain record', () => {
    const bytes = Buffer.from(GOLDEN.three, 'hex');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0x01;
    const { records } = deaggregate([record('', bytes)]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ partitionKey: 'outer', subSequenceNumber: 0, aggregated: false });
    expect(Buffer.from(records[0]?.data ?? []).equals(bytes)).toBe(true);
  });

  it('passes plain records through untouched', () => {
    const data = Buffer.from('{"tickerSymbol":"T"}');
    const { records } = deaggregate([{ sequenceNumber: '1', partitionKey: 'T', data }]);
    expect(records).toEqual([
      { sequenceNumber: '1', partitionKey: 'T', data, subSequenceNumber: 0, aggregated: false },
    ]);
  });

  it('drops inner records whose hash key is outside the shard’s range, as KCL does', () => {
    // MD5 hash keys: AAPL 1.848e38, MSFT 2.339e38; a shard covering [2e38, 2^128) holds only MSFT.
    expect(partitionKeyHash('AAPL')).toBe(184850406388112911326934670974242359210n);
    expect(partitionKeyHash('MSFT')).toBe(233968545763494879677766337165905886050n);
    const upperHalf = { startingHashKey: (2n * 10n ** 38n).toString(), endingHashKey: (2n ** 128n - 1n).toString() };
    const { records, outOfRange } = deaggregate([record(GOLDEN.three)], upperHalf);
    expect(records.map((user) => [user.partitionKey, user.subSequenceNumber])).toEqual([['MSFT', 1]]);
    expect(outOfRange).toBe(2);
    // An explicit hash key decides over the partition key: GOOG's "0" is in the lower half.
    const lowerHalf = { startingHashKey: '0', endingHashKey: (2n ** 127n - 1n).toString() };
    expect(deaggregate([record(GOLDEN.ehk)], lowerHalf).records.map((user) => user.partitionKey)).toEqual([
      'AMZN',
      'GOOG',
    ]);
  });
});

describe('RecordAggregator', () => {
  it('writes exactly the bytes AWS’s own aggregator writes', () => {
    const aggregator = new RecordAggregator();
    aggregator.add('AAPL', Buffer.from('{"n":1}'));
    aggregator.add('MSFT', Buffer.from('{"n":2}'));
    aggregator.add('AAPL', Buffer.from('{"n":3}'));
    expect(Buffer.from(aggregator.flush()?.data ?? []).toString('hex')).toBe(GOLDEN.three);
    const single = new RecordAggregator();
    single.add('T', Buffer.from('hello'));
    const aggregate = single.flush();
    expect(aggregate).toMatchObject({ partitionKey: 'T', count: 1 });
    expect(Buffer.from(aggregate?.data ?? []).toString('hex')).toBe(GOLDEN.single);
  });

  it('never makes an aggregate bigger than its limit, and loses no record across aggregates', () => {
    const aggregator = new RecordAggregator(1000);
    const aggregates = [];
    for (let index = 0; index < 200; index++) {
      const full = aggregator.add(`key-${index % 7}`, Buffer.from(`{"index":${index}}`));
      if (full) aggregates.push(full);
    }
    const last = aggregator.flush();
    if (last) aggregates.push(last);
    expect(aggregates.length).toBeGreaterThan(3);
    for (const aggregate of aggregates) expect(aggregate.data.byteLength).toBeLessThanOrEqual(1000);
    const unpacked = deaggregate(
      aggregates.map((aggregate, index) => ({
        sequenceNumber: String(index),
        partitionKey: aggregate.partitionKey,
        data: aggregate.data,
      })),
    );
    expect(unpacked.records.map((user) => JSON.parse(text(user.data)).index)).toEqual(
      Array.from({ length: 200 }, (_, index) => index),
    );
    expect(unpacked.records.map((user) => user.partitionKey)).toEqual(
      Array.from({ length: 200 }, (_, index) => `key-${index % 7}`),
    );
  });
});

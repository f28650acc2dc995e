import { describe, expect, it } from 'vitest';
import { awsError, json, type ProxyAnswer } from '../src/proxy/awsErrors.js';
import { EMULATOR_PAGE_RECORDS, pagedGetRecords } from '../src/proxy/pagedGetRecords.js';

const body = (value: object) => Buffer.from(JSON.stringify(value));
const parse = (answer: ProxyAnswer) => JSON.parse(answer.body.toString('utf8'));

/**
 * A shard as the emulator serves it: iterators are positions ("at-N"), each answer the
 * records from there, up to the Limit asked; a closed shard gives no NextShardIterator at
 * its end, but its children.
 */
function emulator(count: number, options: { bytes?: number; closed?: boolean; failAt?: number } = {}) {
  const asked: Array<{ ShardIterator: string; Limit?: number }> = [];
  const data = Buffer.alloc(options.bytes ?? 10).toString('base64');
  const forward = async (payload: Buffer): Promise<ProxyAnswer> => {
    const request = JSON.parse(payload.toString('utf8')) as { ShardIterator: string; Limit?: number };
    asked.push(request);
    if (asked.length === options.failAt) return awsError('kinesis', 500, 'InternalFailure', 'down');
    const from = Number(request.ShardIterator.slice(3));
    const to = Math.min(count, from + (request.Limit ?? 10_000));
    const Records = Array.from({ length: to - from }, (_, index) => ({
      SequenceNumber: String(from + index),
      Data: data,
      PartitionKey: 'k',
    }));
    const end = options.closed && to === count;
    const answer = json('kinesis', {
      Records,
      MillisBehindLatest: (count - to) * 10,
      ...(end ? { ChildShards: [{ ShardId: 'child' }] } : { NextShardIterator: `at-${to}` }),
    });
    return { ...answer, headers: { ...answer.headers, 'x-amz-crc32': '123', 'x-amzn-requestid': `r${asked.length}` } };
  };
  return { forward, asked };
}

const sequenceNumbers = (answer: ProxyAnswer) =>
  (parse(answer).Records as Array<{ SequenceNumber: string }>).map((record) => Number(record.SequenceNumber));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => from + index);

describe('pagedGetRecords', () => {
  it('reads a large Limit in pages of the emulator’s size and answers as one call, in order', async () => {
    const shard = emulator(2500);
    const answer = await pagedGetRecords(body({ ShardIterator: 'at-0' }), shard.forward);
    expect(answer.status).toBe(200);
    expect(shard.asked.map((request) => [request.ShardIterator, request.Limit])).toEqual([
      ['at-0', EMULATOR_PAGE_RECORDS],
      ['at-1000', EMULATOR_PAGE_RECORDS],
      ['at-2000', EMULATOR_PAGE_RECORDS],
    ]);
    expect(sequenceNumbers(answer)).toEqual(range(0, 2500));
    expect(parse(answer)).toMatchObject({ NextShardIterator: 'at-2500', MillisBehindLatest: 0 });
    expect(answer.headers['x-amz-crc32']).toBeUndefined();
    expect(answer.headers['x-amzn-requestid']).toBe('r1');
  });

  it('gives no more than the Limit asked, and leaves the rest for the next call', async () => {
    const shard = emulator(5000);
    const answer = await pagedGetRecords(body({ ShardIterator: 'at-0', Limit: 1500 }), shard.forward);
    expect(shard.asked.map((request) => request.Limit)).toEqual([1000, 500]);
    expect(sequenceNumbers(answer)).toEqual(range(0, 1500));
    expect(parse(answer)).toMatchObject({ NextShardIterator: 'at-1500', MillisBehindLatest: 35_000 });
  });

  it('passes a Limit the emulator serves well straight through', async () => {
    const shard = emulator(5000);
    const request = body({ ShardIterator: 'at-0', Limit: 1000 });
    const answer = await pagedGetRecords(request, shard.forward);
    expect(shard.asked).toEqual([{ ShardIterator: 'at-0', Limit: 1000 }]);
    expect(answer.headers['x-amz-crc32']).toBe('123');
  });

  it('stops at the end of a closed shard and passes its children on', async () => {
    const shard = emulator(1800, { closed: true });
    const answer = await pagedGetRecords(body({ ShardIterator: 'at-0' }), shard.forward);
    expect(shard.asked).toHaveLength(2);
    expect(sequenceNumbers(answer)).toEqual(range(0, 1800));
    expect(parse(answer).NextShardIterator).toBeUndefined();
    expect(parse(answer).ChildShards).toEqual([{ ShardId: 'child' }]);
  });

  it('stops once it holds a shard’s second of reads (2 MiB)', async () => {
    const shard = emulator(10_000, { bytes: 1024 });
    const answer = await pagedGetRecords(body({ ShardIterator: 'at-0' }), shard.forward);
    expect(sequenceNumbers(answer)).toEqual(range(0, 3000));
    expect(parse(answer).NextShardIterator).toBe('at-3000');
  });

  it('returns a failing first page as it is, and after a later failure what it read with the iterator after it', async () => {
    const failing = emulator(5000, { failAt: 1 });
    const refused = await pagedGetRecords(body({ ShardIterator: 'at-0' }), failing.forward);
    expect(refused.status).toBe(500);

    const flaky = emulator(5000, { failAt: 3 });
    const answer = await pagedGetRecords(body({ ShardIterator: 'at-0' }), flaky.forward);
    expect(answer.status).toBe(200);
    expect(sequenceNumbers(answer)).toEqual(range(0, 2000));
    expect(parse(answer).NextShardIterator).toBe('at-2000');
  });
});

import { describe, expect, it } from 'vitest';
import { KINESIS_REQUEST_LIMITS, validateKinesisRequest } from '../src/proxy/validateKinesisRequest.js';

const entry = (bytes: number, extra: Record<string, unknown> = {}) => ({
  Data: Buffer.alloc(bytes, 1).toString('base64'),
  PartitionKey: 'AAPL',
  ...extra,
});
const check = (api: string, request: unknown) => {
  const answer = validateKinesisRequest(
    api,
    Buffer.from(typeof request === 'string' ? request : JSON.stringify(request)),
  );
  return (
    answer && { status: answer.status, ...(JSON.parse(answer.body.toString()) as { __type: string; message: string }) }
  );
};

describe('validateKinesisRequest', () => {
  it('lets through requests AWS takes, at the limits', () => {
    expect(check('PutRecord', { StreamName: 'S', ...entry(KINESIS_REQUEST_LIMITS.maxDataBytes) })).toBeUndefined();
    const records = Array.from({ length: 500 }, () => entry(10));
    expect(check('PutRecords', { StreamName: 'S', Records: records })).toBeUndefined();
    expect(check('ListShards', { StreamName: 'S' })).toBeUndefined();
    expect(check('PutRecord', { ...entry(1), ExplicitHashKey: String(2n ** 128n - 1n) })).toBeUndefined();
  });

  it('answers a body that is not a JSON object with 400 SerializationException, as AWS does', () => {
    for (const body of ['{', '[]', '"text"', 'null']) {
      expect(check('ListStreams', body)).toMatchObject({ status: 400, __type: 'SerializationException' });
    }
  });

  it.each([
    ['a 2 MiB PutRecord', 'PutRecord', entry(2 * 1024 * 1024), /'data'.*less than or equal to 1048576/],
    [
      'a PutRecords of 600 entries',
      'PutRecords',
      { Records: Array.from({ length: 600 }, () => entry(1)) },
      /'records'.*500/,
    ],
    ['an empty PutRecords', 'PutRecords', { Records: [] }, /greater than or equal to 1/],
    ['a PutRecords without records', 'PutRecords', { StreamName: 'S' }, /must not be null/],
    ['an empty partition key', 'PutRecord', entry(1, { PartitionKey: '' }), /partitionKey/],
    ['a 257-character partition key', 'PutRecord', entry(1, { PartitionKey: 'k'.repeat(257) }), /partitionKey/],
    ['data that is not base64', 'PutRecord', { Data: '%%%', PartitionKey: 'k' }, /base64/],
    ['a hash key over 2^128 - 1', 'PutRecord', entry(1, { ExplicitHashKey: String(2n ** 128n) }), /explicitHashKey/],
    ['a hash key that is not a number', 'PutRecord', entry(1, { ExplicitHashKey: '0x10' }), /explicitHashKey/],
    [
      'one bad entry among good ones',
      'PutRecords',
      { Records: [entry(1), entry(2 * 1024 * 1024)] },
      /'records\.2\.member\.data'/,
    ],
  ])('answers %s with 400 ValidationException', (_, api, request, message) => {
    const answer = check(api, request);
    expect(answer).toMatchObject({ status: 400, __type: 'ValidationException' });
    expect(answer?.message).toMatch(message);
  });

  it('answers a PutRecords over 5 MiB in all with InvalidArgumentException', () => {
    const records = Array.from({ length: 6 }, () => entry(1024 * 1024 - 100));
    expect(check('PutRecords', { Records: records })).toMatchObject({
      status: 400,
      __type: 'InvalidArgumentException',
    });
  });
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { json, type ProxyAnswer } from '../src/proxy/awsErrors.js';
import { FaultPlan } from '../src/proxy/FaultPlan.js';
import { KinesisLimiter } from '../src/proxy/KinesisLimiter.js';
import { hashKeyOf, type ShardRange, shardForKey } from '../src/proxy/shardForKey.js';
import { TokenBucket } from '../src/proxy/TokenBucket.js';

const MAX = 2n ** 128n - 1n;
const HALF = MAX / 2n;
const TWO: ShardRange[] = [
  { shardId: 'shard-0', startingHashKey: 0n, endingHashKey: HALF },
  { shardId: 'shard-1', startingHashKey: HALF + 1n, endingHashKey: MAX },
];
/** A partition key that lands in the lower half, and one in the upper half. */
const LOW = 'a';
const HIGH = ['b', 'c', 'd', 'e', 'f', 'g'].find((key) => hashKeyOf(key) > HALF) ?? '';

const record = (key: string, bytes = 10) => ({ Data: Buffer.alloc(bytes).toString('base64'), PartitionKey: key });
const body = (value: object) => Buffer.from(JSON.stringify(value));
const parse = (answer: ProxyAnswer) => JSON.parse(answer.body.toString('utf8'));

function setup(shards: () => ShardRange[] = () => TWO) {
  let now = 0;
  const forwarded: unknown[] = [];
  const limiter = new KinesisLimiter(
    async () => shards(),
    () => now,
  );
  const forward = async (payload: Buffer) => {
    const request = JSON.parse(payload.toString('utf8'));
    forwarded.push(request);
    if (request.Records) {
      return json('kinesis', {
        FailedRecordCount: 0,
        Records: request.Records.map((_: unknown, index: number) => ({ ShardId: 'x', SequenceNumber: String(index) })),
      });
    }
    if (request.ShardId) return json('kinesis', { ShardIterator: `it-${request.ShardId}` });
    if (request.ShardIterator) return json('kinesis', { Records: [], NextShardIterator: `${request.ShardIterator}+` });
    return json('kinesis', {});
  };
  return { limiter, forward, forwarded, advance: (ms: number) => (now += ms) };
}

describe('routing a record to its shard', () => {
  it('takes the MD5 of the partition key, or the explicit hash key, as a 128-bit number', () => {
    expect(hashKeyOf('AMZN')).toBe(BigInt(`0x${createHash('md5').update('AMZN').digest('hex')}`));
    expect(hashKeyOf('ignored', '42')).toBe(42n);
    expect(shardForKey(TWO, 0n)).toBe('shard-0');
    expect(shardForKey(TWO, HALF + 1n)).toBe('shard-1');
    expect(shardForKey(TWO, MAX)).toBe('shard-1');
  });
});

describe('TokenBucket', () => {
  it('lets a burst of one second’s worth through, then the rate', () => {
    const bucket = new TokenBucket(1000);
    expect(bucket.tryTake(1000, 0)).toBe(true);
    expect(bucket.tryTake(1, 0)).toBe(false);
    expect(bucket.tryTake(500, 500)).toBe(true);
    expect(bucket.tryTake(1, 500)).toBe(false);
  });

  it('charges a read into debt, so the next calls wait until it is paid', () => {
    const bucket = new TokenBucket(2);
    bucket.charge(10, 0); // 2 in the bucket, 10 charged: 8 owed, four seconds at 2 a second
    expect(bucket.has(0, 3999)).toBe(false);
    expect(bucket.has(0, 4000)).toBe(true);
  });
});

describe('KinesisLimiter', () => {
  it('fails only the PutRecords entries over a shard’s 1,000 records a second, each with its ErrorCode', async () => {
    const { limiter, forward, forwarded } = setup();
    const entries = [...Array.from({ length: 1001 }, () => record(LOW)), record(HIGH)];
    const answer = parse(await limiter.handle('PutRecords', body({ StreamName: 'S', Records: entries }), forward));
    expect(answer.FailedRecordCount).toBe(1);
    expect(answer.Records[1000]).toEqual({
      ErrorCode: 'ProvisionedThroughputExceededException',
      ErrorMessage: 'Rate exceeded for shard shard-0 in stream S under account 000000000000.',
    });
    expect(answer.Records[1001]).toMatchObject({ ShardId: 'x' }); // the other shard's entry went through
    expect((forwarded[0] as { Records: unknown[] }).Records).toHaveLength(1001);
  });

  it('counts a shard’s bytes (data and partition key) against 1 MiB a second', async () => {
    const { limiter, forward, advance } = setup();
    const big = () => record(LOW, 512 * 1024 - 1);
    const first = parse(
      await limiter.handle('PutRecords', body({ StreamName: 'S', Records: [big(), big(), big()] }), forward),
    );
    expect(first.Records.map((entry: { ErrorCode?: string }) => entry.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ProvisionedThroughputExceededException',
    ]);
    advance(500);
    const later = parse(await limiter.handle('PutRecords', body({ StreamName: 'S', Records: [big()] }), forward));
    expect(later.FailedRecordCount).toBe(0);
  });

  it('fails a whole PutRecord over the limit with the exception the SDK maps', async () => {
    const { limiter, forward } = setup();
    for (let i = 0; i < 1000; i++)
      await limiter.handle('PutRecord', body({ StreamName: 'S', ...record(LOW) }), forward);
    const answer = await limiter.handle('PutRecord', body({ StreamName: 'S', ...record(LOW) }), forward);
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ProvisionedThroughputExceededException');
    expect(parse(answer).__type).toBe('ProvisionedThroughputExceededException');
  });

  it('allows five GetRecords a second per shard, following the iterators it hands out', async () => {
    const { limiter, forward, advance } = setup();
    let iterator = parse(
      await limiter.handle('GetShardIterator', body({ StreamName: 'S', ShardId: 'shard-0' }), forward),
    ).ShardIterator as string;
    const statuses: number[] = [];
    for (let call = 0; call < 6; call++) {
      const answer = await limiter.handle('GetRecords', body({ ShardIterator: iterator }), forward);
      statuses.push(answer.status);
      if (answer.status === 200) iterator = parse(answer).NextShardIterator;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 400]);
    advance(200);
    expect((await limiter.handle('GetRecords', body({ ShardIterator: iterator }), forward)).status).toBe(200);
  });

  it('counts per shard what it let through and what it refused, for the dashboard’s throttling panel', async () => {
    const { limiter, forward } = setup();
    const entries = [...Array.from({ length: 1002 }, () => record(LOW, 20)), record(HIGH, 30)];
    await limiter.handle('PutRecords', body({ StreamName: 'S', Records: entries }), forward);
    await limiter.handle('PutRecord', body({ StreamName: 'S', ...record(HIGH, 30) }), forward);
    const iterator = parse(
      await limiter.handle('GetShardIterator', body({ StreamName: 'S', ShardId: 'shard-1' }), forward),
    ).ShardIterator as string;
    for (let call = 0; call < 7; call++) await limiter.handle('GetRecords', body({ ShardIterator: iterator }), forward);

    const report = limiter.report();
    expect(report).toMatchObject({
      shardLimits: true,
      writeRecordsPerSecond: 1000,
      writeBytesPerSecond: 1024 * 1024,
      readCallsPerSecond: 5,
    });
    // Scaled down, a shard still takes one read a second (as the limiter enforces), and the report says so.
    expect(
      new KinesisLimiter(
        async () => TWO,
        () => 0,
        0.1,
      ).report(),
    ).toMatchObject({
      writeRecordsPerSecond: 100,
      readCallsPerSecond: 1,
    });
    expect(report.streams.S).toEqual({
      'shard-0': {
        recordsIn: 1000,
        bytesIn: 1000 * 21,
        payloadUnitsIn: 1000,
        userRecordsIn: 1000,
        recordsRefused: 2,
        reads: 0,
        readsThrottled: 0,
      },
      'shard-1': {
        recordsIn: 2,
        bytesIn: 2 * (30 + HIGH.length),
        payloadUnitsIn: 2,
        userRecordsIn: 2,
        recordsRefused: 0,
        reads: 5,
        readsThrottled: 2,
      },
    });
  });

  it('counts each application’s reads under the app id its SDK sent: two polling one shard share its five reads', async () => {
    let now = 0;
    const limiter = new KinesisLimiter(
      async () => TWO,
      () => now,
    );
    // Pages of three records, each of 10 bytes of data and the partition key 'k'.
    const forward = async (payload: Buffer) => {
      const request = JSON.parse(payload.toString('utf8'));
      if (request.ShardId) return json('kinesis', { ShardIterator: `it-${request.ShardId}` });
      return json('kinesis', {
        Records: [record('k'), record('k'), record('k')].map((entry, index) => ({
          ...entry,
          SequenceNumber: `${index}`,
        })),
        NextShardIterator: `${request.ShardIterator}+`,
      });
    };
    const iteratorOf = async (application?: string) =>
      parse(
        await limiter.handle(
          'GetShardIterator',
          body({ StreamName: 'S', ShardId: 'shard-0' }),
          forward,
          application ? { application } : {},
        ),
      ).ShardIterator as string;
    const readers = { Processor: await iteratorOf('Processor'), Audit: await iteratorOf('Audit') };
    const statuses: Record<string, number[]> = { Processor: [], Audit: [] };
    // Each asks four times in the same second, taking turns: 8 calls against the shard's 5.
    for (let call = 0; call < 4; call++) {
      for (const application of ['Processor', 'Audit'] as const) {
        const answer = await limiter.handle('GetRecords', body({ ShardIterator: readers[application] }), forward, {
          application,
        });
        statuses[application]?.push(answer.status);
        if (answer.status === 200) readers[application] = parse(answer).NextShardIterator;
      }
    }
    now += 1000;
    // A client that sends no app id is counted as one.
    await limiter.handle('GetRecords', body({ ShardIterator: readers.Audit }), forward);

    expect(statuses).toEqual({ Processor: [200, 200, 200, 400], Audit: [200, 200, 400, 400] });
    const byApplication = Object.fromEntries(
      (limiter.report().readers?.S ?? []).map((reader) => [`${reader.mode} ${reader.application}`, reader.shards]),
    );
    expect(byApplication).toEqual({
      'polling Processor': { 'shard-0': { reads: 3, readsThrottled: 1, recordsOut: 9, bytesOut: 9 * 11 } },
      'polling Audit': { 'shard-0': { reads: 2, readsThrottled: 2, recordsOut: 6, bytesOut: 6 * 11 } },
      'polling (no app id)': { 'shard-0': { reads: 1, readsThrottled: 0, recordsOut: 3, bytesOut: 3 * 11 } },
    });
    // The shard's own counts are the sum of its readers'.
    expect(limiter.report().streams.S?.['shard-0']).toMatchObject({ reads: 6, readsThrottled: 3 });
  });

  it('counts the PUT payload units AWS would bill: one per started 25 KB of each accepted record', async () => {
    const { limiter, forward } = setup();
    // Data and partition key: 25,599 + 1 bytes is one unit; 25,600 + 1 is two; 60,000 + 1 is three.
    for (const bytes of [25_599, 25_600, 60_000]) {
      await limiter.handle('PutRecord', body({ StreamName: 'S', ...record(LOW, bytes) }), forward);
    }
    expect(limiter.report().streams.S?.['shard-0']).toMatchObject({ recordsIn: 3, payloadUnitsIn: 6 });
  });

  it('routes by the shards open now: after a reshard the children’s limits apply', async () => {
    let shards = [{ shardId: 'parent', startingHashKey: 0n, endingHashKey: MAX }];
    const { limiter, forward } = setup(() => shards);
    const fill = () => Array.from({ length: 1000 }, () => record(LOW));
    expect(
      parse(await limiter.handle('PutRecords', body({ StreamName: 'S', Records: fill() }), forward)).FailedRecordCount,
    ).toBe(0);
    await limiter.handle('UpdateShardCount', body({ StreamName: 'S', TargetShardCount: 2 }), forward);
    shards = TWO;
    const after = parse(
      await limiter.handle('PutRecords', body({ StreamName: 'S', Records: [record(LOW), record(HIGH)] }), forward),
    );
    expect(after.FailedRecordCount).toBe(0);
  });
});

describe('FaultPlan', () => {
  it('reads rules per service and API, and decides with the shares given', () => {
    const plan = FaultPlan.parse('kinesis:*:throttle=10%,error=2%;dynamodb:UpdateItem:latency=200ms,drop=0.5');
    expect(plan.decide('kinesis', 'GetRecords', () => 0.05)).toEqual({ outcome: 'throttle', latencyMs: 0 });
    expect(plan.decide('kinesis', 'PutRecords', () => 0.11)).toEqual({ outcome: 'error', latencyMs: 0 });
    expect(plan.decide('kinesis', 'PutRecords', () => 0.5)).toEqual({ outcome: 'pass', latencyMs: 0 });
    expect(plan.decide('dynamodb', 'UpdateItem', () => 0.2)).toEqual({ outcome: 'drop', latencyMs: 200 });
    expect(plan.decide('dynamodb', 'Scan', () => 0)).toEqual({ outcome: 'pass', latencyMs: 0 });
  });

  it('loses the answer of a share of calls after they took effect', () => {
    const plan = FaultPlan.parse('kinesis:PutRecords:drop=1%,lose=5%');
    expect(plan.decide('kinesis', 'PutRecords', () => 0.005).outcome).toBe('drop');
    expect(plan.decide('kinesis', 'PutRecords', () => 0.03).outcome).toBe('lose');
    expect(plan.decide('kinesis', 'PutRecords', () => 0.07).outcome).toBe('pass');
    expect(plan.injected.lose).toBe(1);
    expect(plan.describe()).toBe('kinesis:PutRecords drop 1% lose the answer 5%');
  });

  it.each([
    ['s3:*:error=1%', /must start with kinesis: or dynamodb:/],
    ['kinesis::error=1%', /needs an API name/],
    ['kinesis:*:explode=1', /unknown "explode"/],
    ['kinesis:*:throttle=150%', /share like 10%/],
    ['kinesis:*:throttle=60%,error=50%', /more than 100%/],
    ['kinesis:*:drop=60%,lose=50%', /more than 100%/],
    ['kinesis:*', /sets nothing/],
  ])('refuses "%s" with one line', (text, message) => {
    expect(() => FaultPlan.parse(text)).toThrow(message);
  });

  it('holds every call of a paused service until it is resumed', async () => {
    const plan = new FaultPlan();
    plan.pause('dynamodb');
    let passed = false;
    const waiting = plan.whenRunning('dynamodb').then(() => {
      passed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(passed).toBe(false);
    plan.resume('dynamodb');
    await waiting;
    expect(passed).toBe(true);
  });
});

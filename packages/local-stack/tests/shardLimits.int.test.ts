import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { type AwsClients, localClients, StreamAdmin } from '@stock-trades/aws';
import { SHARD_TRAFFIC_PATH, type ShardTrafficReport } from '@stock-trades/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../src/index.js';

const records = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ Data: Buffer.from(`trade ${index}`), PartitionKey: `key-${index}` }));

/** The shard limits end to end: the SDK against the stack, as any client meets them. */
describe.each([
  ['on', true],
  ['off', false],
])('the embedded Kinesis with its shard limits %s', (_, shardLimits) => {
  let stack: RunningLocalStack;
  let clients: AwsClients;
  beforeAll(async () => {
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, shardLimits });
    clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    const streams = new StreamAdmin(clients);
    await streams.create('OneShard', { capacity: 'PROVISIONED', shards: 1 });
    await streams.waitUntilActive('OneShard');
  });
  afterAll(async () => {
    clients?.destroy();
    await stack?.stop();
  });

  it('refuses what AWS refuses, limits on or off, with its exception: a 2 MiB record, 600 entries, a body not JSON', async () => {
    const twoMiB = clients.kinesisSingleAttempt.send(
      new PutRecordCommand({ StreamName: 'OneShard', Data: new Uint8Array(2 * 1024 * 1024), PartitionKey: 'k' }),
    );
    await expect(twoMiB).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
    const tooMany = clients.kinesisSingleAttempt.send(
      new PutRecordsCommand({ StreamName: 'OneShard', Records: records(600) }),
    );
    await expect(tooMany).rejects.toMatchObject({ name: 'ValidationException' });
    const notJson = await fetch(stack.kinesisEndpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Kinesis_20131202.PutRecord', 'content-type': 'application/x-amz-json-1.1' },
      body: '{"StreamName":',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { __type: string }).__type).toBe('SerializationException');
  });

  it(`${shardLimits ? 'fails' : 'lets through'} the PutRecords entries past a shard's 1,000 records a second`, async () => {
    const put = () =>
      clients.kinesisSingleAttempt.send(new PutRecordsCommand({ StreamName: 'OneShard', Records: records(500) }));
    const answers = await Promise.all([put(), put(), put()]);
    const failed = answers.flatMap((answer) => answer.Records ?? []).filter((entry) => entry.ErrorCode);
    if (!shardLimits) {
      expect(failed).toEqual([]);
      return;
    }
    expect(failed.length).toBeGreaterThanOrEqual(400);
    expect(failed[0]?.ErrorCode).toBe('ProvisionedThroughputExceededException');
    expect(answers.reduce((sum, answer) => sum + (answer.FailedRecordCount ?? 0), 0)).toBe(failed.length);
  });

  it(`${shardLimits ? 'throttles' : 'lets through'} the sixth GetRecords on a shard within a second, as the SDK's own exception`, async () => {
    const { ShardIterator } = await clients.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: 'OneShard',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      }),
    );
    // Six calls at once (one iterator may be read again): a slow machine cannot spread them past the refill.
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async () => {
        try {
          await clients.kinesisSingleAttempt.send(new GetRecordsCommand({ ShardIterator }));
          return 'ok';
        } catch (error) {
          return error instanceof ProvisionedThroughputExceededException ? 'throttled' : String(error);
        }
      }),
    );
    outcomes.sort();
    expect(outcomes).toEqual(shardLimits ? ['ok', 'ok', 'ok', 'ok', 'ok', 'throttled'] : Array(6).fill('ok'));
  });

  it('tells what each shard let through and refused at its traffic address (the dashboard’s throttling panel)', async () => {
    const response = await fetch(`${stack.kinesisEndpoint}${SHARD_TRAFFIC_PATH}`);
    const report = (await response.json()) as ShardTrafficReport;
    expect(report.shardLimits).toBe(shardLimits);
    if (!shardLimits) {
      expect(report.streams).toEqual({});
      return;
    }
    const shard = report.streams.OneShard?.['shardId-000000000000'];
    expect(shard?.recordsIn).toBeGreaterThanOrEqual(1000);
    expect(shard?.recordsIn).toBeLessThanOrEqual(1100);
    expect((shard?.recordsIn ?? 0) + (shard?.recordsRefused ?? 0)).toBe(1500);
    expect(shard).toMatchObject({ reads: 5, readsThrottled: 1 });
  });
});

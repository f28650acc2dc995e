import { connect } from 'node:http2';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { localClients, readShardTraffic } from '@stock-trades/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../src/index.js';

/**
 * The stack's Kinesis port speaks HTTP/2 in the clear (h2c, prior knowledge) as well as HTTP/1.1:
 * the AWS SDK v3's Kinesis client, with nothing set but the standard environment, talks HTTP/2 to an
 * http:// endpoint, and must work against `pnpm stack` as it does against AWS.
 */
describe('a default SDK v3 Kinesis client against the stack', () => {
  let stack: RunningLocalStack;
  let client: KinesisClient;
  const saved = { ...process.env };

  beforeAll(async () => {
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
    // Only the SDK's standard environment, as a user's own code gets it.
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_KINESIS: stack.kinesisEndpoint,
    });
    client = new KinesisClient({});
  });

  afterAll(async () => {
    client?.destroy();
    process.env = saved;
    await stack?.stop();
  });

  it('speaks HTTP/2, and every Kinesis API the project uses works through it', async () => {
    expect(client.config.requestHandler.constructor.name).toBe('NodeHttp2Handler');
    await client.send(new CreateStreamCommand({ StreamName: 'h2', ShardCount: 1 }));
    await waitUntilStreamExists({ client, maxWaitTime: 30 }, { StreamName: 'h2' });
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'h2' }));
    expect(summary.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    expect((await client.send(new ListStreamsCommand({}))).StreamNames).toContain('h2');

    await client.send(new PutRecordCommand({ StreamName: 'h2', Data: Buffer.from('one'), PartitionKey: 'k' }));
    const put = await client.send(
      new PutRecordsCommand({
        StreamName: 'h2',
        Records: ['two', 'three'].map((text) => ({ Data: Buffer.from(text), PartitionKey: text })),
      }),
    );
    expect(put.FailedRecordCount).toBe(0);
    const [shard] = (await client.send(new ListShardsCommand({ StreamName: 'h2' }))).Shards ?? [];
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: 'h2', ShardId: shard?.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const page = await client.send(new GetRecordsCommand({ ShardIterator }));
    expect((page.Records ?? []).map((record) => Buffer.from(record.Data ?? []).toString())).toEqual([
      'one',
      'two',
      'three',
    ]);

    // The proxy counted what came over HTTP/2, as it counts HTTP/1.1: the same limits and counters for every client.
    const traffic = await readShardTraffic(stack.kinesisEndpoint);
    expect(traffic?.streams.h2?.[shard?.ShardId ?? '']).toMatchObject({ recordsIn: 3, reads: 1 });

    await client.send(
      new UpdateShardCountCommand({ StreamName: 'h2', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
    );
    await waitUntilStreamExists({ client, maxWaitTime: 30 }, { StreamName: 'h2' });
    let shards = 0;
    for (let attempt = 0; attempt < 50 && shards < 3; attempt++) {
      shards = ((await client.send(new ListShardsCommand({ StreamName: 'h2' }))).Shards ?? []).length;
      if (shards < 3) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(shards).toBe(3);
    await client.send(new DeleteStreamCommand({ StreamName: 'h2' }));
  });

  it('serves HTTP/1.1 on the same port at the same time: what one writes, the other reads', async () => {
    const http1 = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    try {
      await http1.kinesis.send(new CreateStreamCommand({ StreamName: 'both', ShardCount: 1 }));
      await waitUntilStreamExists({ client, maxWaitTime: 30 }, { StreamName: 'both' });
      await http1.kinesis.send(
        new PutRecordCommand({ StreamName: 'both', Data: Buffer.from('by h1'), PartitionKey: 'k' }),
      );
      await client.send(new PutRecordCommand({ StreamName: 'both', Data: Buffer.from('by h2'), PartitionKey: 'k' }));
      const [shard] = (await http1.kinesis.send(new ListShardsCommand({ StreamName: 'both' }))).Shards ?? [];
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({ StreamName: 'both', ShardId: shard?.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const page = await http1.kinesis.send(new GetRecordsCommand({ ShardIterator }));
      expect((page.Records ?? []).map((record) => Buffer.from(record.Data ?? []).toString())).toEqual([
        'by h1',
        'by h2',
      ]);
    } finally {
      http1.destroy();
    }
  });

  it('a dropped call resets its own HTTP/2 stream only: the session goes on, and faults reach HTTP/2 clients', async () => {
    const session = connect(stack.kinesisEndpoint);
    try {
      const call = (api: string) =>
        new Promise<{ status?: number; error?: string }>((resolve) => {
          const stream = session.request({
            ':method': 'POST',
            ':path': '/',
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `Kinesis_20131202.${api}`,
          });
          let status: number | undefined;
          stream.on('response', (headers) => {
            status = Number(headers[':status']);
          });
          stream.on('error', (error) => resolve({ error: error.message }));
          stream.on('close', () => resolve({ status }));
          stream.resume();
          stream.end('{}');
        });
      stack.faults.set('kinesis', 'ListStreams', { drop: 1 });
      const dropped = await call('ListStreams');
      expect(dropped.status).toBeUndefined();
      expect(dropped.error).toMatch(/NGHTTP2_INTERNAL_ERROR|RST_STREAM|code 2/);
      stack.faults.set('kinesis', 'ListStreams', { error: 1 });
      expect(await call('ListStreams')).toEqual({ status: 500 });
      stack.faults.clear();
      // Passed on to kinesis-local, which refuses an unsigned call with a 400: an answer, on the same session.
      expect(await call('ListStreams')).toEqual({ status: 400 });
      expect(session.closed || session.destroyed).toBe(false);
    } finally {
      stack.faults.clear();
      session.close();
    }
  });
});

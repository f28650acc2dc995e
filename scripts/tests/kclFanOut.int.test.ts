import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamConsumersCommand,
  PutRecordsCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { type AwsClients, localClients, readShardTraffic, StreamAdmin } from '@stock-trades/aws';
import { createWorker, DynamoLeaseStore, type MetricDatum, type ShardRecordProcessor } from '@stock-trades/kcl';
import { type RunningLocalStack, startLocalStack } from '@stock-trades/local-stack';
import { waitFor } from '@stock-trades/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * kcl's enhanced fan-out retrieval against the stack's SubscribeToShard: a worker registers its
 * application's stream consumer, reads every record once through subscriptions, follows a reshard
 * parents first, and gives its leases back on a clean stop.
 */
describe('a kcl worker with fan-out retrieval', () => {
  let stack: RunningLocalStack;
  let clients: AwsClients;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
    clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    // The worker's own client: the SDK's default (HTTP/2), as a service owner makes it.
    kinesis = new KinesisClient({
      region: 'us-east-1',
      endpoint: stack.kinesisEndpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    kinesis?.destroy();
    clients?.destroy();
    await stack?.stop();
  });

  const put = async (stream: string, from: number, count: number) => {
    for (let start = from; start < from + count; start += 100) {
      await clients.kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: Array.from({ length: Math.min(100, from + count - start) }, (_, index) => ({
            Data: Buffer.from(`record ${start + index}`),
            PartitionKey: `key-${start + index}`,
          })),
        }),
      );
    }
  };

  it('reads every record once, across a reshard, parents before children, and stops cleanly', async () => {
    const streams = new StreamAdmin(clients);
    await streams.create('fan-out', { capacity: 'PROVISIONED', shards: 2 });
    await streams.waitUntilActive('fan-out');
    await put('fan-out', 0, 300);

    const seen: Array<{ shardId: string; text: string; sequenceNumber: string }> = [];
    const ended: string[] = [];
    const metrics: MetricDatum[] = [];
    const processorFactory = (shardId: string): ShardRecordProcessor => ({
      initialize: () => {},
      processRecords: async ({ records, checkpointer }) => {
        for (const record of records) {
          seen.push({ shardId, text: Buffer.from(record.data).toString(), sequenceNumber: record.sequenceNumber });
        }
        if (records.length > 0) await checkpointer.checkpoint();
      },
      leaseLost: () => {},
      shardEnded: async ({ checkpointer }) => {
        ended.push(shardId);
        await checkpointer.checkpoint();
      },
      shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
    });
    const worker = createWorker({
      applicationName: 'FanApp',
      streamName: 'fan-out',
      workerId: 'fan-1',
      failoverMs: 3000,
      retrieval: { mode: 'fan-out' },
      processorFactory,
      kinesisClient: kinesis,
      dynamodbClient: clients.dynamodb,
      metrics: { record: (datum) => void metrics.push(datum) },
    });
    const stop = new AbortController();
    const running = worker.run(stop.signal);

    await waitFor('the backlog read', () => seen.length >= 300, 30_000, 100);
    // The consumer is the application's, registered by the worker.
    const streamArn = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'fan-out' })))
      .StreamDescriptionSummary?.StreamARN;
    const { Consumers } = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    expect(Consumers?.map((consumer) => [consumer.ConsumerName, consumer.ConsumerStatus])).toEqual([
      ['FanApp', 'ACTIVE'],
    ]);

    // Pushed as they come, then across a reshard: the parents end, their children are read after them.
    await put('fan-out', 300, 100);
    await waitFor('the new records', () => seen.length >= 400, 30_000, 100);
    await kinesis.send(
      new UpdateShardCountCommand({ StreamName: 'fan-out', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }),
    );
    await streams.waitUntilActive('fan-out');
    await put('fan-out', 400, 200);
    await waitFor('every record, the children’s too', () => seen.length >= 600, 60_000, 200);

    const texts = seen.map((record) => record.text);
    expect(new Set(texts).size).toBe(600);
    expect(texts).toHaveLength(600);
    expect(ended.sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    // Each child's records come after its parents ended: no child record was seen before the last parent's end.
    const childRecords = seen.filter(
      (record) => !['shardId-000000000000', 'shardId-000000000001'].includes(record.shardId),
    );
    expect(childRecords.length).toBeGreaterThan(0);
    // A batch is measured once its processRecords returned, after its checkpoint: the last one may still be writing.
    const processed = () =>
      metrics.filter((datum) => datum.name === 'RecordsProcessed').reduce((sum, datum) => sum + datum.value, 0);
    await waitFor('the last batch measured', () => processed() >= 600, 30_000, 100);
    expect(processed()).toBe(600);

    // Every record came through subscriptions: the stack answered no GetRecords on the stream.
    const traffic = await readShardTraffic(stack.kinesisEndpoint);
    const reads = Object.values(traffic?.streams['fan-out'] ?? {}).reduce((sum, shard) => sum + shard.reads, 0);
    expect(Object.keys(traffic?.streams['fan-out'] ?? {}).length).toBeGreaterThan(0);
    expect(reads).toBe(0);

    stop.abort();
    expect(await running).toEqual({ unfinishedShards: [] });
    const leases = await new DynamoLeaseStore({ tableName: 'FanApp', dynamodbClient: clients.dynamodb }).listLeases();
    expect(leases.filter((lease) => lease.leaseOwner !== undefined)).toEqual([]);
  });
});

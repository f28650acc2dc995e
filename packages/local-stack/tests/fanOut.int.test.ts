import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
  UpdateShardCountCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { readShardTraffic } from '@stock-trades/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLocalStack, startLocalStack } from '../src/index.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Enhanced fan-out on the embedded stack, through a default SDK v3 Kinesis client (HTTP/2): stream
 * consumers registered, described, listed and deregistered, and SubscribeToShard answered with an
 * event stream as AWS answers it.
 */
describe('enhanced fan-out on the stack', () => {
  let stack: RunningLocalStack;
  let client: KinesisClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'fan-out-data-'));

  beforeAll(async () => {
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, dataDir });
    client = new KinesisClient(clientConfig());
  });

  /** A default client but for where it points: HTTP/2, as the SDK speaks to Kinesis. */
  const clientConfig = () => ({
    region: 'us-east-1',
    endpoint: stack.kinesisEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

  afterAll(async () => {
    client?.destroy();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function streamWithConsumer(name: string, shards = 1) {
    await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    await waitUntilStreamExists({ client, maxWaitTime: 30 }, { StreamName: name });
    const streamArn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
      .StreamDescriptionSummary?.StreamARN as string;
    const { Consumer } = await client.send(
      new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'App' }),
    );
    expect(Consumer?.ConsumerStatus).toBe('CREATING');
    const consumerArn = Consumer?.ConsumerARN as string;
    for (let attempt = 0; attempt < 50; attempt++) {
      const { ConsumerDescription } = await client.send(
        new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }),
      );
      if (ConsumerDescription?.ConsumerStatus === 'ACTIVE') break;
      await sleep(100);
    }
    const [shard] = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
    return { streamArn, consumerArn, shardId: shard?.ShardId as string };
  }

  const put = (stream: string, texts: string[]) =>
    client.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: texts.map((text) => ({ Data: Buffer.from(text), PartitionKey: text })),
      }),
    );

  /** Subscribes, as a client that ends its subscription by aborting the call (as the SDK's users do). */
  async function subscribe(input: ConstructorParameters<typeof SubscribeToShardCommand>[0]) {
    const abort = new AbortController();
    const { EventStream } = await client.send(new SubscribeToShardCommand(input), { abortSignal: abort.signal });
    return { events: EventStream as AsyncIterable<SubscribeToShardEventStream>, abort };
  }

  /** Reads events until `until` says stop (then ends the subscription) or the stream ends; returns them. */
  async function collect(
    subscription: { events: AsyncIterable<SubscribeToShardEventStream>; abort: AbortController },
    until: (seen: SubscribeToShardEventStream[]) => boolean,
  ) {
    const seen: SubscribeToShardEventStream[] = [];
    for await (const event of subscription.events) {
      seen.push(event);
      if (until(seen)) break;
    }
    subscription.abort.abort();
    return seen;
  }
  const texts = (events: SubscribeToShardEventStream[]) =>
    events
      .flatMap((event) => event.SubscribeToShardEvent?.Records ?? [])
      .map((record) => Buffer.from(record.Data ?? []).toString());

  it('registers consumers in AWS ARN form, and pushes the records written before and after subscribing, in order', async () => {
    const { streamArn, consumerArn, shardId } = await streamWithConsumer('fan');
    expect(consumerArn).toMatch(/^arn:aws:kinesis:us-east-1:\d{12}:stream\/fan\/consumer\/App:\d+$/);
    expect((await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toEqual([
      expect.objectContaining({ ConsumerName: 'App', ConsumerARN: consumerArn, ConsumerStatus: 'ACTIVE' }),
    ]);
    await put('fan', ['a', 'b']);
    const subscription = await subscribe({
      ConsumerARN: consumerArn,
      ShardId: shardId,
      StartingPosition: { Type: 'TRIM_HORIZON' },
    });
    const later = sleep(300).then(() => put('fan', ['c']));
    const events = await collect(subscription, (seen) => texts(seen).length >= 3);
    await later;
    expect(texts(events)).toEqual(['a', 'b', 'c']);
    const last = events.at(-1)?.SubscribeToShardEvent;
    expect(last?.ContinuationSequenceNumber).toBe(last?.Records?.at(-1)?.SequenceNumber);
    expect(last?.MillisBehindLatest).toBe(0);

    // AFTER the continuation: only what came since.
    await sleep(1100);
    await put('fan', ['d']);
    const resumed = await subscribe({
      ConsumerARN: consumerArn,
      ShardId: shardId,
      StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: last?.ContinuationSequenceNumber },
    });
    const more = await collect(resumed, (seen) => texts(seen).length >= 1);
    expect(texts(more)).toEqual(['d']);
  });

  it('counts each application’s reads as itself: a polling SDK client by its app id, a fan-out one by its consumer', async () => {
    const { consumerArn, shardId } = await streamWithConsumer('readers');
    await put('readers', ['a', 'b', 'c']);
    // Polling, as an application whose SDK client says who it is.
    const audit = new KinesisClient({ ...clientConfig(), userAgentAppId: 'Audit' });
    const { ShardIterator } = await audit.send(
      new GetShardIteratorCommand({ StreamName: 'readers', ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const page = await audit.send(new GetRecordsCommand({ ShardIterator }));
    audit.destroy();
    expect(page.Records).toHaveLength(3);
    // Fan-out, as the consumer App.
    const events = await collect(
      await subscribe({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: { Type: 'TRIM_HORIZON' } }),
      (seen) => texts(seen).length >= 3,
    );
    expect(texts(events)).toEqual(['a', 'b', 'c']);

    const readers = (await readShardTraffic(stack.kinesisEndpoint))?.readers?.readers ?? [];
    // Each record: 1 byte of data and its 1-byte partition key.
    expect(readers).toEqual(
      expect.arrayContaining([
        {
          application: 'Audit',
          mode: 'polling',
          shards: { [shardId]: { reads: 1, readsThrottled: 0, recordsOut: 3, bytesOut: 6 } },
        },
        {
          application: 'App',
          mode: 'fan-out',
          shards: { [shardId]: expect.objectContaining({ readsThrottled: 0, recordsOut: 3, bytesOut: 6 }) },
        },
      ]),
    );
    expect(readers).toHaveLength(2);
  });

  it('one subscription per consumer and shard, one SubscribeToShard a second, and only for an ACTIVE consumer', async () => {
    const { consumerArn, shardId, streamArn } = await streamWithConsumer('rules');
    const input = { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: { Type: 'LATEST' as const } };
    // No retries here: the SDK would otherwise retry a LimitExceededException (it is throttling) past the second.
    const once = new KinesisClient({ ...clientConfig(), maxAttempts: 1 });
    const first = await subscribe(input);
    await expect(once.send(new SubscribeToShardCommand(input))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    await sleep(1100);
    await expect(once.send(new SubscribeToShardCommand(input))).rejects.toMatchObject({
      name: 'ResourceInUseException',
    });
    // The first goes on meanwhile.
    await put('rules', ['x']);
    expect(texts(await collect(first, (seen) => texts(seen).length >= 1))).toEqual(['x']);
    // Ended by its client (the call aborted): the proxy lets the consumer subscribe again.
    await sleep(1100);
    await collect(await subscribe(input), () => true);

    await client.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'App' }));
    await sleep(1100);
    await expect(once.send(new SubscribeToShardCommand(input))).rejects.toMatchObject({
      name: expect.stringMatching(/ResourceInUseException|ResourceNotFoundException/),
    });
    await expect(
      once.send(new SubscribeToShardCommand({ ...input, ConsumerARN: `${streamArn}/consumer/Nobody:1` })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    once.destroy();
  });

  it('takes at most 20 consumers per stream, as AWS, and a deregistered one is DELETING, then gone', async () => {
    await client.send(new CreateStreamCommand({ StreamName: 'many', ShardCount: 1 }));
    await waitUntilStreamExists({ client, maxWaitTime: 30 }, { StreamName: 'many' });
    const streamArn = (await client.send(new DescribeStreamSummaryCommand({ StreamName: 'many' })))
      .StreamDescriptionSummary?.StreamARN as string;
    for (let index = 0; index < 20; index++) {
      await client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: `c${index}` }));
    }
    await expect(
      client.send(new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'c20' })),
    ).rejects.toMatchObject({ name: 'LimitExceededException' });
    await client.send(new DeregisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'c0' }));
    const status = async () =>
      (
        await client
          .send(new DescribeStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: 'c0' }))
          .catch((error: Error) => ({ ConsumerDescription: { ConsumerStatus: error.name } }))
      ).ConsumerDescription?.ConsumerStatus;
    expect(await status()).toBe('DELETING');
    for (let attempt = 0; attempt < 50 && (await status()) === 'DELETING'; attempt++) await sleep(100);
    expect(await status()).toBe('ResourceNotFoundException');
    expect((await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn }))).Consumers).toHaveLength(19);
  });

  it('at the end of a shard, sends its children and ends the subscription', async () => {
    const { consumerArn, shardId } = await streamWithConsumer('ending');
    await put('ending', ['before']);
    const subscription = await subscribe({
      ConsumerARN: consumerArn,
      ShardId: shardId,
      StartingPosition: { Type: 'TRIM_HORIZON' },
    });
    const resharding = sleep(300).then(() =>
      client.send(
        new UpdateShardCountCommand({ StreamName: 'ending', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
      ),
    );
    const events = await collect(subscription, () => false);
    await resharding;
    expect(texts(events)).toEqual(['before']);
    const children = events.at(-1)?.SubscribeToShardEvent?.ChildShards ?? [];
    expect(children.map((child) => child.ParentShards)).toEqual([[shardId], [shardId]]);
  });

  it('a fault cuts a subscription mid-stream; a throttled SubscribeToShard is LimitExceededException', async () => {
    const { consumerArn, shardId } = await streamWithConsumer('faulty');
    await put('faulty', ['one']);
    const input = { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: { Type: 'TRIM_HORIZON' as const } };
    stack.faults.set('kinesis', 'SubscribeToShard', { lose: 1 });
    const cut = await subscribe(input);
    const seen: string[] = [];
    const outcome = await (async () => {
      for await (const event of cut.events) seen.push(...texts([event]));
      return 'ended';
    })().catch((error: Error) => `failed: ${error.name}`);
    expect(seen).toEqual(['one']);
    expect(outcome).toMatch(/^failed/);
    stack.faults.set('kinesis', 'SubscribeToShard', { throttle: 1 });
    await sleep(1100);
    const once = new KinesisClient({ ...clientConfig(), maxAttempts: 1 });
    await expect(once.send(new SubscribeToShardCommand(input))).rejects.toMatchObject({
      name: 'LimitExceededException',
    });
    once.destroy();
    stack.faults.clear();
  });

  it('keeps the stream consumers across a restart with a data folder', async () => {
    const { streamArn, consumerArn } = await streamWithConsumer('kept');
    await stack.restart('kinesis');
    const { Consumers } = await client.send(new ListStreamConsumersCommand({ StreamARN: streamArn }));
    expect(Consumers?.map((consumer) => consumer.ConsumerARN)).toEqual([consumerArn]);
  });
});

import type { KinesisClient, SubscribeToShardEventStream } from '@aws-sdk/client-kinesis';
import { describe, expect, it, vi } from 'vitest';
import { DependencyError, ResourceNotFoundError, ThrottledError, TransientError } from '../src/errors.js';
import { FanOutStreamPort } from '../src/FanOutStreamPort.js';

const STREAM_ARN = 'arn:aws:kinesis:us-east-1:1:stream/s';
const CONSUMER_ARN = `${STREAM_ARN}/consumer/App:1`;
const awsError = (name: string) => Object.assign(new Error(`${name} happened`), { name });

interface Sent {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/**
 * A Kinesis whose answers a test scripts, command by command: a function of the input, or an error to throw. Records
 * every call, and the abort signal each subscription was given.
 */
function kinesis(script: Partial<Record<string, (input: Record<string, unknown>) => unknown>>) {
  const sent: Sent[] = [];
  const signals: AbortSignal[] = [];
  const send = async (
    command: { constructor: { name: string }; input: Record<string, unknown> },
    options?: { abortSignal?: AbortSignal },
  ) => {
    const name = command.constructor.name.replace(/Command$/, '');
    sent.push({ command: name, input: command.input });
    if (name === 'SubscribeToShard' && options?.abortSignal) signals.push(options.abortSignal);
    const answer = script[name];
    if (!answer) throw new Error(`unexpected ${name}`);
    return answer(command.input);
  };
  return { client: { send } as unknown as KinesisClient, sent, signals };
}

const registered = {
  DescribeStreamSummary: () => ({ StreamDescriptionSummary: { StreamARN: STREAM_ARN } }),
  RegisterStreamConsumer: () => ({ Consumer: { ConsumerARN: CONSUMER_ARN, ConsumerStatus: 'CREATING' } }),
  DescribeStreamConsumer: () => ({ ConsumerDescription: { ConsumerARN: CONSUMER_ARN, ConsumerStatus: 'ACTIVE' } }),
};

/** An event stream that gives `events`, then (if given) throws `error`; otherwise waits until aborted. */
function eventStream(events: SubscribeToShardEventStream[], error?: Error) {
  return {
    EventStream: (async function* () {
      for (const event of events) yield event;
      if (error) throw error;
      await new Promise(() => {});
    })(),
  };
}

const port = (client: KinesisClient, extra: { maxWaitMs?: number; activeTimeoutMs?: number } = {}) =>
  new FanOutStreamPort({ streamName: 's', consumerName: 'App', kinesisClient: client, ...extra });

describe('FanOutStreamPort: registering the stream consumer', () => {
  it('registers it on the stream’s ARN, waits until ACTIVE by its ARN, and asks once for every shard', async () => {
    let describes = 0;
    const fake = kinesis({
      ...registered,
      DescribeStreamConsumer: () => ({
        ConsumerDescription: { ConsumerARN: CONSUMER_ARN, ConsumerStatus: ++describes < 2 ? 'CREATING' : 'ACTIVE' },
      }),
    });
    const reader = port(fake.client);
    await expect(Promise.all([reader.consumer(), reader.consumer()])).resolves.toEqual([CONSUMER_ARN, CONSUMER_ARN]);
    expect(fake.sent).toEqual([
      { command: 'DescribeStreamSummary', input: { StreamName: 's' } },
      { command: 'RegisterStreamConsumer', input: { StreamARN: STREAM_ARN, ConsumerName: 'App' } },
      { command: 'DescribeStreamConsumer', input: { ConsumerARN: CONSUMER_ARN } },
      { command: 'DescribeStreamConsumer', input: { ConsumerARN: CONSUMER_ARN } },
    ]);
  });

  it('uses the consumer another worker registered, found by stream and name', async () => {
    const fake = kinesis({
      ...registered,
      RegisterStreamConsumer: () => {
        throw awsError('ResourceInUseException');
      },
    });
    await expect(port(fake.client).consumer()).resolves.toBe(CONSUMER_ARN);
    expect(fake.sent.at(-1)).toEqual({
      command: 'DescribeStreamConsumer',
      input: { StreamARN: STREAM_ARN, ConsumerName: 'App' },
    });
  });

  it('fails on any other refusal, and tries again from the start next time', async () => {
    let refuse = true;
    const fake = kinesis({
      ...registered,
      RegisterStreamConsumer: () => {
        if (refuse) throw awsError('ResourceNotFoundException');
        return registered.RegisterStreamConsumer();
      },
    });
    const reader = port(fake.client);
    await expect(reader.consumer()).rejects.toThrow(ResourceNotFoundError);
    await expect(reader.consumer()).rejects.toThrow(/register stream consumer App/);
    refuse = false;
    await expect(reader.consumer()).resolves.toBe(CONSUMER_ARN);
  });

  it('says so when the stream has no ARN, and when the consumer is not ACTIVE in time', async () => {
    const noArn = kinesis({ ...registered, DescribeStreamSummary: () => ({ StreamDescriptionSummary: {} }) });
    await expect(port(noArn.client).consumer()).rejects.toThrow(ResourceNotFoundError);
    const creating = kinesis({
      ...registered,
      DescribeStreamConsumer: () => ({
        ConsumerDescription: { ConsumerARN: CONSUMER_ARN, ConsumerStatus: 'CREATING' },
      }),
    });
    const started = Date.now();
    await expect(port(creating.client, { activeTimeoutMs: 300 }).consumer()).rejects.toThrow(
      'stream consumer App is CREATING, not ACTIVE',
    );
    // It looked again every 200 ms until the time was up, no longer.
    expect(creating.sent.filter((call) => call.command === 'DescribeStreamConsumer').length).toBeGreaterThanOrEqual(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('FanOutStreamPort: subscriptions', () => {
  const subscribing = (answer: (input: Record<string, unknown>) => unknown) =>
    kinesis({ ...registered, SubscribeToShard: answer });

  it.each([
    [{ type: 'TRIM_HORIZON' } as const, { Type: 'TRIM_HORIZON' }],
    [{ type: 'LATEST' } as const, { Type: 'LATEST' }],
    [{ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '7' } as const, { Type: 'AT_SEQUENCE_NUMBER', SequenceNumber: '7' }],
    [
      { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: '7' } as const,
      { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: '7' },
    ],
    [
      { type: 'AT_TIMESTAMP', timestamp: new Date(1000) } as const,
      { Type: 'AT_TIMESTAMP', Timestamp: new Date(1000).toJSON() },
    ],
  ])('subscribes from %j as SubscribeToShard names it', async (position, expected) => {
    const fake = subscribing(() =>
      eventStream([{ SubscribeToShardEvent: { Records: [], ContinuationSequenceNumber: '9', MillisBehindLatest: 0 } }]),
    );
    const reader = port(fake.client);
    await reader.getRecords(await reader.getShardIterator('shard-1', position));
    const subscribe = fake.sent.find((call) => call.command === 'SubscribeToShard');
    expect(JSON.parse(JSON.stringify(subscribe?.input))).toEqual({
      ConsumerARN: CONSUMER_ARN,
      ShardId: 'shard-1',
      StartingPosition: expected,
    });
  });

  it('hands over an event as a page: records, continuation, lag; children only at the shard’s end', async () => {
    const arrived = new Date(5000);
    const fake = subscribing(() =>
      eventStream([
        {
          SubscribeToShardEvent: {
            Records: [
              {
                SequenceNumber: '1',
                PartitionKey: 'k',
                Data: new Uint8Array([1]),
                ApproximateArrivalTimestamp: arrived,
              },
              { SequenceNumber: '2' } as never,
            ],
            ContinuationSequenceNumber: '2',
            MillisBehindLatest: 700,
            ChildShards: [],
          },
        },
        // A kind of event this SDK does not know: nothing to hand over.
        { $unknown: ['SomethingNew', {}] } as never,
        { SubscribeToShardEvent: { Records: [], ContinuationSequenceNumber: '2' } as never },
        {
          SubscribeToShardEvent: {
            Records: [],
            ContinuationSequenceNumber: '3',
            MillisBehindLatest: 0,
            ChildShards: [
              { ShardId: 'c-1', ParentShards: ['shard-1'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' } },
            ],
          },
        },
      ]),
    );
    const reader = port(fake.client);
    const first = await reader.getRecords(await reader.getShardIterator('shard-1', { type: 'TRIM_HORIZON' }));
    expect(first.records).toEqual([
      { sequenceNumber: '1', partitionKey: 'k', data: new Uint8Array([1]), approximateArrivalTimestamp: arrived },
      { sequenceNumber: '2', partitionKey: '', data: new Uint8Array(), approximateArrivalTimestamp: undefined },
    ]);
    expect(first.millisBehindLatest).toBe(700);
    // An empty ChildShards is not the end: the next iterator goes on after the continuation.
    expect(first.childShards).toEqual([]);
    expect(first.nextIterator).toBeDefined();
    const unknown = await reader.getRecords(first.nextIterator as string);
    expect(unknown).toEqual({ records: [], nextIterator: first.nextIterator, millisBehindLatest: 0, childShards: [] });
    const second = await reader.getRecords(first.nextIterator as string);
    // No ChildShards at all is no children either.
    expect(second).toEqual({ records: [], millisBehindLatest: 0, nextIterator: first.nextIterator, childShards: [] });
    const last = await reader.getRecords(second.nextIterator as string);
    expect(last.nextIterator).toBeUndefined();
    expect(last.childShards.map((child) => child.shardId)).toEqual(['c-1']);
    // The shard ended: its subscription is closed.
    expect(fake.signals[0]?.aborted).toBe(true);
    expect(fake.sent.filter((call) => call.command === 'SubscribeToShard')).toHaveLength(1);
  });

  it('gives an empty page at the same place when nothing came in maxWaitMs, and the event on a later read', async () => {
    let push: (event: SubscribeToShardEventStream) => void = () => {};
    const fake = subscribing(() => ({
      EventStream: (async function* () {
        yield await new Promise<SubscribeToShardEventStream>((resolve) => {
          push = resolve;
        });
        await new Promise(() => {});
      })(),
    }));
    const reader = port(fake.client, { maxWaitMs: 20 });
    const iterator = await reader.getShardIterator('shard-1', { type: 'LATEST' });
    const empty = await reader.getRecords(iterator);
    expect(empty).toEqual({ records: [], nextIterator: iterator, millisBehindLatest: 0, childShards: [] });
    push({
      SubscribeToShardEvent: {
        Records: [{ SequenceNumber: '5', Data: new Uint8Array([2]) }],
        ContinuationSequenceNumber: '5',
        MillisBehindLatest: 0,
      },
    });
    const page = await reader.getRecords(iterator);
    expect(page.records.map((record) => record.sequenceNumber)).toEqual(['5']);
    // Still the one subscription.
    expect(fake.sent.filter((call) => call.command === 'SubscribeToShard')).toHaveLength(1);
  });

  it('waits a second for an event unless told otherwise, and leaves no timer behind once one came', async () => {
    vi.useFakeTimers();
    try {
      let push: (event: SubscribeToShardEventStream) => void = () => {};
      const fake = subscribing(() => ({
        EventStream: (async function* () {
          for (;;)
            yield await new Promise<SubscribeToShardEventStream>((resolve) => {
              push = resolve;
            });
        })(),
      }));
      const reader = port(fake.client);
      const iterator = await reader.getShardIterator('shard-1', { type: 'LATEST' });
      let answered = false;
      const read = reader.getRecords(iterator).then((page) => {
        answered = true;
        return page;
      });
      await vi.advanceTimersByTimeAsync(999);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await read).records).toEqual([]);

      const next = reader.getRecords(iterator);
      await vi.advanceTimersByTimeAsync(10);
      push({ SubscribeToShardEvent: { Records: [], ContinuationSequenceNumber: '5', MillisBehindLatest: 0 } });
      await next;
      expect(vi.getTimerCount()).toBe(0);
      reader.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it('subscribes again after release, and from a different iterator than the subscription’s; dispose closes all', async () => {
    const fake = subscribing(() =>
      eventStream([{ SubscribeToShardEvent: { Records: [], ContinuationSequenceNumber: '9', MillisBehindLatest: 0 } }]),
    );
    const reader = port(fake.client, { maxWaitMs: 20 });
    const trim = await reader.getShardIterator('shard-1', { type: 'TRIM_HORIZON' });
    await reader.getRecords(trim);
    reader.release('shard-1');
    expect(fake.signals[0]?.aborted).toBe(true);
    await reader.getRecords(trim);
    expect(fake.signals).toHaveLength(2);
    await reader.getRecords(await reader.getShardIterator('shard-1', { type: 'LATEST' }));
    expect(fake.signals).toHaveLength(3);
    expect(fake.signals[1]?.aborted).toBe(true);
    await reader.getRecords(await reader.getShardIterator('shard-2', { type: 'LATEST' }));
    reader.release('shard-unknown');
    reader.dispose();
    expect(fake.signals.every((signal) => signal.aborted)).toBe(true);
  });

  it.each([
    ['LimitExceededException', ThrottledError],
    ['ResourceInUseException', ThrottledError],
    ['ResourceNotFoundException', ResourceNotFoundError],
  ])('turns a SubscribeToShard refused with %s into %o', async (name, kind) => {
    const fake = subscribing(() => {
      throw awsError(name);
    });
    const reader = port(fake.client);
    const error = await reader
      .getRecords(await reader.getShardIterator('shard-1', { type: 'LATEST' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(kind);
    expect(fake.signals[0]?.aborted).toBe(true);
  });

  it('counts a subscription with no event stream as transient', async () => {
    const reader = port(subscribing(() => ({})).client);
    await expect(reader.getRecords(await reader.getShardIterator('shard-1', { type: 'LATEST' }))).rejects.toThrow(
      new TransientError('SubscribeToShard for shard-1 gave no event stream'),
    );
  });

  it.each([
    'ResourceNotFoundException',
    'InvalidArgumentException',
    'AccessDeniedException',
    'KMSAccessDeniedException',
    'KMSDisabledException',
    'KMSInvalidStateException',
    'KMSNotFoundException',
    'KMSOptInRequired',
  ])('does not subscribe past a stream that ended with %s', async (name) => {
    const reader = port(kinesis({ ...registered, SubscribeToShard: () => eventStream([], awsError(name)) }).client);
    const error = await reader
      .getRecords(await reader.getShardIterator('shard-1', { type: 'LATEST' }))
      .catch((caught: unknown) => caught);
    // Not transient, not throttling: the reader stops on it instead of subscribing again.
    expect(error).toBeInstanceOf(name === 'ResourceNotFoundException' ? ResourceNotFoundError : DependencyError);
  });

  it('subscribes again past a stream that broke any other way', async () => {
    const reset = Object.assign(new Error('stream reset'), { code: 'ERR_HTTP2_STREAM_ERROR' });
    const fake = kinesis({ ...registered, SubscribeToShard: () => eventStream([], reset) });
    const reader = port(fake.client);
    await expect(reader.getRecords(await reader.getShardIterator('shard-1', { type: 'LATEST' }))).rejects.toThrow(
      new TransientError('subscription broke: stream reset'),
    );
    expect(fake.signals[0]?.aborted).toBe(true);
  });
});

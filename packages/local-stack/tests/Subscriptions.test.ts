import { EventStreamCodec, type Message } from '@smithy/core/event-streams';
import { describe, expect, it } from 'vitest';
import type { KinesisAnswer } from '../src/proxy/kinesisCall.js';
import { ShardTraffic } from '../src/proxy/ShardTraffic.js';
import { type EventSink, Subscriptions } from '../src/proxy/Subscriptions.js';

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);
const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/App:1';
const body = (input: object) => Buffer.from(JSON.stringify(input));
const ok = (value: object): KinesisAnswer => ({ status: 200, body: value, text: JSON.stringify(value) });

/** A sink that decodes every event it is given. */
function sink() {
  const messages: Message[] = [];
  let status = 0;
  let ended = false;
  let cut = false;
  const events: EventSink = {
    writeHead: (code) => {
      status = code;
    },
    write: (chunk) => {
      messages.push(codec.decode(chunk));
      return true;
    },
    end: () => {
      ended = true;
    },
    once: () => {},
    destroyed: false,
    cut: () => {
      cut = true;
    },
  };
  const decoded = () =>
    messages.map((message) => ({
      type: String(message.headers[':event-type']?.value ?? message.headers[':exception-type']?.value),
      body: JSON.parse(Buffer.from(message.body).toString('utf8')),
    }));
  return { events, decoded, state: () => ({ status, ended, cut }) };
}

/** The emulator: an ACTIVE consumer, and a shard that gives `pages` in turn, then nothing. */
function emulator(pages: object[], consumerStatus = 'ACTIVE') {
  const calls: string[] = [];
  const call = async (api: string, input: object): Promise<KinesisAnswer> => {
    calls.push(api);
    if (api === 'DescribeStreamConsumer') return ok({ ConsumerDescription: { ConsumerStatus: consumerStatus } });
    if (api === 'GetShardIterator') return ok({ ShardIterator: `it-${JSON.stringify(input)}` });
    return ok(pages.shift() ?? { Records: [], NextShardIterator: 'next', MillisBehindLatest: 0 });
  };
  return { call, calls };
}

const record = (sequenceNumber: string) => ({ SequenceNumber: sequenceNumber, Data: 'eA==', PartitionKey: 'k' });
const subscribe = { ConsumerARN: ARN, ShardId: 'shardId-0', StartingPosition: { Type: 'TRIM_HORIZON' } };

describe('Subscriptions', () => {
  it('answers with an initial-response, then an event per page with records, and ends when the subscription is up', async () => {
    const { call } = emulator([
      { Records: [record('1'), record('2')], NextShardIterator: 'a', MillisBehindLatest: 900 },
      { Records: [record('3')], NextShardIterator: 'b', MillisBehindLatest: 0 },
    ]);
    const subscriptions = new Subscriptions({ call, bytesPerSecond: undefined, subscriptionMs: 300 });
    const { events, decoded, state } = sink();
    expect(await subscriptions.subscribe(body(subscribe), events)).toBeUndefined();
    expect(state()).toEqual({ status: 200, ended: true, cut: false });
    const [initial, first, second] = decoded();
    expect(initial).toEqual({ type: 'initial-response', body: {} });
    expect(first).toEqual({
      type: 'SubscribeToShardEvent',
      body: { Records: [record('1'), record('2')], ContinuationSequenceNumber: '2', MillisBehindLatest: 900 },
    });
    expect(second?.body).toMatchObject({ ContinuationSequenceNumber: '3', MillisBehindLatest: 0 });
    // Nothing more within the subscription's 300 ms: no empty events before the 5 s heartbeat.
    expect(decoded()).toHaveLength(3);
    expect(subscriptions.open).toBe(0);
  });

  it('counts under the consumer’s name the events it sent, their records and bytes, and a subscription refused', async () => {
    const { call } = emulator([
      { Records: [record('1'), record('2')], NextShardIterator: 'a', MillisBehindLatest: 900 },
      { Records: [record('3')], NextShardIterator: 'b', MillisBehindLatest: 0 },
    ]);
    const traffic = new ShardTraffic();
    const subscriptions = new Subscriptions({ call, bytesPerSecond: undefined, subscriptionMs: 300, traffic });
    await subscriptions.subscribe(body(subscribe), sink().events);
    // Again within the second: LimitExceededException, counted as the consumer's throttled read.
    const again = await subscriptions.subscribe(body(subscribe), sink().events);
    expect(JSON.parse(again?.body.toString() ?? '{}').__type).toBe('LimitExceededException');
    expect(traffic.report({ shardLimits: true, writeRecordsPerSecond: 0, writeBytesPerSecond: 0 }).readers).toEqual({
      s: [
        {
          application: 'App',
          mode: 'fan-out',
          // Each record: 1 byte of data ('eA==') and the partition key 'k'.
          shards: { 'shardId-0': { reads: 2, readsThrottled: 1, recordsOut: 3, bytesOut: 3 * 2 } },
        },
      ],
    });
  });

  it('ends at the shard end with its children', async () => {
    const children = [{ ShardId: 'c-1', ParentShards: ['shardId-0'] }];
    const { call } = emulator([{ Records: [], NextShardIterator: null, MillisBehindLatest: 0, ChildShards: children }]);
    const { events, decoded, state } = sink();
    await new Subscriptions({ call, bytesPerSecond: undefined }).subscribe(body(subscribe), events);
    expect(decoded().at(-1)).toEqual({
      type: 'SubscribeToShardEvent',
      body: { Records: [], MillisBehindLatest: 0, ChildShards: children },
    });
    expect(state().ended).toBe(true);
  });

  it('cuts a subscription mid-stream when told, after its first event with records', async () => {
    const { call } = emulator([{ Records: [record('1')], NextShardIterator: 'a', MillisBehindLatest: 0 }]);
    const { events, decoded, state } = sink();
    await new Subscriptions({ call, bytesPerSecond: undefined }).subscribe(body(subscribe), events, true);
    expect(state()).toEqual({ status: 200, ended: false, cut: true });
    expect(decoded().map((event) => event.type)).toEqual(['initial-response', 'SubscribeToShardEvent']);
  });

  it.each([
    ['a body that is not JSON', Buffer.from('{'), 'InvalidArgumentException'],
    ['no shard', body({ ConsumerARN: ARN, StartingPosition: { Type: 'LATEST' } }), 'InvalidArgumentException'],
    [
      'an unknown starting type',
      body({ ...subscribe, StartingPosition: { Type: 'SOMEWHERE' } }),
      'InvalidArgumentException',
    ],
    [
      'a stream ARN for a consumer ARN',
      body({ ...subscribe, ConsumerARN: 'arn:aws:kinesis:us-east-1:0:stream/s' }),
      'InvalidArgumentException',
    ],
  ])('refuses %s', async (_, request, type) => {
    const { call, calls } = emulator([]);
    const answer = await new Subscriptions({ call, bytesPerSecond: undefined }).subscribe(request, sink().events);
    expect(answer?.status).toBe(400);
    expect(JSON.parse(answer?.body.toString() ?? '{}').__type).toBe(type);
    expect(calls).toEqual([]);
  });

  it('refuses a consumer that is not ACTIVE, and passes on what the emulator refuses', async () => {
    const creating = emulator([], 'CREATING');
    const answer = await new Subscriptions({ call: creating.call, bytesPerSecond: undefined }).subscribe(
      body(subscribe),
      sink().events,
    );
    expect(JSON.parse(answer?.body.toString() ?? '{}').__type).toBe('ResourceInUseException');
    const missing = async (): Promise<KinesisAnswer> => ({
      status: 400,
      body: {},
      text: '{"__type":"ResourceNotFoundException"}',
    });
    const refused = await new Subscriptions({ call: missing, bytesPerSecond: undefined }).subscribe(
      body(subscribe),
      sink().events,
    );
    expect(refused?.body.toString()).toBe('{"__type":"ResourceNotFoundException"}');
  });
});

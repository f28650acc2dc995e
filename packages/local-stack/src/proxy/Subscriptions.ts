import { setTimeout as delay } from 'node:timers/promises';
import type { Message, MessageHeaders } from '@smithy/core/event-streams';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { awsError, type ProxyAnswer } from './awsErrors.js';
import { recordBytes } from './KinesisLimiter.js';
import type { KinesisAnswer } from './kinesisCall.js';
import type { ShardTraffic } from './ShardTraffic.js';
import { TokenBucket } from './TokenBucket.js';

/** How long AWS keeps a subscription open before the client must subscribe again. */
export const SUBSCRIPTION_MS = 5 * 60_000;
/** AWS's dedicated throughput per consumer and shard: 2 MiB a second. */
export const FAN_OUT_BYTES_PER_SECOND = 2 * 1024 * 1024;
/** How often an idle subscription looks for new records: under the 100 ms a record may take to arrive. */
const IDLE_POLL_MS = 50;
/** A subscription younger than this refuses another for its consumer and shard; an older one gives way to it. */
const REPLACE_AFTER_MS = 5_000;
/** With nothing new, an event still goes out this often, with the current MillisBehindLatest. */
const HEARTBEAT_MS = 5_000;

const STARTING_TYPES = new Set([
  'AT_SEQUENCE_NUMBER',
  'AFTER_SEQUENCE_NUMBER',
  'TRIM_HORIZON',
  'LATEST',
  'AT_TIMESTAMP',
]);
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
);

/** Where a subscription's events go: an HTTP response, HTTP/2 or HTTP/1.1. */
export interface EventSink {
  writeHead(status: number, headers: Record<string, string>): void;
  write(chunk: Uint8Array): boolean;
  end(): void;
  once(event: 'close' | 'drain', listener: () => void): void;
  readonly destroyed: boolean;
  /** Cuts the subscription off without an end (a dropped connection, mid-stream). */
  cut(): void;
}

export interface SubscriptionsOptions {
  /** A Kinesis call to the emulator. GetRecords goes through the proxy's paging. */
  readonly call: (api: string, input: object) => Promise<KinesisAnswer>;
  /** The per-consumer-and-shard read allowance, scaled as the stack's limits are; undefined: none. */
  readonly bytesPerSecond: number | undefined;
  readonly now?: () => number;
  /** How long a subscription lasts; AWS's 5 minutes by default (tests shorten it). */
  readonly subscriptionMs?: number;
  /** Where each consumer's events and refused subscriptions are counted, per shard. */
  readonly traffic?: ShardTraffic;
}

interface SubscribeInput {
  readonly ConsumerARN?: unknown;
  readonly ShardId?: unknown;
  readonly StartingPosition?: {
    readonly Type?: unknown;
    readonly SequenceNumber?: unknown;
    readonly Timestamp?: unknown;
  };
}

interface RecordsPageJson {
  readonly Records?: Array<{ readonly SequenceNumber: string; readonly Data?: string; readonly PartitionKey?: string }>;
  readonly NextShardIterator?: string | null;
  readonly MillisBehindLatest?: number;
  readonly ChildShards?: unknown[];
}

/**
 * Enhanced fan-out, served by the proxy: SubscribeToShard answered with an
 * `application/vnd.amazon.eventstream` body, as AWS answers it, fed by the proxy's own reads of
 * the emulator. One subscription per consumer and shard at a time: within 5 s of one, another is refused
 * (ResourceInUseException); after that it replaces it, as on AWS. At
 * most one SubscribeToShard a second per consumer and shard (LimitExceededException), events as
 * records arrive (polled every 50 ms while idle), 2 MiB/s per consumer and shard, and an end after
 * 5 minutes, or at the shard's end with its children.
 */
export class Subscriptions {
  private readonly active = new Map<string, { readonly startedAt: number; readonly replace: AbortController }>();
  private readonly lastStart = new Map<string, number>();
  private readonly closing = new AbortController();
  private readonly now: () => number;

  constructor(private readonly options: SubscriptionsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Subscriptions now open. */
  get open(): number {
    return this.active.size;
  }

  /** Ends every open subscription (the stack is stopping). */
  close(): void {
    this.closing.abort();
  }

  /**
   * Answers a SubscribeToShard: an error answer (returned, for the proxy to send), or the
   * subscription itself, streamed into `sink` until it ends (then undefined). `cutMidStream`: the
   * subscription is cut off, with no end, after its first event with records (an injected fault).
   */
  async subscribe(body: Buffer, sink: EventSink, cutMidStream = false): Promise<ProxyAnswer | undefined> {
    let input: SubscribeInput;
    try {
      input = JSON.parse(body.toString('utf8')) as SubscribeInput;
    } catch {
      return invalid('the request body is not JSON');
    }
    const { ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position } = input;
    if (typeof consumerArn !== 'string' || typeof shardId !== 'string' || typeof position?.Type !== 'string') {
      return invalid('ConsumerARN, ShardId and StartingPosition.Type are required');
    }
    if (!STARTING_TYPES.has(position.Type))
      return invalid(`StartingPosition.Type ${position.Type} is not one of ${[...STARTING_TYPES].join(', ')}`);
    const [, stream, consumerName] = /:stream\/([^/]+)\/consumer\/([^:]+):/.exec(consumerArn) ?? [];
    if (!stream || !consumerName) return invalid(`${consumerArn} is not a stream consumer's ARN`);
    const reader = { application: consumerName, mode: 'fan-out' } as const;
    const refuse = (answer: ProxyAnswer) => {
      this.options.traffic?.addRead(stream, reader, shardId, { readsThrottled: 1 });
      return answer;
    };
    const key = `${consumerArn}\u0000${shardId}`;
    const now = this.now();
    if (now - (this.lastStart.get(key) ?? Number.NEGATIVE_INFINITY) < 1000) {
      return refuse(
        awsError(
          'kinesis',
          400,
          'LimitExceededException',
          `Rate exceeded for consumer ${consumerArn} and shard ${shardId}: one SubscribeToShard a second`,
        ),
      );
    }
    const open = this.active.get(key);
    if (open && now - open.startedAt < REPLACE_AFTER_MS) {
      return refuse(
        awsError(
          'kinesis',
          400,
          'ResourceInUseException',
          `Another active subscription exists for consumer ${consumerArn} and shard ${shardId}`,
        ),
      );
    }
    // As on AWS, a subscription over 5 s old gives way to a new one for the same consumer and shard.
    open?.replace.abort();
    this.lastStart.set(key, now);

    const consumer = await this.options.call('DescribeStreamConsumer', { ConsumerARN: consumerArn });
    if (consumer.status >= 400) return passOn(consumer);
    const status = (consumer.body as { ConsumerDescription?: { ConsumerStatus?: string } }).ConsumerDescription
      ?.ConsumerStatus;
    if (status !== 'ACTIVE') {
      return awsError(
        'kinesis',
        400,
        'ResourceInUseException',
        `Consumer ${consumerArn} is ${status ?? 'unknown'}, not ACTIVE`,
      );
    }
    const iterator = await this.options.call('GetShardIterator', {
      StreamName: stream,
      ShardId: shardId,
      ShardIteratorType: position.Type,
      ...(typeof position.SequenceNumber === 'string' ? { StartingSequenceNumber: position.SequenceNumber } : {}),
      ...(position.Timestamp !== undefined ? { Timestamp: position.Timestamp } : {}),
    });
    if (iterator.status >= 400) return passOn(iterator);

    const mine = { startedAt: this.now(), replace: new AbortController() };
    this.active.set(key, mine);
    try {
      await this.stream(
        sink,
        (iterator.body as { ShardIterator: string }).ShardIterator,
        cutMidStream,
        mine.replace.signal,
        (counts) => this.options.traffic?.addRead(stream, reader, shardId, counts),
      );
    } finally {
      if (this.active.get(key) === mine) this.active.delete(key);
    }
    return undefined;
  }

  private async stream(
    sink: EventSink,
    firstIterator: string,
    cutMidStream: boolean,
    replaced: AbortSignal,
    count: (counts: { reads: number; recordsOut: number; bytesOut: number }) => void,
  ): Promise<void> {
    const endsAt = this.now() + (this.options.subscriptionMs ?? SUBSCRIPTION_MS);
    const bucket = this.options.bytesPerSecond === undefined ? undefined : new TokenBucket(this.options.bytesPerSecond);
    let gone = sink.destroyed;
    sink.once('close', () => {
      gone = true;
    });
    sink.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
    await send(sink, event('initial-response', {}));
    let iterator: string | null | undefined = firstIterator;
    let continuation: string | undefined;
    let lastEventAt = this.now();
    const stopped = AbortSignal.any([this.closing.signal, replaced]);
    while (!gone && !stopped.aborted && this.now() < endsAt && iterator) {
      const answer = await this.options.call('GetRecords', { ShardIterator: iterator, Limit: 10_000 });
      if (answer.status >= 400) {
        const type = (answer.body as { __type?: string } | undefined)?.__type?.split('#').pop() ?? 'InternalFailure';
        await send(sink, exception(type, answer.text));
        break;
      }
      const page = answer.body as RecordsPageJson;
      const records = page.Records ?? [];
      iterator = page.NextShardIterator;
      continuation = records.at(-1)?.SequenceNumber ?? continuation;
      const ended = !iterator;
      if (records.length > 0 || ended || this.now() - lastEventAt >= HEARTBEAT_MS) {
        const payload = {
          Records: records,
          ...(continuation === undefined ? {} : { ContinuationSequenceNumber: continuation }),
          MillisBehindLatest: page.MillisBehindLatest ?? 0,
          ...(ended ? { ChildShards: page.ChildShards ?? [] } : {}),
        };
        const bytes = records.reduce((sum, record) => sum + recordBytes(record), 0);
        // The consumer's 2 MiB/s on this shard: the next read waits until what was sent is paid for.
        bucket?.charge(bytes, this.now());
        await send(sink, event('SubscribeToShardEvent', payload));
        count({ reads: 1, recordsOut: records.length, bytesOut: bytes });
        lastEventAt = this.now();
        if (cutMidStream && records.length > 0) {
          sink.cut();
          return;
        }
      }
      if (ended) break;
      const wait = records.length > 0 ? 0 : IDLE_POLL_MS;
      await sleep(Math.max(wait, bucket ? waitFor(bucket, this.now()) : 0), stopped);
    }
    if (!gone) sink.end();
  }
}

function event(type: string, payload: object): Message {
  const headers: MessageHeaders = {
    ':message-type': { type: 'string', value: 'event' },
    ':event-type': { type: 'string', value: type },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  return { headers, body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')) };
}

function exception(type: string, text: string): Message {
  const headers: MessageHeaders = {
    ':message-type': { type: 'string', value: 'exception' },
    ':exception-type': { type: 'string', value: type },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  return { headers, body: new Uint8Array(Buffer.from(text || '{}', 'utf8')) };
}

/** Writes one event; waits for the client to take it when its window is full (back-pressure). */
async function send(sink: EventSink, message: Message): Promise<void> {
  if (sink.destroyed) return;
  if (!sink.write(codec.encode(message))) {
    await new Promise<void>((resolve) => {
      sink.once('drain', resolve);
      sink.once('close', resolve);
    });
  }
}

function invalid(message: string): ProxyAnswer {
  return awsError('kinesis', 400, 'InvalidArgumentException', message);
}

function passOn(answer: KinesisAnswer): ProxyAnswer {
  return {
    status: answer.status,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(answer.text),
  };
}

/** Milliseconds until the bucket is out of debt. */
function waitFor(bucket: TokenBucket, now: number): number {
  for (let ms = 0; ms <= 2000; ms += 50) if (bucket.has(0, now + ms)) return ms;
  return 2000;
}

/** Waits `ms`, or less when `signal` fires first (never rejects). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return delay(ms, undefined, { signal }).catch(() => {});
}

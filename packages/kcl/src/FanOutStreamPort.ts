import {
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  RegisterStreamConsumerCommand,
  type StartingPosition,
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import type { KinesisRecord } from '@stock-trades/kpl';
import { ResourceNotFoundError, ThrottledError, TransientError } from './errors.js';
import { KinesisStreamPort, type KinesisStreamPortOptions, toChildShard } from './KinesisStreamPort.js';
import type { IteratorPosition, RecordsPage } from './StreamPort.js';
import { errorName, translateSdkError } from './translateSdkError.js';

export interface FanOutStreamPortOptions extends KinesisStreamPortOptions {
  /** The stream consumer to register (or find) and read through: each application has its own. */
  readonly consumerName: string;
  /** How long a read waits for the next event before it answers with no records (the reader stays alive). */
  readonly maxWaitMs?: number;
  /** How long to wait for a new consumer to become ACTIVE. */
  readonly activeTimeoutMs?: number;
}

/** A shard's subscription, and the position its next event continues from. */
interface Subscription {
  readonly shardId: string;
  readonly events: AsyncIterator<SubscribeToShardEventStream>;
  readonly abort: AbortController;
  /** The token of the position after the last event handed over: the next read continues here. */
  token: string;
  pending: Promise<IteratorResult<SubscribeToShardEventStream>> | undefined;
}

const TOKEN_PREFIX = 'fan-out:';

/**
 * Enhanced fan-out retrieval behind the same StreamPort as polling: the stream consumer is
 * registered (or found) and waited for until ACTIVE; an "iterator" is a position in a shard, and
 * a read hands over the next SubscribeToShardEvent of that shard's subscription, subscribing from
 * the position when there is none (or when it ended, after 5 minutes, or failed), AFTER the last
 * continuation sequence number. A read never runs ahead of the processor: the next event is
 * asked for only when the reader asks for the next page. At a shard's end the page has no next
 * iterator and names the children, as GetRecords does. `createWorker` makes one for
 * `retrieval: { mode: 'fan-out' }`; build it yourself for a Scheduler of your own.
 *
 * @example
 * import { FanOutStreamPort, Scheduler, DynamoLeaseStore, schedulerConfig } from '@stock-trades/kcl';
 *
 * const stream = new FanOutStreamPort({ streamName: 'clicks', consumerName: 'click-counter' });
 * const worker = new Scheduler(
 *   schedulerConfig({ applicationName: 'click-counter', streamName: 'clicks', workerId: 'w-1', retrieval: { mode: 'fan-out' } }),
 *   { stream, store: new DynamoLeaseStore({ tableName: 'click-counter' }), processorFactory },
 * );
 */
export class FanOutStreamPort extends KinesisStreamPort {
  private consumerArn: Promise<string> | undefined;
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(private readonly fanOut: FanOutStreamPortOptions) {
    super(fanOut, 'http2');
  }

  /** The consumer's ARN, registered the first time it is needed. */
  consumer(): Promise<string> {
    this.consumerArn ??= this.registerConsumer().catch((error: unknown) => {
      this.consumerArn = undefined;
      throw error;
    });
    return this.consumerArn;
  }

  override async getShardIterator(shardId: string, position: IteratorPosition): Promise<string> {
    await this.consumer();
    return encode(shardId, toStartingPosition(position));
  }

  override async getRecords(iterator: string): Promise<RecordsPage> {
    const { shardId, position } = decode(iterator);
    let subscription = this.subscriptions.get(shardId);
    if (!subscription || subscription.token !== iterator) {
      subscription?.abort.abort();
      subscription = await this.subscribe(shardId, position, iterator);
    }
    subscription.pending ??= subscription.events.next();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      subscription.pending,
      new Promise<'waiting'>((resolve) => {
        timer = setTimeout(() => resolve('waiting'), this.fanOut.maxWaitMs ?? 1000);
      }),
    ])
      .catch((error: unknown) => {
        this.end(subscription);
        throw brokenSubscription(error);
      })
      // An event that came first leaves no timer behind: this runs on every read.
      .finally(() => clearTimeout(timer));
    // Nothing yet: an empty page at the same position, and the event still awaited for the next read.
    if (waited === 'waiting') return emptyPage(iterator);
    subscription.pending = undefined;
    if (waited.done) {
      // The subscription ended (5 minutes are up): the next read subscribes again from here.
      this.end(subscription);
      return emptyPage(iterator);
    }
    const event = waited.value.SubscribeToShardEvent;
    if (!event) return emptyPage(iterator);
    return this.page(subscription, event);
  }

  /** Ends the shard's subscription (its reader stopped: the lease was lost, the shard ended, the worker stops). */
  release(shardId: string): void {
    const subscription = this.subscriptions.get(shardId);
    if (subscription) this.end(subscription);
  }

  /** Ends every subscription (the worker has stopped). */
  dispose(): void {
    for (const subscription of this.subscriptions.values()) subscription.abort.abort();
    this.subscriptions.clear();
  }

  private page(subscription: Subscription, event: SubscribeToShardEvent): RecordsPage {
    const records: KinesisRecord[] = (event.Records ?? []).map((record) => ({
      sequenceNumber: record.SequenceNumber ?? '',
      partitionKey: record.PartitionKey ?? '',
      data: record.Data ?? new Uint8Array(),
      approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
    }));
    const childShards = (event.ChildShards ?? []).map(toChildShard);
    const ended = event.ChildShards !== undefined && event.ChildShards.length > 0;
    const continuation = event.ContinuationSequenceNumber;
    if (continuation) {
      subscription.token = encode(subscription.shardId, {
        Type: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: continuation,
      });
    }
    if (ended) this.end(subscription);
    return {
      records,
      nextIterator: ended ? undefined : subscription.token,
      millisBehindLatest: event.MillisBehindLatest ?? 0,
      childShards,
    };
  }

  private async subscribe(shardId: string, position: StartingPosition, token: string): Promise<Subscription> {
    const abort = new AbortController();
    try {
      const { EventStream } = await this.kinesis.send(
        new SubscribeToShardCommand({
          ConsumerARN: await this.consumer(),
          ShardId: shardId,
          StartingPosition: position,
        }),
        { abortSignal: abort.signal },
      );
      if (!EventStream) throw new TransientError(`SubscribeToShard for ${shardId} gave no event stream`);
      const subscription: Subscription = {
        shardId,
        events: EventStream[Symbol.asyncIterator](),
        abort,
        token,
        pending: undefined,
      };
      this.subscriptions.set(shardId, subscription);
      return subscription;
    } catch (error) {
      abort.abort();
      throw translateSubscriptionError(error);
    }
  }

  private end(subscription: Subscription): void {
    subscription.abort.abort();
    if (this.subscriptions.get(subscription.shardId) === subscription) this.subscriptions.delete(subscription.shardId);
  }

  private async registerConsumer(): Promise<string> {
    const { consumerName } = this.fanOut;
    try {
      const summary = await this.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: this.streamName }));
      const streamArn = summary.StreamDescriptionSummary?.StreamARN;
      if (!streamArn) throw new ResourceNotFoundError(`stream ${this.streamName} has no ARN`);
      let consumerArn: string | undefined;
      try {
        const registered = await this.kinesis.send(
          new RegisterStreamConsumerCommand({ StreamARN: streamArn, ConsumerName: consumerName }),
        );
        consumerArn = registered.Consumer?.ConsumerARN;
      } catch (error) {
        // Registered already (by another worker of the application, or an earlier run): use it.
        if (errorName(error) !== 'ResourceInUseException') throw error;
      }
      const deadline = Date.now() + (this.fanOut.activeTimeoutMs ?? 60_000);
      for (;;) {
        const { ConsumerDescription } = await this.kinesis.send(
          new DescribeStreamConsumerCommand(
            consumerArn ? { ConsumerARN: consumerArn } : { StreamARN: streamArn, ConsumerName: consumerName },
          ),
        );
        consumerArn = ConsumerDescription?.ConsumerARN ?? consumerArn;
        if (ConsumerDescription?.ConsumerStatus === 'ACTIVE' && consumerArn) return consumerArn;
        if (Date.now() > deadline) {
          throw new TransientError(
            `stream consumer ${consumerName} is ${ConsumerDescription?.ConsumerStatus}, not ACTIVE`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } catch (error) {
      throw translateSdkError(error, `register stream consumer ${consumerName}`);
    }
  }
}

/** No records, and the same position for the next read. */
function emptyPage(iterator: string): RecordsPage {
  return { records: [], nextIterator: iterator, millisBehindLatest: 0, childShards: [] };
}

function encode(shardId: string, position: StartingPosition): string {
  return `${TOKEN_PREFIX}${JSON.stringify({ shardId, position })}`;
}

function decode(iterator: string): { shardId: string; position: StartingPosition } {
  return JSON.parse(iterator.slice(TOKEN_PREFIX.length)) as { shardId: string; position: StartingPosition };
}

function toStartingPosition(position: IteratorPosition): StartingPosition {
  switch (position.type) {
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER':
      return { Type: position.type, SequenceNumber: position.sequenceNumber };
    case 'AT_TIMESTAMP':
      return { Type: 'AT_TIMESTAMP', Timestamp: position.timestamp };
    default:
      return { Type: position.type };
  }
}

/** What an event stream may end with that no new subscription gets past. */
const PERMANENT_EVENT_ERRORS = new Set([
  'ResourceNotFoundException',
  'InvalidArgumentException',
  'AccessDeniedException',
  'KMSAccessDeniedException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSNotFoundException',
  'KMSOptInRequired',
]);

/**
 * A subscription that broke while it was being read (a reset stream, a dropped connection, an
 * internal failure): transient, so the reader subscribes again from the last continuation, unless
 * the stream said something no new subscription gets past (the stream or consumer gone, access denied).
 */
function brokenSubscription(error: unknown): Error {
  if (PERMANENT_EVENT_ERRORS.has(errorName(error) ?? '')) return translateSdkError(error, 'read a subscription');
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(`subscription broke: ${message}`, error);
}

/**
 * A subscription that could not start or broke: LimitExceeded (subscribed again within a second)
 * and ResourceInUse (the previous subscription not yet closed) are waited out as throttling; a
 * dropped stream is transient; the rest as any other SDK error.
 */
function translateSubscriptionError(error: unknown): Error {
  const name = errorName(error);
  if (name === 'LimitExceededException' || name === 'ResourceInUseException') {
    return new ThrottledError(`SubscribeToShard: ${name}`, error);
  }
  return translateSdkError(error, 'read a subscription');
}

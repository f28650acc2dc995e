import type { KinesisClient } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FanOutStreamPort } from '../src/FanOutStreamPort.js';
import type { ShardRecordProcessor } from '../src/RecordProcessor.js';
import { FakeClock } from './helpers/FakeClock.js';
import { shardConsumerFixture } from './helpers/shardConsumerFixture.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
const SHARD = 'shard-1';
const seq = (index: number) => String(1_000_000 + index);

/** What happens to one subscription: how many events it gives, then whether it ends (5 minutes up) or breaks. */
interface SubscriptionPlan {
  readonly events: number;
  readonly end: 'ends' | 'breaks';
}

/**
 * A Kinesis of one closed shard of `total` records, seen through SubscribeToShard only: each subscription follows
 * the next plan (sizes of its events from `sizes`), and the shard's last event names two children.
 */
function fakeKinesis(total: number, plans: SubscriptionPlan[], sizes: number[]) {
  const subscriptions: string[] = [];
  let size = 0;
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    switch (command.constructor.name) {
      case 'DescribeStreamSummaryCommand':
        return { StreamDescriptionSummary: { StreamARN: 'arn:aws:kinesis:us-east-1:1:stream/s' } };
      case 'RegisterStreamConsumerCommand':
        return { Consumer: { ConsumerARN: 'arn:aws:kinesis:us-east-1:1:stream/s/consumer/App:1' } };
      case 'DescribeStreamConsumerCommand':
        return {
          ConsumerDescription: {
            ConsumerStatus: 'ACTIVE',
            ConsumerARN: 'arn:aws:kinesis:us-east-1:1:stream/s/consumer/App:1',
          },
        };
      case 'SubscribeToShardCommand': {
        const position = command.input.StartingPosition as { Type: string; SequenceNumber?: string };
        subscriptions.push(`${position.Type}${position.SequenceNumber ? ` ${position.SequenceNumber}` : ''}`);
        const from =
          position.Type === 'TRIM_HORIZON'
            ? 0
            : position.Type === 'AT_SEQUENCE_NUMBER'
              ? Number(position.SequenceNumber) - 1_000_000
              : Number(position.SequenceNumber) - 1_000_000 + 1;
        const plan = plans.shift() ?? { events: Number.POSITIVE_INFINITY, end: 'ends' };
        async function* events() {
          let next = from;
          for (let given = 0; given < plan.events; given++) {
            const count = Math.min(sizes[size++ % sizes.length] ?? 1, total - next);
            const records = Array.from({ length: count }, (_, index) => ({
              SequenceNumber: seq(next + index),
              PartitionKey: 'k',
              Data: new Uint8Array([1]),
            }));
            next += count;
            const atEnd = next >= total;
            yield {
              SubscribeToShardEvent: {
                Records: records,
                ContinuationSequenceNumber: seq(next - 1),
                MillisBehindLatest: 0,
                ...(atEnd
                  ? {
                      ChildShards: [
                        { ShardId: 'c-1', ParentShards: [SHARD] },
                        { ShardId: 'c-2', ParentShards: [SHARD] },
                      ],
                    }
                  : {}),
              },
            };
            if (atEnd) return;
          }
          if (plan.end === 'breaks') throw Object.assign(new Error('stream reset'), { code: 'ERR_HTTP2_STREAM_ERROR' });
        }
        return { EventStream: events() };
      }
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  return { client: { send } as unknown as KinesisClient, subscriptions };
}

/** A clock whose sleeps also renew the lease, as the worker's renew loop would meanwhile. */
class RenewingClock extends FakeClock {
  renew: () => Promise<void> = async () => {};
  override async sleep(ms: number): Promise<void> {
    await super.sleep(ms);
    await this.renew();
  }
}

/** Runs one shard's reader over fan-out to its end; returns what the processor was given, batch by batch. */
async function readShard(total: number, plans: SubscriptionPlan[], sizes: number[], checkpointEvery = 1) {
  const { client, subscriptions } = fakeKinesis(total, plans, sizes);
  const port = new FanOutStreamPort({ streamName: 's', consumerName: 'App', kinesisClient: client, maxWaitMs: 50 });
  const given: string[] = [];
  let batches = 0;
  let children: readonly string[] = [];
  const processor: ShardRecordProcessor = {
    initialize: () => {},
    processRecords: async ({ records, checkpointer }) => {
      given.push(...records.map((record) => record.sequenceNumber));
      if (records.length > 0 && ++batches % checkpointEvery === 0) await checkpointer.checkpoint();
    },
    leaseLost: () => {},
    shardEnded: async ({ checkpointer, childShardIds }) => {
      children = childShardIds;
      await checkpointer.checkpoint();
    },
    shutdownRequested: () => {},
  };
  const clock = new RenewingClock();
  const { consumer, renewer } = shardConsumerFixture(port, processor, {
    clock,
    config: { poll: { minMs: 0, maxMs: 0 } },
    random: () => 1,
  });
  clock.renew = async () => void (await renewer.renewAll(() => consumer.isHealthy(10_000)));
  const outcome = await consumer.run();
  port.dispose();
  return { outcome, given, subscriptions, children };
}

describe('FanOutStreamPort behind a shard reader', () => {
  it('reads a shard to its end through one subscription, and names the children', async () => {
    const { outcome, given, subscriptions, children } = await readShard(10, [], [3]);
    expect(outcome).toBe('shard-ended');
    expect(given).toEqual(Array.from({ length: 10 }, (_, index) => seq(index)));
    expect(subscriptions).toEqual(['TRIM_HORIZON']);
    expect(children).toEqual(['c-1', 'c-2']);
  });

  it('subscribes again after the continuation when a subscription ends, and when one breaks mid-stream', async () => {
    const { outcome, given, subscriptions } = await readShard(
      12,
      [
        { events: 2, end: 'ends' },
        { events: 1, end: 'breaks' },
      ],
      [2],
    );
    expect(outcome).toBe('shard-ended');
    expect(given).toEqual(Array.from({ length: 12 }, (_, index) => seq(index)));
    expect(subscriptions).toEqual([
      'TRIM_HORIZON',
      `AFTER_SEQUENCE_NUMBER ${seq(3)}`,
      `AFTER_SEQUENCE_NUMBER ${seq(5)}`,
    ]);
  });

  it('whatever subscriptions end or break, and however events are cut: every record once, in order, to the end', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.record({ events: fc.integer({ min: 0, max: 4 }), end: fc.constantFrom('ends', 'breaks') }), {
          maxLength: 12,
        }),
        // Events of 0 to 7 records, some of them with records (a stream of empty events would never end).
        fc
          .array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 8 })
          .filter((sizes) => sizes.some((size) => size > 0)),
        fc.integer({ min: 1, max: 3 }),
        async (total, plans, sizes, checkpointEvery) => {
          const { outcome, given } = await readShard(total, plans as SubscriptionPlan[], sizes, checkpointEvery);
          expect(outcome).toBe('shard-ended');
          expect(given).toEqual(Array.from({ length: total }, (_, index) => seq(index)));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

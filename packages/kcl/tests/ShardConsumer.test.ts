import { describe, expect, it } from 'vitest';
import {
  ExpiredIteratorError,
  type IteratorPosition,
  type KinesisRecord,
  type RecordsPage,
  type ShardRecordProcessor,
  type StreamPort,
  ThrottledError,
  TransientError,
  type UserRecord,
} from '../src/index.js';
import type { FakeClock } from './helpers/FakeClock.js';
import { shardConsumerFixture } from './helpers/shardConsumerFixture.js';

const record = (sequenceNumber: string): KinesisRecord => ({
  sequenceNumber,
  partitionKey: 'k',
  data: Buffer.from(sequenceNumber),
});

/** A shard whose reads follow a script: pages of records, or errors, then the end. */
class ScriptedStream implements StreamPort {
  readonly iteratorRequests: IteratorPosition[] = [];

  constructor(private readonly script: Array<KinesisRecord[] | Error>) {}

  async listShards() {
    return [];
  }

  async getShardIterator(_shardId: string, position: IteratorPosition): Promise<string> {
    this.iteratorRequests.push(position);
    return `iterator-${this.iteratorRequests.length}`;
  }

  async getRecords(): Promise<RecordsPage> {
    const step = this.script.shift();
    if (step instanceof Error) throw step;
    const last = this.script.length === 0;
    return { records: step ?? [], nextIterator: last ? undefined : 'next', millisBehindLatest: 0, childShards: [] };
  }
}

/** A processor that writes down what it was given and checkpoints after every batch. */
function recordingProcessor() {
  const seen: string[] = [];
  const events: string[] = [];
  const processor: ShardRecordProcessor = {
    initialize: ({ checkpoint }) => void events.push(`initialize ${checkpoint.sequenceNumber}`),
    processRecords: async ({ records, checkpointer }) => {
      seen.push(...records.map((user: UserRecord) => `${user.sequenceNumber}/${user.subSequenceNumber}`));
      if (records.length > 0) await checkpointer.checkpoint();
    },
    leaseLost: () => void events.push('leaseLost'),
    shardEnded: async ({ checkpointer }) => {
      events.push('shardEnded');
      await checkpointer.checkpoint();
    },
    shutdownRequested: () => void events.push('shutdownRequested'),
  };
  return { processor, seen, events };
}

function consumerFor(stream: StreamPort, processor: ShardRecordProcessor, checkpoint = 'TRIM_HORIZON') {
  return shardConsumerFixture(stream, processor, {
    lease: { checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 } },
  });
}

describe('ShardConsumer', () => {
  it('gets a new iterator when one expires, resumes at the last record delivered, and delivers nothing twice', async () => {
    const stream = new ScriptedStream([
      [record('1'), record('2')],
      new ExpiredIteratorError('expired'),
      [record('2'), record('3')],
      [],
    ]);
    const { processor, seen, events } = recordingProcessor();
    const { consumer, store } = consumerFor(stream, processor);

    expect(await consumer.run()).toBe('shard-ended');

    expect(seen).toEqual(['1/0', '2/0', '3/0']);
    expect(stream.iteratorRequests).toEqual([
      { type: 'TRIM_HORIZON' },
      { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '2' },
    ]);
    expect(events).toEqual(['initialize TRIM_HORIZON', 'shardEnded']);
    expect(store.leases.get('shard-1')?.checkpoint.sequenceNumber).toBe('SHARD_END');
  });

  it('backs off when throttled and carries on', async () => {
    const stream = new ScriptedStream([
      new ThrottledError('slow down'),
      new ThrottledError('slow down'),
      [record('7')],
      [],
    ]);
    const { processor, seen } = recordingProcessor();
    const { consumer } = consumerFor(stream, processor);

    expect(await consumer.run()).toBe('shard-ended');
    expect(seen).toEqual(['7/0']);
  });

  it('retries a transient fault of GetRecords (a reset, a timeout, a 5xx) instead of failing the shard', async () => {
    const stream = new ScriptedStream([
      new TransientError('get records failed for now: Error: socket hang up'),
      new TransientError('get records failed for now: InternalFailure'),
      [record('7')],
      [],
    ]);
    const { processor, seen } = recordingProcessor();
    const { consumer } = consumerFor(stream, processor);

    expect(await consumer.run()).toBe('shard-ended');
    expect(seen).toEqual(['7/0']);
  });

  it('keeps counting as healthy (so its lease is renewed) while merely throttled, longer than the failover time', async () => {
    const healthy: boolean[] = [];
    let calls = 0;
    const stream: StreamPort = {
      listShards: async () => [],
      getShardIterator: async () => 'iterator',
      getRecords: async () => {
        healthy.push(consumer.isHealthy(10_000));
        await renewer.renewAll((leaseKey) => consumer.isHealthy(10_000) || leaseKey !== 'shard-1'); // the renew loop
        if (++calls <= 8) throw new ThrottledError('slow down'); // backing off 16 s in all, on the fake clock
        return { records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: [] };
      },
    };
    const { processor } = recordingProcessor();
    const { consumer, renewer } = consumerFor(stream, processor);

    expect(await consumer.run()).toBe('shard-ended');
    expect(healthy).toEqual(Array(9).fill(true));
  });

  it('starts at the checkpoint’s own sequence number, skipping what was already processed', async () => {
    const stream = new ScriptedStream([[record('40'), record('41')], []]);
    const { processor, seen } = recordingProcessor();
    const { consumer } = consumerFor(stream, processor, '40');

    await consumer.run();

    expect(stream.iteratorRequests[0]).toEqual({ type: 'AT_SEQUENCE_NUMBER', sequenceNumber: '40' });
    expect(seen).toEqual(['41/0']);
  });

  it('tells the processor its lease is lost, and nothing else, when a checkpoint finds another owner', async () => {
    const stream = new ScriptedStream([[record('1')], [record('2')], []]);
    const { processor, events } = recordingProcessor();
    const { consumer, store } = consumerFor(stream, processor);
    store.bump('shard-1', { leaseOwner: 'thief' });

    expect(await consumer.run()).toBe('lease-lost');
    expect(events).toEqual(['initialize TRIM_HORIZON', 'leaseLost']);
  });
  it('hands nothing more to its processor once the failover time has passed since its last lease write went out', async () => {
    // A worker frozen (SIGSTOP) in the middle of a read: when it wakes, another worker may hold the lease.
    let clockOf: FakeClock | undefined;
    const stream: StreamPort = {
      listShards: async () => [],
      getShardIterator: async () => 'iterator',
      getRecords: async () => {
        clockOf?.advance(10_000); // frozen for exactly the failover time
        return { records: [record('1')], nextIterator: 'next', millisBehindLatest: 0, childShards: [] };
      },
    };
    const { processor, seen, events } = recordingProcessor();
    const { consumer, clock, store } = consumerFor(stream, processor);
    clockOf = clock;

    expect(await consumer.run()).toBe('lease-lost');
    expect(seen).toEqual([]);
    expect(events).toEqual(['initialize TRIM_HORIZON', 'leaseLost']);
    expect(store.leases.get('shard-1')?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });
});

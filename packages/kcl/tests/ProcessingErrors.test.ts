import type { KinesisRecord } from '@stock-trades/kpl';
import { describe, expect, it } from 'vitest';
import { ResourceNotFoundError, ThrottledError, TransientError } from '../src/errors.js';
import type { ShardInfo } from '../src/Lease.js';
import {
  backoffMs,
  DEFAULT_PROCESSING_ERRORS,
  type ProcessingErrorSettings,
  type ProcessingFailure,
} from '../src/ProcessingErrors.js';
import type { ShardRecordProcessor } from '../src/RecordProcessor.js';
import type { ShardConsumer } from '../src/ShardConsumer.js';
import type { IteratorPosition, RecordsPage, StreamPort } from '../src/StreamPort.js';
import { FakeClock } from './helpers/FakeClock.js';
import { shardConsumerFixture } from './helpers/shardConsumerFixture.js';

const SHARD = 'shard-1';
const record = (sequenceNumber: string): KinesisRecord => ({
  sequenceNumber,
  partitionKey: 'k',
  data: Buffer.from('x'),
});

/** A shard of pages, then its end; counts the reads. `iteratorErrors` are thrown by GetShardIterator first. */
class Pages implements StreamPort {
  reads = 0;
  iteratorCalls = 0;
  constructor(
    private readonly pages: KinesisRecord[][],
    private readonly iteratorErrors: Array<Error | ((call: number) => Error | undefined)> = [],
  ) {}
  async listShards(): Promise<ShardInfo[]> {
    return [];
  }
  async getShardIterator(_shardId: string, _position: IteratorPosition): Promise<string> {
    this.iteratorCalls++;
    const next = this.iteratorErrors[0];
    const error = typeof next === 'function' ? next(this.iteratorCalls) : this.iteratorErrors.shift();
    if (error) throw error;
    return 'iterator';
  }
  async getRecords(): Promise<RecordsPage> {
    this.reads++;
    const page = this.pages.shift();
    if (!page) return { records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: [] };
    return { records: page, nextIterator: 'next', millisBehindLatest: 0, childShards: [] };
  }
}

/** A clock noting its sleeps, with a renew loop beside it every 1 s: the lease stays fresh while the consumer is healthy. */
class RenewingClock extends FakeClock {
  readonly sleeps: number[] = [];
  renew: () => Promise<void> = async () => {};
  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    for (let left = ms; left > 0; left -= 1000) {
      await super.sleep(Math.min(1000, left));
      await this.renew();
    }
  }
}

function consumerOf(
  stream: StreamPort,
  processor: ShardRecordProcessor,
  processingErrors?: Partial<ProcessingErrorSettings>,
) {
  const fixture = shardConsumerFixture(stream, processor, {
    clock: new RenewingClock(),
    config: { processingErrors: { ...DEFAULT_PROCESSING_ERRORS, ...processingErrors } },
    random: () => 1,
  });
  const { consumer, renewer, clock } = fixture;
  clock.renew = async () => void (await renewer.renewAll(() => consumer.isHealthy(10_000)));
  return fixture;
}

const base: ShardRecordProcessor = {
  initialize: () => {},
  processRecords: () => {},
  leaseLost: () => {},
  shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
  shutdownRequested: () => {},
};

const sequences = (records: readonly { sequenceNumber: string }[]) => records.map((entry) => entry.sequenceNumber);

describe('a processor that throws', () => {
  it('gets the same batch again in place, from its last checkpoint, within a second, its lease kept', async () => {
    const seen: string[][] = [];
    const stream = new Pages([[record('1'), record('2'), record('3')], [record('4')]]);
    let thrown = 0;
    const { consumer, store, clock } = consumerOf(stream, {
      ...base,
      processRecords: async ({ records, checkpointer }) => {
        if (records.length === 0) return;
        seen.push(sequences(records));
        if (sequences(records).includes('3') && thrown++ < 2) {
          // Part of the batch is done and checkpointed before the first failure: it must never come again.
          if (records[0]?.sequenceNumber === '1')
            await checkpointer.checkpoint({ sequenceNumber: '2', subSequenceNumber: 0 });
          throw new Error('the database is down');
        }
        await checkpointer.checkpoint();
      },
    });
    expect(await consumer.run()).toBe('shard-ended');
    // Thrown twice on 1-3 (2 checkpointed the first time): 3 is given alone, twice, with no read in between.
    expect(seen).toEqual([['1', '2', '3'], ['3'], ['3'], ['4']]);
    expect(stream.reads).toBe(3);
    // Backoff: the first retry within a second, the next one longer.
    expect(clock.sleeps.slice(0, 2)).toEqual([250, 500]);
    expect(store.leases.get(SHARD)?.leaseOwner).toBe('me');
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('SHARD_END');
  });

  it('keeps its lease while it keeps throwing, well past the failover time, and shows how many times it failed', async () => {
    let attempts = 0;
    let failuresSeen = 0;
    const stream = new Pages([[record('1')]]);
    const { consumer, store, clock } = consumerOf(stream, {
      ...base,
      processRecords: async ({ records, checkpointer }) => {
        if (records.length === 0) return;
        failuresSeen = consumer.processingFailures;
        if (++attempts < 8) throw new Error('still down');
        await checkpointer.checkpoint();
      },
    });
    expect(await consumer.run()).toBe('shard-ended');
    // 250 + 500 + … (capped at 30 s): over a minute of failures, the lease renewed throughout.
    expect(clock.sleeps.slice(0, 7).reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(30_000);
    expect(failuresSeen).toBe(7);
    expect(consumer.processingFailures).toBe(0);
    expect(store.leases.get(SHARD)?.leaseOwner).toBe('me');
  });

  it('with the skip policy: after the attempts, checkpoints past the batch and goes on, as the Java KCL does', async () => {
    const seen: string[][] = [];
    const { consumer, store } = consumerOf(
      new Pages([[record('1'), record('2'), record('3')], [record('4')]]),
      {
        ...base,
        processRecords: async ({ records, checkpointer }) => {
          if (records.length === 0) return;
          seen.push(sequences(records));
          if (records[0]?.sequenceNumber === '1') throw new Error('a poison record');
          // The checkpoint is already past the skipped batch: at its last record.
          expect(checkpointer.lastCheckpoint.sequenceNumber).toBe('3');
          await checkpointer.checkpoint();
        },
        shardEnded: async ({ checkpointer }) => checkpointer.checkpoint(),
      },
      { policy: 'skip', attempts: 2 },
    );
    expect(await consumer.run()).toBe('shard-ended');
    expect(seen).toEqual([['1', '2', '3'], ['1', '2', '3'], ['4']]);
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('SHARD_END');
  });

  it('asks the hook on every failure, with the records still to do, and does what it says', async () => {
    const asked: Array<Pick<ProcessingFailure, 'during' | 'attempt' | 'shardId'> & { records: string[] }> = [];
    const deadLetters: string[] = [];
    const { consumer } = consumerOf(
      new Pages([[record('1'), record('2')], [record('3')]]),
      {
        ...base,
        processRecords: async ({ records, checkpointer }) => {
          if (records.length === 0) return;
          if (records[0]?.sequenceNumber === '1') throw new Error('a poison record');
          await checkpointer.checkpoint();
        },
      },
      {
        // Retry once, then send the batch to a dead-letter list and skip it.
        policy: ({ during, attempt, shardId, records }) => {
          asked.push({ during, attempt, shardId, records: sequences(records) });
          if (attempt < 2) return 'retry';
          deadLetters.push(...sequences(records));
          return 'skip';
        },
      },
    );
    expect(await consumer.run()).toBe('shard-ended');
    expect(asked).toEqual([
      { during: 'processRecords', attempt: 1, shardId: SHARD, records: ['1', '2'] },
      { during: 'processRecords', attempt: 2, shardId: SHARD, records: ['1', '2'] },
    ]);
    expect(deadLetters).toEqual(['1', '2']);
  });

  it('asks the hook about initialize and shardEnded too, with no records', async () => {
    const asked: Array<{ during: string; records: number }> = [];
    let inits = 0;
    let ends = 0;
    const { consumer } = consumerOf(
      new Pages([[record('1')]]),
      {
        ...base,
        initialize: () => {
          if (++inits === 1) throw new Error('config not loaded yet');
        },
        shardEnded: async ({ checkpointer }) => {
          if (++ends === 1) throw new Error('flush failed');
          await checkpointer.checkpoint();
        },
      },
      {
        policy: ({ during, records }) => {
          asked.push({ during, records: records.length });
          return 'retry';
        },
      },
    );
    expect(await consumer.run()).toBe('shard-ended');
    expect(asked).toEqual([
      { during: 'initialize', records: 0 },
      { during: 'shardEnded', records: 0 },
    ]);
  });

  it('retries initialize and shardEnded in place too, and never skips initialize', async () => {
    const calls: string[] = [];
    let inits = 0;
    let ends = 0;
    const { consumer, store } = consumerOf(
      new Pages([[record('1')]]),
      {
        ...base,
        initialize: () => {
          calls.push('initialize');
          if (++inits < 3) throw new Error('config not loaded yet');
        },
        processRecords: async ({ records, checkpointer }) => {
          if (records.length === 0) return;
          calls.push(`processRecords ${sequences(records).join(',')}`);
          await checkpointer.checkpoint();
        },
        shardEnded: async ({ checkpointer }) => {
          calls.push('shardEnded');
          if (++ends < 2) throw new Error('flush failed');
          await checkpointer.checkpoint();
        },
      },
      { policy: 'skip', attempts: 1 },
    );
    expect(await consumer.run()).toBe('shard-ended');
    // initialize is retried even under 'skip'; shardEnded is skipped after its attempt, and kcl checkpoints SHARD_END.
    expect(calls).toEqual(['initialize', 'initialize', 'initialize', 'processRecords 1', 'shardEnded']);
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('SHARD_END');
  });

  it('gives the lease up once it could not be renewed for the failover time, and is not called again after', async () => {
    // The table cannot be reached: no renewal succeeds, and nobody has told the consumer yet (the renewer's own check
    // runs on its interval). After a backoff past the failover time, the processor must not be given the batch again.
    const attemptsAt: number[] = [];
    const lost: string[] = [];
    const clock = { now: () => 0 };
    const {
      consumer,
      store,
      clock: fakeClock,
    } = consumerOf(new Pages([[record('1')]]), {
      ...base,
      processRecords: async ({ records, checkpointer }) => {
        if (records.length === 0) return;
        attemptsAt.push(clock.now());
        if (attemptsAt.length < 8) throw new Error('down');
        await checkpointer.checkpoint();
      },
      leaseLost: () => void lost.push('leaseLost'),
    });
    const startedAt = fakeClock.monotonicNow();
    clock.now = () => fakeClock.monotonicNow() - startedAt;
    fakeClock.renew = async () => {};
    expect(await consumer.run()).toBe('lease-lost');
    // 250, 500, 1000, 2000, 4000 ms apart: six attempts within the 10 s; the seventh would come 8 s later, at 15.75 s.
    expect(attemptsAt).toEqual([0, 250, 750, 1750, 3750, 7750]);
    expect(lost).toEqual(['leaseLost']);
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });

  it('is a stalled reader again once the batch went through: retrying only covers the retries', async () => {
    // The first read gives one record; the second never answers (a hung connection).
    let reads = 0;
    let answer: (page: RecordsPage) => void = () => {};
    const stream: StreamPort = {
      listShards: async () => [],
      getShardIterator: async () => 'iterator',
      getRecords: () => {
        reads++;
        if (reads === 1)
          return Promise.resolve({
            records: [record('1')],
            nextIterator: 'next',
            millisBehindLatest: 0,
            childShards: [],
          });
        return new Promise<RecordsPage>((resolve) => {
          answer = resolve;
        });
      },
    };
    let attempts = 0;
    const { consumer, clock } = consumerOf(stream, {
      ...base,
      processRecords: ({ records }) => {
        if (records.length > 0 && ++attempts === 1) throw new Error('down for a moment');
      },
    });
    const outcome = consumer.run();
    while (reads < 2) await new Promise((resolve) => setImmediate(resolve));

    expect(attempts).toBe(2);
    expect(consumer.isHealthy(10_000)).toBe(true);
    clock.advance(10_001);
    expect(consumer.isHealthy(10_000)).toBe(false);

    // Not renewed meanwhile, the lease is past the failover time when the answer comes: given up, as it must be.
    answer({ records: [], nextIterator: undefined, millisBehindLatest: 0, childShards: [] });
    expect(await outcome).toBe('lease-lost');
  });

  it('stops retrying, without a checkpoint, once the worker stops', async () => {
    const controller: { consumer?: ShardConsumer } = {};
    let attempts = 0;
    const { consumer, store } = consumerOf(new Pages([[record('1')]]), {
      ...base,
      processRecords: ({ records }) => {
        if (records.length === 0) return;
        if (++attempts === 2) controller.consumer?.stop('shutdown');
        throw new Error('down');
      },
    });
    controller.consumer = consumer;
    expect(await consumer.run()).toBe('shutdown');
    expect(attempts).toBe(2);
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });
});

describe('a worker that stops while a call is being retried', () => {
  /** A consumer of a one-record shard whose processor notes its calls, with `stopAfter` stopping it from inside. */
  function stopping(processor: Partial<ShardRecordProcessor>, stream: StreamPort = new Pages([[record('1')]])) {
    const calls: string[] = [];
    const controller: { consumer?: ShardConsumer } = {};
    const fixture = consumerOf(stream, {
      ...base,
      processRecords: async ({ records, checkpointer }) => {
        if (records.length === 0) return;
        calls.push('processRecords');
        await checkpointer.checkpoint();
      },
      leaseLost: () => void calls.push('leaseLost'),
      shutdownRequested: () => void calls.push('shutdownRequested'),
      ...processor,
    });
    controller.consumer = fixture.consumer;
    return { ...fixture, calls, stop: (reason: 'shutdown' | 'lease-lost') => controller.consumer?.stop(reason) };
  }

  it('never asks a processor that did not initialize to shut down, and reads nothing', async () => {
    const run = stopping({
      initialize: () => {
        run.calls.push('initialize');
        if (run.calls.length === 2) run.stop('shutdown');
        throw new Error('config not loaded yet');
      },
    });
    expect(await run.consumer.run()).toBe('shutdown');
    expect(run.calls).toEqual(['initialize', 'initialize']);
    expect(run.store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });

  it('does not checkpoint SHARD_END for a shard whose shardEnded never succeeded', async () => {
    // The end-of-shard work (a last flush, say) failed until the worker stopped: the shard is not finished, and the
    // next holder must run shardEnded again. Checkpointing SHARD_END here would lose that work for good.
    const run = stopping({
      shardEnded: () => {
        run.calls.push('shardEnded');
        if (run.calls.filter((call) => call === 'shardEnded').length === 2) run.stop('shutdown');
        throw new Error('flush failed');
      },
    });
    expect(await run.consumer.run()).toBe('shutdown');
    expect(run.calls).toEqual(['processRecords', 'shardEnded', 'shardEnded', 'shutdownRequested']);
    expect(run.store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('1');
  });

  it('lets shutdownRequested checkpoint only what was processed: never past a batch that kept failing', async () => {
    // The README's processor: checkpoint at the end of each batch, and once more when asked to shut down. Stopped
    // while the second batch is being retried, the final checkpoint must leave that batch to be read again.
    const checkpoints: string[] = [];
    const run = stopping(
      {
        processRecords: async ({ records, checkpointer }) => {
          if (records.length === 0) return;
          run.calls.push('processRecords');
          if (sequences(records).includes('3')) {
            if (run.calls.length === 3) run.stop('shutdown');
            throw new Error('poison record');
          }
          await checkpointer.checkpoint();
        },
        shutdownRequested: async ({ checkpointer }) => {
          run.calls.push('shutdownRequested');
          await checkpointer.checkpoint();
          checkpoints.push(checkpointer.lastCheckpoint.sequenceNumber);
        },
      },
      new Pages([[record('1')], [record('2'), record('3'), record('4')]]),
    );
    expect(await run.consumer.run()).toBe('shutdown');
    expect(run.calls).toEqual(['processRecords', 'processRecords', 'processRecords', 'shutdownRequested']);
    expect(checkpoints).toEqual(['1']);
    expect(run.store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('1');
  });

  it('keeps what the processor checkpointed of the failing batch itself when it shuts down', async () => {
    const run = stopping(
      {
        processRecords: async ({ records, checkpointer }) => {
          if (records.length === 0) return;
          run.calls.push('processRecords');
          // Record 2 is done and checkpointed before 3 fails.
          if (sequences(records)[0] === '2')
            await checkpointer.checkpoint({ sequenceNumber: '2', subSequenceNumber: 0 });
          if (run.calls.length === 2) run.stop('shutdown');
          throw new Error('poison record');
        },
        shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
      },
      new Pages([[record('2'), record('3')]]),
    );
    expect(await run.consumer.run()).toBe('shutdown');
    expect(run.store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('2');
  });

  it('does not end a closed shard whose last batch never went through', async () => {
    // Kinesis may give a closed shard's last records with its end (no next iterator). Stopped while that batch was
    // being retried, the shard is not finished: ending it would checkpoint SHARD_END past records never processed.
    const lastPage: StreamPort = {
      listShards: async () => [],
      getShardIterator: async () => 'iterator',
      getRecords: async () => ({
        records: [record('1')],
        nextIterator: undefined,
        millisBehindLatest: 0,
        childShards: [],
      }),
    };
    const run = stopping(
      {
        processRecords: () => {
          run.calls.push('processRecords');
          if (run.calls.length === 2) run.stop('shutdown');
          throw new Error('the database is down');
        },
        shardEnded: ({ checkpointer }) => {
          run.calls.push('shardEnded');
          return checkpointer.checkpoint();
        },
      },
      lastPage,
    );
    expect(await run.consumer.run()).toBe('shutdown');
    expect(run.calls).toEqual(['processRecords', 'processRecords', 'shutdownRequested']);
    expect(run.store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('TRIM_HORIZON');
  });

  it('ends a Kinesis call it was retrying as a stop: the processor is asked to shut down, not failed', async () => {
    const stream = new Pages(
      [[record('1')]],
      [
        (call) => {
          if (call === 3) run.stop('shutdown');
          return new TransientError('connect ETIMEDOUT');
        },
      ],
    );
    const run = stopping({}, stream);
    expect(await run.consumer.run()).toBe('shutdown');
    expect(run.calls).toEqual(['shutdownRequested']);
    expect(stream.iteratorCalls).toBe(3);
  });

  it('does not retry, nor ask the policy about, a throw that came after the lease was lost', async () => {
    const asked: number[] = [];
    const calls: string[] = [];
    const controller: { consumer?: ShardConsumer } = {};
    const { consumer } = consumerOf(
      new Pages([[record('1')]]),
      {
        ...base,
        processRecords: ({ records }) => {
          if (records.length === 0) return;
          calls.push('processRecords');
          // Another worker took the shard while this batch ran; the processor's own write then fails.
          controller.consumer?.stop('lease-lost');
          throw new Error('conditional write refused');
        },
        leaseLost: () => void calls.push('leaseLost'),
      },
      {
        policy: (failure) => {
          asked.push(failure.attempt);
          return 'retry';
        },
      },
    );
    controller.consumer = consumer;
    expect(await consumer.run()).toBe('lease-lost');
    expect(calls).toEqual(['processRecords', 'leaseLost']);
    expect(asked).toEqual([]);
    expect(consumer.processingFailures).toBe(0);
  });
});

describe('a call to Kinesis that fails for now', () => {
  const processor: ShardRecordProcessor = {
    ...base,
    processRecords: async ({ records, checkpointer }) => {
      if (records.length > 0) await checkpointer.checkpoint();
    },
  };

  it('is made again, with backoff, and the shard is read: a reset or a 5xx does not cost the lease', async () => {
    const stream = new Pages(
      [[record('1')]],
      [new TransientError('get shard iterator failed for now: socket hang up'), new TransientError('InternalFailure')],
    );
    const { consumer, store, clock } = consumerOf(stream, processor);
    expect(await consumer.run()).toBe('shard-ended');
    expect(stream.iteratorCalls).toBe(3);
    expect(clock.sleeps.slice(0, 2)).toEqual([100, 200]);
    expect(store.leases.get(SHARD)?.checkpoint.sequenceNumber).toBe('SHARD_END');
  });

  it('throttled however long, keeps the lease: Kinesis answered, the reader is alive', async () => {
    const stream = new Pages([[record('1')]], [(call) => (call <= 12 ? new ThrottledError('slow down') : undefined)]);
    const { consumer, clock } = consumerOf(stream, processor);
    expect(await consumer.run()).toBe('shard-ended');
    expect(clock.sleeps.slice(0, 12).reduce((sum, ms) => sum + ms, 0)).toBeGreaterThan(20_000);
  });

  it('failing for now past the failover time, gives the lease up (it can no longer be renewed), and no sooner', async () => {
    const stream = new Pages([[record('1')]], [() => new TransientError('connect ETIMEDOUT')]);
    const { consumer, clock } = consumerOf(stream, processor);
    expect(await consumer.run()).toBe('lease-lost');
    // No sign of life for the failover time: renewals stop; a failover time after the last one, the lease is not
    // ours any more (another worker may take it), and the consumer lets go, within one backoff step.
    const waited = clock.sleeps.reduce((sum, ms) => sum + ms, 0);
    expect(waited).toBeGreaterThanOrEqual(20_000);
    expect(waited).toBeLessThanOrEqual(20_000 + 5000);
  });

  it('a read failing for now is no sign of life: past the failover time the lease is not renewed; throttled, it is', async () => {
    // Renewals stop once the reader has made no progress for the failover time (10 s); a failover time after the last
    // one, the lease is no longer held. Throttled, Kinesis answered: the reader is alive and the lease renewed.
    for (const [error, renewed] of [
      [new TransientError('get records failed for now: socket hang up'), false],
      [new ThrottledError('ProvisionedThroughputExceededException'), true],
    ] as const) {
      const freshAfter25s: boolean[] = [];
      const stream: StreamPort = {
        listShards: async () => [],
        getShardIterator: async () => 'iterator',
        getRecords: async () => {
          if (fixture.clock.monotonicNow() - startedAt > 25_000 && freshAfter25s.length === 0) {
            freshAfter25s.push(fixture.renewer.isFresh(SHARD));
            fixture.consumer.stop('shutdown');
          }
          throw error;
        },
      };
      const fixture = consumerOf(stream, processor);
      const startedAt = fixture.clock.monotonicNow();
      expect(await fixture.consumer.run()).toBe('shutdown');
      expect(freshAfter25s).toEqual([renewed]);
    }
  });

  it('failing otherwise (the stream is gone), fails at once', async () => {
    const stream = new Pages([[record('1')]], [new ResourceNotFoundError('stream log-lines not found')]);
    const { consumer } = consumerOf(stream, processor);
    expect(await consumer.run()).toBe('failed');
    expect(stream.iteratorCalls).toBe(1);
  });
});

describe('backoffMs', () => {
  it('waits half to all of the exponential bound, capped, and never not at all', () => {
    const settings = { firstMs: 250, maxMs: 30_000 };
    expect(backoffMs(settings, 1, () => 0)).toBe(125);
    expect(backoffMs(settings, 1, () => 1)).toBe(250);
    expect(backoffMs(settings, 3, () => 1)).toBe(1000);
    expect(backoffMs(settings, 20, () => 1)).toBe(30_000);
    expect(backoffMs(settings, 20, () => 0)).toBe(15_000);
  });
});

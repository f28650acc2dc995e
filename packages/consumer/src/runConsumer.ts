import { type AwsClients, readerKinesisClient, retryTransient, StreamAdmin, TableAdmin } from '@stock-trades/aws';
import { type Logger, OutputWriteError } from '@stock-trades/cli-kit';
import { createWorker, type Metrics, type SchedulerSettings, schedulerConfig, systemClock } from '@stock-trades/kcl';
import { KinesisRecordsPort } from '@stock-trades/writer';
import { ConsumerError } from './errors.js';
import { FanOutSink } from './JsonlSink.js';
import { KinesisSampleSink } from './KinesisSampleSink.js';
import type { Pause } from './Pause.js';
import { type ProcessorSettings, StockTradeRecordProcessor } from './StockTradeRecordProcessor.js';
import type { SampleSink } from './WindowSample.js';

const HOUR = 3_600_000;

export interface ConsumerOptions {
  readonly scheduler: SchedulerSettings;
  readonly processor: ProcessorSettings;
  /** Where samples go for the aggregator; undefined: nowhere but the sinks. */
  readonly statsStream?: string;
}

export interface ConsumerDeps {
  /** The kcl worker's metrics (`--metrics emf`); none by default. */
  readonly metrics?: Metrics;
  readonly clients: AwsClients;
  /** Where else samples go: printed, written to a file. */
  readonly sinks: readonly SampleSink[];
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  /** The lag lesson: while paused, every processor holds its next batch (the worker stopping ends the pause). */
  readonly pause?: Pause;
}

/**
 * Step 4: a StockTradesProcessor worker. Checks the streams, then runs a KCL scheduler
 * with one StockTradeRecordProcessor per leased shard until the signal fires, and stops
 * gracefully (checkpoints, releases its leases).
 */
export async function runConsumer(options: ConsumerOptions, deps: ConsumerDeps): Promise<void> {
  const config = schedulerConfig(options.scheduler);
  const streams = new StreamAdmin(deps.clients);
  const startup = {
    signal: deps.signal,
    onRetry: (error: Error, waitMs: number) => deps.log.warn({ waitMs }, `${error.message}; trying again`),
  };
  // DynamoDB is there (the lease table may not be yet): a stack that is down is named in one line, not in kcl's words.
  await retryTransient(() => new TableAdmin(deps.clients).describe(config.applicationName), startup);
  const described = [];
  for (const name of [config.streamName, options.statsStream]) {
    const stream = name ? await retryTransient(() => streams.describe(name), startup) : undefined;
    if (name && !stream) {
      throw new ConsumerError(
        'STREAM_NOT_FOUND',
        `stream ${name} does not exist: create it first with \`pnpm create-stream\``,
      );
    }
    described.push(stream);
  }
  // No record older than the stream's retention is left to replay: saved windows older than that are not trusted.
  const retentionHours = described[0]?.retentionHours;
  const processorSettings: ProcessorSettings =
    retentionHours === undefined ? options.processor : { ...options.processor, maxStateAgeMs: retentionHours * HOUR };
  const sinks = options.statsStream
    ? [
        ...deps.sinks,
        new KinesisSampleSink(new KinesisRecordsPort(deps.clients), options.statsStream, systemClock.sleep),
      ]
    : deps.sinks;
  // A sample that cannot be written (a full disk, a closed pipe) stops the worker: it gives its leases back, and
  // nothing past what was written is checkpointed (the windows a processor could not write stay open, and its
  // checkpoint stays before them).
  const fanOut = new FanOutSink(sinks);
  const stop = new AbortController();
  let outputFailure: OutputWriteError | undefined;
  const sink: SampleSink = {
    emit: async (samples) => {
      try {
        await fanOut.emit(samples);
      } catch (error) {
        if (error instanceof OutputWriteError && !outputFailure) {
          outputFailure = error;
          deps.log.error({ error: error.message }, 'an output cannot be written: stopping');
          stop.abort();
        }
        throw error;
      }
    },
  };
  const now = deps.now ?? Date.now;
  let malformed = 0;
  let outOfRange = 0;
  let duplicates = 0;
  const running = AbortSignal.any([deps.signal, stop.signal]);
  const pause = deps.pause;
  // A kcl worker as any service would make one: createWorker, given our clients.
  const scheduler = createWorker({
    ...options.scheduler,
    kinesisClient: readerKinesisClient(deps.clients, options.scheduler.retrieval),
    dynamodbClient: deps.clients.dynamodb,
    metrics: deps.metrics,
    processorFactory: (shardId) =>
      new StockTradeRecordProcessor(shardId, processorSettings, {
        sink,
        log: deps.log,
        now,
        onMalformed: () => {
          malformed++;
        },
        onOutOfRange: () => {
          outOfRange++;
        },
        onDuplicate: () => {
          duplicates++;
        },
        beforeBatch: pause && (() => pause.wait(running)),
      }),
    log: deps.log,
  });
  const { unfinishedShards } = await scheduler.run(running);
  if (outputFailure) {
    throw new ConsumerError(
      'OUTPUT_FAILED',
      `${outputFailure.message}: the worker stopped and gave its leases back; nothing was checkpointed past what was written`,
      { cause: outputFailure },
    );
  }
  if (unfinishedShards.length > 0) {
    throw new ConsumerError(
      'SHUTDOWN_TIMEOUT',
      `stopped with ${unfinishedShards.join(', ')} still processing after ${config.shutdownTimeoutMs / 1000} s (--shutdown-timeout): their leases were given back with their last checkpoints`,
    );
  }
  if (malformed > 0) deps.log.info({ malformed }, 'malformed records were counted and skipped during this run');
  if (outOfRange > 0) {
    deps.log.info({ outOfRange }, 'trades with timestamps out of range were counted and kept out of the windows');
  }
  if (duplicates > 0) {
    deps.log.info({ duplicates }, 'second copies of trades Kinesis stored twice were counted once and skipped');
  }
}

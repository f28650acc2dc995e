import { type AwsClients, readerKinesisClient, retryTransient, StreamAdmin, TableAdmin } from '@stock-trades/aws';
import { type Logger, OutputWriteError } from '@stock-trades/cli-kit';
import {
  createWorker,
  KinesisStreamPort,
  type Metrics,
  type SchedulerSettings,
  schedulerConfig,
} from '@stock-trades/kcl';
import { AggregatorRecordProcessor } from './AggregatorRecordProcessor.js';
import { AggregatorError } from './errors.js';
import type { ResultSink } from './ResultSink.js';
import { SampleGate } from './SampleGate.js';
import type { BookSettings } from './WindowBook.js';

export interface AggregatorOptions {
  readonly scheduler: SchedulerSettings;
  readonly book: BookSettings;
  /** The stream the consumers read: samples must name its shards, and windows it can still hold. */
  readonly tradeStream: string;
  /** The pipeline's window length; undefined: learned from the first sample let through. */
  readonly windowMs?: number;
}

const HOUR = 3_600_000;

export interface AggregatorDeps {
  /** The kcl worker's metrics (`--metrics emf`); none by default. */
  readonly metrics?: Metrics;
  readonly clients: AwsClients;
  readonly sink: ResultSink;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/** The second stage: a KCL worker on the stats stream merging every shard's samples per window. */
export async function runAggregator(options: AggregatorOptions, deps: AggregatorDeps): Promise<void> {
  const config = schedulerConfig(options.scheduler);
  const streams = new StreamAdmin(deps.clients);
  const startup = {
    signal: deps.signal,
    onRetry: (error: Error, waitMs: number) => deps.log.warn({ waitMs }, `${error.message}; trying again`),
  };
  const describe = (name: string) => retryTransient(() => streams.describe(name), startup);
  // DynamoDB is there (the lease table may not be yet): a stack that is down is named in one line, not in kcl's words.
  await retryTransient(() => new TableAdmin(deps.clients).describe(config.applicationName), startup);
  const [stats, trades] = [await describe(config.streamName), await describe(options.tradeStream)];
  for (const [name, stream] of [
    [config.streamName, stats],
    [options.tradeStream, trades],
  ] as const) {
    if (!stream) {
      throw new AggregatorError(
        'STREAM_NOT_FOUND',
        `stream ${name} does not exist: create it first with \`pnpm create-stream\``,
      );
    }
  }
  const tradeShards = new KinesisStreamPort({ streamName: options.tradeStream, kinesisClient: deps.clients.kinesis });
  const gateSettings = { windowMs: options.windowMs, retentionMs: (trades?.retentionHours ?? 24) * HOUR };
  const now = deps.now ?? Date.now;
  // A result that cannot be written (a full disk, a closed pipe) stops the aggregator: it gives its lease back, and
  // nothing past what was written is checkpointed, so a restart shows those windows again.
  const stop = new AbortController();
  let outputFailure: OutputWriteError | undefined;
  const sink: ResultSink = {
    emit: async (results) => {
      try {
        await deps.sink.emit(results);
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
  // A kcl worker as any service would make one: createWorker, given our clients.
  const scheduler = createWorker({
    ...options.scheduler,
    kinesisClient: readerKinesisClient(deps.clients, options.scheduler.retrieval),
    dynamodbClient: deps.clients.dynamodb,
    metrics: deps.metrics,
    processorFactory: (shardId) =>
      new AggregatorRecordProcessor(shardId, options.book, {
        sink,
        log: deps.log,
        now,
        gate: (restored) =>
          new SampleGate(gateSettings, { listShards: () => tradeShards.listShards(), log: deps.log, now }, restored),
      }),
    log: deps.log,
  });
  const { unfinishedShards } = await scheduler.run(AbortSignal.any([deps.signal, stop.signal]));
  if (outputFailure) {
    throw new AggregatorError(
      'OUTPUT_FAILED',
      `${outputFailure.message}: the aggregator stopped and gave its lease back; nothing was checkpointed past what was written`,
    );
  }
  if (unfinishedShards.length > 0) {
    throw new AggregatorError(
      'SHUTDOWN_TIMEOUT',
      `stopped with ${unfinishedShards.join(', ')} still processing after ${config.shutdownTimeoutMs / 1000} s (--shutdown-timeout): its lease was given back with its last checkpoint`,
    );
  }
}

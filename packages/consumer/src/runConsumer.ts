import { type AwsClients, StreamAdmin } from '@stock-trades/aws';
import type { Logger } from '@stock-trades/cli-kit';
import {
  DynamoLeaseStore,
  KinesisStreamPort,
  Scheduler,
  type SchedulerSettings,
  schedulerConfig,
  systemClock,
} from '@stock-trades/kcl';
import { KinesisRecordsPort } from '@stock-trades/writer';
import { ConsumerError } from './errors.js';
import { FanOutSink } from './JsonlSink.js';
import { KinesisSampleSink } from './KinesisSampleSink.js';
import { type ProcessorSettings, StockTradeRecordProcessor } from './StockTradeRecordProcessor.js';
import type { SampleSink } from './WindowSample.js';

export interface ConsumerOptions {
  readonly scheduler: SchedulerSettings;
  readonly processor: ProcessorSettings;
  /** Where samples go for the aggregator; undefined: nowhere but the sinks. */
  readonly statsStream?: string;
}

export interface ConsumerDeps {
  readonly clients: AwsClients;
  /** Where else samples go: printed, written to a file. */
  readonly sinks: readonly SampleSink[];
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * Step 4: a StockTradesProcessor worker. Checks the streams, then runs a KCL scheduler
 * with one StockTradeRecordProcessor per leased shard until the signal fires, and stops
 * gracefully (checkpoints, releases its leases).
 */
export async function runConsumer(options: ConsumerOptions, deps: ConsumerDeps): Promise<void> {
  const config = schedulerConfig(options.scheduler);
  const streams = new StreamAdmin(deps.clients);
  for (const name of [config.streamName, options.statsStream]) {
    if (name && !(await streams.describe(name))) {
      throw new ConsumerError(
        'STREAM_NOT_FOUND',
        `stream ${name} does not exist: create it first with \`pnpm create-stream\``,
      );
    }
  }
  const sinks = options.statsStream
    ? [
        ...deps.sinks,
        new KinesisSampleSink(new KinesisRecordsPort(deps.clients), options.statsStream, systemClock.sleep),
      ]
    : deps.sinks;
  const sink = new FanOutSink(sinks);
  const now = deps.now ?? Date.now;
  let malformed = 0;
  const scheduler = new Scheduler(config, {
    stream: new KinesisStreamPort(deps.clients.kinesis, config.streamName),
    store: new DynamoLeaseStore(deps.clients.dynamodb, config.applicationName),
    processorFactory: (shardId) =>
      new StockTradeRecordProcessor(shardId, options.processor, {
        sink,
        log: deps.log,
        now,
        onMalformed: () => {
          malformed++;
        },
      }),
    log: deps.log,
  });
  await scheduler.run(deps.signal);
  if (malformed > 0) deps.log.info({ malformed }, 'malformed records were counted and skipped during this run');
}

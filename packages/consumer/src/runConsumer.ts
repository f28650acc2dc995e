import { type AwsClients, StreamAdmin } from '@stock-trades/aws';
import type { Logger } from '@stock-trades/cli-kit';
import {
  DynamoLeaseStore,
  KinesisStreamPort,
  Scheduler,
  type SchedulerSettings,
  schedulerConfig,
} from '@stock-trades/kcl';
import { ConsumerError } from './errors.js';
import { type ProcessorSettings, StockTradeRecordProcessor } from './StockTradeRecordProcessor.js';
import type { SampleSink } from './WindowSample.js';

export interface ConsumerOptions {
  readonly scheduler: SchedulerSettings;
  readonly processor: ProcessorSettings;
}

export interface ConsumerDeps {
  readonly clients: AwsClients;
  readonly sink: SampleSink;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/**
 * Step 4: a StockTradesProcessor worker. Checks the stream, then runs a KCL scheduler
 * with one StockTradeRecordProcessor per leased shard until the signal fires, and stops
 * gracefully (checkpoints, releases its leases).
 */
export async function runConsumer(options: ConsumerOptions, deps: ConsumerDeps): Promise<void> {
  const config = schedulerConfig(options.scheduler);
  const stream = await new StreamAdmin(deps.clients).describe(config.streamName);
  if (!stream) {
    throw new ConsumerError(
      'STREAM_NOT_FOUND',
      `stream ${config.streamName} does not exist: create it first with \`pnpm create-stream\``,
    );
  }
  const now = deps.now ?? Date.now;
  let malformed = 0;
  const scheduler = new Scheduler(config, {
    stream: new KinesisStreamPort(deps.clients.kinesis, config.streamName),
    store: new DynamoLeaseStore(deps.clients.dynamodb, config.applicationName),
    processorFactory: (shardId) =>
      new StockTradeRecordProcessor(shardId, options.processor, {
        sink: deps.sink,
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

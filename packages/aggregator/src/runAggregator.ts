import { type AwsClients, StreamAdmin } from '@stock-trades/aws';
import type { Logger } from '@stock-trades/cli-kit';
import {
  DynamoLeaseStore,
  KinesisStreamPort,
  Scheduler,
  type SchedulerSettings,
  schedulerConfig,
} from '@stock-trades/kcl';
import { AggregatorRecordProcessor } from './AggregatorRecordProcessor.js';
import { AggregatorError } from './errors.js';
import type { ResultSink } from './ResultSink.js';
import type { BookSettings } from './WindowBook.js';

export interface AggregatorOptions {
  readonly scheduler: SchedulerSettings;
  readonly book: BookSettings;
}

export interface AggregatorDeps {
  readonly clients: AwsClients;
  readonly sink: ResultSink;
  readonly log: Logger;
  readonly signal: AbortSignal;
  readonly now?: () => number;
}

/** The second stage: a KCL worker on the stats stream merging every shard's samples per window. */
export async function runAggregator(options: AggregatorOptions, deps: AggregatorDeps): Promise<void> {
  const config = schedulerConfig(options.scheduler);
  if (!(await new StreamAdmin(deps.clients).describe(config.streamName))) {
    throw new AggregatorError(
      'STREAM_NOT_FOUND',
      `stream ${config.streamName} does not exist: create it first with \`pnpm create-stream\``,
    );
  }
  const now = deps.now ?? Date.now;
  const scheduler = new Scheduler(config, {
    stream: new KinesisStreamPort(deps.clients.kinesis, config.streamName),
    store: new DynamoLeaseStore(deps.clients.dynamodb, config.applicationName),
    processorFactory: (shardId) =>
      new AggregatorRecordProcessor(shardId, options.book, { sink: deps.sink, log: deps.log, now }),
    log: deps.log,
  });
  await scheduler.run(deps.signal);
}

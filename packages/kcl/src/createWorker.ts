import type { DynamoDBClientOptions, KinesisClientOptions } from './clientOptions.js';
import { DynamoLeaseStore } from './DynamoLeaseStore.js';
import { InvalidConfigError } from './errors.js';
import { FanOutStreamPort } from './FanOutStreamPort.js';
import { KinesisStreamPort } from './KinesisStreamPort.js';
import type { Logger } from './Logger.js';
import type { Metrics } from './Metrics.js';
import type { ShardRecordProcessorFactory } from './RecordProcessor.js';
import { Scheduler } from './Scheduler.js';
import { checkNames, type SchedulerSettings, schedulerConfig } from './SchedulerConfig.js';

/**
 * What `createWorker` takes: the settings (SchedulerSettings), the processor factory, and the
 * clients — each yours (`kinesisClient`, `dynamodbClient`) or made by kcl from a configuration
 * (`kinesisConfig`, `dynamodbConfig`; the SDK's credential chain, region and endpoint when absent).
 */
export interface WorkerOptions extends SchedulerSettings, KinesisClientOptions, DynamoDBClientOptions {
  /** Called once per shard this worker takes: returns the processor for that shard. */
  readonly processorFactory: ShardRecordProcessorFactory;
  /** pino-compatible; silent by default. */
  readonly log?: Logger;
  /** Where the worker's metrics go: `emfMetrics(…)`, `openTelemetryMetrics(meter)` or your own; off by default. */
  readonly metrics?: Metrics;
}

/**
 * A worker on the stream `streamName`, its leases in the DynamoDB table `applicationName`
 * (created if missing), with the Java KCL's defaults for everything not given (see
 * SchedulerConfig). Workers with the same application name share the shards between them.
 * `run(signal)` resolves after a graceful stop: processors told `shutdownRequested` (their
 * last chance to checkpoint), then leases released so others take them at once.
 *
 * @example
 * import { createWorker } from '@stock-trades/kcl';
 *
 * const worker = createWorker({
 *   applicationName: 'click-counter',
 *   streamName: 'clicks',
 *   workerId: `counter-${process.pid}`,
 *   processorFactory: () => ({
 *     initialize: ({ shardId }) => console.log(`reading ${shardId}`),
 *     processRecords: async ({ records, checkpointer }) => {
 *       for (const record of records) console.log(new TextDecoder().decode(record.data));
 *       await checkpointer.checkpoint();
 *     },
 *     leaseLost: () => {},
 *     shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
 *     shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
 *   }),
 * });
 * const stop = new AbortController();
 * process.once('SIGINT', () => stop.abort());
 * await worker.run(stop.signal);
 */
export function createWorker(options: WorkerOptions): Scheduler {
  if (typeof options !== 'object' || options === null)
    throw new InvalidConfigError('createWorker takes an options object');
  // Every name first: a misspelt processorFactory is named as such, not reported missing.
  checkNames(options);
  const { processorFactory, kinesisClient, kinesisConfig, dynamodbClient, dynamodbConfig, log, metrics, ...settings } =
    options;
  if (typeof processorFactory !== 'function') {
    throw new InvalidConfigError('processorFactory must be a function: (shardId) => the processor for that shard');
  }
  const logMethods = ['debug', 'info', 'warn', 'error'] as const;
  if (log !== undefined && !logMethods.every((level) => typeof (log as Partial<Logger>)[level] === 'function')) {
    throw new InvalidConfigError('log must have debug, info, warn and error methods (pino-compatible)');
  }
  if (metrics !== undefined && typeof (metrics as Partial<Metrics>).record !== 'function') {
    throw new InvalidConfigError(
      'metrics must have a record method: emfMetrics(…), openTelemetryMetrics(meter) or yours',
    );
  }
  const config = schedulerConfig(settings);
  return new Scheduler(config, {
    stream:
      config.retrieval.mode === 'fan-out'
        ? new FanOutStreamPort({
            streamName: config.streamName,
            consumerName: config.retrieval.consumerName ?? config.applicationName,
            kinesisClient,
            kinesisConfig,
          })
        : new KinesisStreamPort({ streamName: config.streamName, kinesisClient, kinesisConfig }),
    store: new DynamoLeaseStore({ tableName: config.applicationName, dynamodbClient, dynamodbConfig, log }),
    processorFactory,
    log,
    metrics,
  });
}

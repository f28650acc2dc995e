import { TableAdmin } from '@stock-trades/aws';
import {
  clientsFor,
  createLogger,
  defaultWorkerId,
  describeTarget,
  JsonLinesFile,
  type LogFormat,
  type LogLevel,
  logFormatOption,
  logLevelOption,
  metricsOption,
  parseWorkerId,
  runProgram,
  targetOption,
  writeText,
} from '@stock-trades/cli-kit';
import {
  AGGREGATOR_APPLICATION,
  DEFAULT_EVENT_TIME_BOUNDS,
  formatDuration,
  parseDuration,
  parseStreamName,
  parseTableName,
  STATS_STREAM_NAME,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { emfMetrics } from '@stock-trades/kcl';
import { Command, Option } from 'commander';
import { AggregatorError } from './errors.js';
import {
  DynamoResultSink,
  FanOutResultSink,
  JsonlResultSink,
  PrintingResultSink,
  type ResultSink,
} from './ResultSink.js';
import { type AggregatorOptions, runAggregator } from './runAggregator.js';

interface RawOptions {
  metrics: 'none' | 'emf';
  workerId?: string;
  applicationName: string;
  stream: string;
  tradeStream: string;
  window: string;
  grace: string;
  retention: string;
  maxAhead: string;
  failover: string;
  retrieval: 'polling' | 'fan-out';
  shutdownTimeout: string;
  out?: string;
  table: boolean;
  quiet: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  target?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export function parseAggregatorOptions(raw: RawOptions): AggregatorOptions {
  return {
    scheduler: {
      applicationName: raw.applicationName,
      streamName: raw.stream,
      workerId: raw.workerId === undefined ? defaultWorkerId() : parseWorkerId(raw.workerId),
      failoverMs: parseDuration(raw.failover, '--failover', { min: 100, max: HOUR }),
      retrieval: { mode: raw.retrieval },
      shutdownTimeoutMs: parseDuration(raw.shutdownTimeout, '--shutdown-timeout', { min: 100, max: HOUR }),
    },
    tradeStream: raw.tradeStream,
    windowMs: raw.window === 'auto' ? undefined : parseDuration(raw.window, '--window', { min: 1000, max: HOUR }),
    book: {
      graceMs: parseDuration(raw.grace, '--grace', { min: 0, max: HOUR }),
      retentionMs: parseDuration(raw.retention, '--retention', { min: 1000, max: 24 * HOUR }),
      maxAheadMs: parseDuration(raw.maxAhead, '--max-ahead', { min: 0, max: 24 * HOUR }),
    },
  };
}

export function buildProgram(signal: AbortSignal, out: NodeJS.WritableStream = process.stdout): Command {
  return new Command('pnpm aggregator')
    .description(
      `The second stage: merge the per-shard samples in ${STATS_STREAM_NAME} into exact all-shard stats per window`,
    )
    .option('--worker-id <id>', 'this worker’s id in the lease table (default: host name + random)')
    .option(
      '--application-name <name>',
      'application name = lease table name',
      (value: string) => parseTableName(value, '--application-name'),
      AGGREGATOR_APPLICATION,
    )
    .option(
      '--stream <name>',
      'the stream of per-shard samples',
      (value: string) => parseStreamName(value, '--stream'),
      STATS_STREAM_NAME,
    )
    .option(
      '--trade-stream <name>',
      'the stream the consumers read: samples must come from its shards',
      (value: string) => parseStreamName(value, '--trade-stream'),
      STREAM_NAME,
    )
    .option(
      '--window <time>',
      'the consumers’ window; samples of another length are rejected (auto: the length of the first sample)',
      'auto',
    )
    .option('--grace <time>', 'how long after its first sample an incomplete window is shown anyway', '30s')
    .option('--retention <time>', 'how long a complete window is kept for late samples to revise it', '10m')
    .option(
      '--max-ahead <time>',
      'a sample whose window starts further than this after it reached Kinesis is skipped (keep it ≥ the consumers’ --max-ahead)',
      formatDuration(DEFAULT_EVENT_TIME_BOUNDS.maxAheadMs),
    )
    .option('--failover <time>', 'a lease not renewed for this long is taken over', '10s')
    .addOption(
      new Option('--retrieval <mode>', 'polling (GetRecords) or fan-out (SubscribeToShard through a stream consumer)')
        .choices(['polling', 'fan-out'])
        .default('polling'),
    )
    .option(
      '--shutdown-timeout <time>',
      'longest a clean stop waits for the processor before giving its lease back',
      '20s',
    )
    .option('--out <file.jsonl>', 'append one JSON line per window result (the JSONL contract: docs/reference.md)')
    .option('--table', `also write each window's result to the DynamoDB table ${STATS_TABLE_NAME}`, false)
    .option('--quiet', 'do not print the results', false)
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addOption(metricsOption())
    .addOption(targetOption())
    .action(async (raw: RawOptions) => {
      const options = parseAggregatorOptions(raw);
      const log = createLogger({
        level: raw.logLevel,
        format: raw.logFormat,
        base: { workerId: options.scheduler.workerId },
      });
      // Opened before any lease is taken: a path that cannot be written stops the aggregator before it starts.
      const file = raw.out ? JsonLinesFile.open(raw.out, '--out', 'a') : undefined;
      const jsonl = file && new JsonlResultSink(file);
      const clients = clientsFor(raw.target, { appId: raw.applicationName });
      const sinks: ResultSink[] = [];
      if (!raw.quiet) sinks.push(new PrintingResultSink((text) => writeText(out, text)));
      if (jsonl) sinks.push(jsonl);
      try {
        if (raw.table) {
          if (!(await new TableAdmin(clients).describe(STATS_TABLE_NAME))) {
            throw new AggregatorError(
              'TABLE_NOT_FOUND',
              `table ${STATS_TABLE_NAME} does not exist: create it with \`pnpm create-stream\``,
            );
          }
          sinks.push(new DynamoResultSink(clients.dynamodb, STATS_TABLE_NAME));
        }
        log.info(
          { target: describeTarget(clients), stream: raw.stream, grace: raw.grace },
          `aggregator ${options.scheduler.workerId} starting`,
        );
        if (file && file.cutTail > 0) {
          log.warn(
            { out: raw.out, bytes: file.cutTail },
            '--out ended with a line cut short (a run stopped mid-write): it is skipped, new lines start after it',
          );
        }
        const metrics =
          raw.metrics === 'emf'
            ? emfMetrics({
                namespace: raw.applicationName,
                workerId: options.scheduler.workerId,
                write: (line) => writeText(out, line),
              })
            : undefined;
        await runAggregator(options, { clients, sink: new FanOutResultSink(sinks), log, signal, metrics });
      } finally {
        // A write that failed was reported already (the aggregator stopped on it).
        await jsonl?.close().catch(() => undefined);
        clients.destroy();
      }
    });
}

export function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  return runProgram(buildProgram(signal), argv);
}

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
  CONSUMER_APPLICATION,
  DEFAULT_EVENT_TIME_BOUNDS,
  formatDuration,
  InvalidOptionError,
  parseDuration,
  parseStreamName,
  parseTableName,
  STATS_STREAM_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { emfMetrics, type InitialPosition, systemClock } from '@stock-trades/kcl';
import { Command, Option } from 'commander';
import { JsonlSink } from './JsonlSink.js';
import { Pause } from './Pause.js';
import { PrintingSink } from './PrintingSink.js';
import { type ConsumerOptions, runConsumer } from './runConsumer.js';
import type { SampleSink } from './WindowSample.js';

interface RawOptions {
  metrics: 'none' | 'emf';
  workerId?: string;
  applicationName: string;
  stream: string;
  window: string;
  lateness: string;
  initialPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  atTimestamp?: string;
  failover: string;
  retrieval: 'polling' | 'fan-out';
  renewInterval?: string;
  takeInterval?: string;
  leasePoll?: string;
  checkpointInterval: string;
  shutdownTimeout: string;
  maxAhead: string;
  maxBehind: string;
  out?: string;
  statsStream: string | false;
  pauseFor: string;
  quiet: boolean;
  logLevel: LogLevel;
  logFormat: LogFormat;
  target?: string;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** What each duration flag may be: wide enough for any real use, narrow enough that no value can stall a worker. */
const DURATION_BOUNDS = {
  window: { min: SECOND, max: HOUR },
  lateness: { min: 0, max: 10 * MINUTE },
  failover: { min: 100, max: HOUR },
  leaseTimer: { min: 10, max: HOUR },
  checkpointInterval: { min: 100, max: HOUR },
  eventTime: { min: 0, max: 24 * HOUR },
} as const;

export function parseConsumerOptions(raw: RawOptions): ConsumerOptions & { readonly pauseForMs: number } {
  const windowMs = parseDuration(raw.window, '--window', DURATION_BOUNDS.window);
  const failoverMs = parseDuration(raw.failover, '--failover', DURATION_BOUNDS.failover);
  const optionalMs = (text: string | undefined, flag: string) =>
    text === undefined ? undefined : parseDuration(text, flag, DURATION_BOUNDS.leaseTimer);
  const renewIntervalMs = optionalMs(raw.renewInterval, '--renew-interval');
  if (renewIntervalMs !== undefined && renewIntervalMs >= failoverMs) {
    throw new InvalidOptionError('--renew-interval must be shorter than --failover');
  }
  return {
    pauseForMs: parseDuration(raw.pauseFor, '--pause-for', { min: SECOND, max: HOUR }),
    scheduler: {
      applicationName: raw.applicationName,
      streamName: raw.stream,
      workerId: raw.workerId === undefined ? defaultWorkerId() : parseWorkerId(raw.workerId),
      initialPosition: initialPosition(raw),
      failoverMs,
      retrieval: { mode: raw.retrieval },
      renewIntervalMs,
      takeIntervalMs: optionalMs(raw.takeInterval, '--take-interval'),
      leasePollIntervalMs: optionalMs(raw.leasePoll, '--lease-poll'),
      shutdownTimeoutMs: parseDuration(raw.shutdownTimeout, '--shutdown-timeout', { min: 100, max: HOUR }),
    },
    processor: {
      windowMs,
      latenessMs: parseDuration(raw.lateness, '--lateness', DURATION_BOUNDS.lateness),
      checkpointIntervalMs: parseDuration(
        raw.checkpointInterval,
        '--checkpoint-interval',
        DURATION_BOUNDS.checkpointInterval,
      ),
      maxAheadMs: parseDuration(raw.maxAhead, '--max-ahead', DURATION_BOUNDS.eventTime),
      maxBehindMs: parseDuration(raw.maxBehind, '--max-behind', DURATION_BOUNDS.eventTime),
    },
  };
}

function initialPosition(raw: RawOptions): InitialPosition {
  if (raw.initialPosition !== 'AT_TIMESTAMP') {
    if (raw.atTimestamp !== undefined)
      throw new InvalidOptionError('--at-timestamp needs --initial-position AT_TIMESTAMP');
    return { type: raw.initialPosition };
  }
  const timestamp = raw.atTimestamp === undefined ? Number.NaN : Date.parse(raw.atTimestamp);
  if (Number.isNaN(timestamp)) {
    throw new InvalidOptionError(
      '--initial-position AT_TIMESTAMP needs --at-timestamp <ISO-8601 time>, e.g. 2026-11-26T10:00:00Z',
    );
  }
  return { type: 'AT_TIMESTAMP', timestamp: new Date(timestamp) };
}

export function buildProgram(signal: AbortSignal, out: NodeJS.WritableStream = process.stdout): Command {
  return new Command('pnpm consumer')
    .description(
      `Steps 4-6: the StockTradesProcessor. Shares the shards of ${STREAM_NAME} with every other worker of the same application and prints each shard's stats per window`,
    )
    .option('--worker-id <id>', 'this worker’s id in the lease table (default: host name + random)')
    .option(
      '--application-name <name>',
      'application name = lease table name',
      (value: string) => parseTableName(value, '--application-name'),
      CONSUMER_APPLICATION,
    )
    .option('--stream <name>', 'stream to read', (value: string) => parseStreamName(value, '--stream'), STREAM_NAME)
    .option('--window <time>', 'event-time window of the per-shard stats', '60s')
    .option('--lateness <time>', 'how long past its end a window waits for stragglers', '2s')
    .addOption(
      new Option('--initial-position <position>', 'where to start on a shard with no checkpoint yet')
        .choices(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'])
        .default('TRIM_HORIZON'),
    )
    .option('--at-timestamp <time>', 'ISO-8601 start time, with --initial-position AT_TIMESTAMP')
    .option('--failover <time>', 'a lease not renewed for this long is taken over (the KCL’s default)', '10s')
    .addOption(
      new Option(
        '--retrieval <mode>',
        'polling (GetRecords, shared by every application on the stream) or fan-out (SubscribeToShard through a stream consumer named after the application: its own 2 MiB/s per shard, pushed)',
      )
        .choices(['polling', 'fan-out'])
        .default('polling'),
    )
    .option('--renew-interval <time>', 'how often leases are renewed (default: failover / 3)')
    .option('--take-interval <time>', 'how often leases are balanced between workers (default: 2 × (failover + 25ms))')
    .option(
      '--lease-poll <time>',
      'how often the lease table is checked for free leases (default: 1s, or failover / 3 if shorter)',
    )
    .option('--checkpoint-interval <time>', 'longest time between checkpoints while windows stay open', '10s')
    .option(
      '--shutdown-timeout <time>',
      'longest a clean stop waits for the shards’ processors; one still busy then has its lease given back',
      '20s',
    )
    .option(
      '--max-ahead <time>',
      'a trade timestamped further than this after its record reached Kinesis is counted as out of range, in no window',
      formatDuration(DEFAULT_EVENT_TIME_BOUNDS.maxAheadMs),
    )
    .option(
      '--max-behind <time>',
      'a trade timestamped further than this before its record reached Kinesis is counted as out of range, in no window',
      formatDuration(DEFAULT_EVENT_TIME_BOUNDS.maxBehindMs),
    )
    .option('--out <file.jsonl>', 'also append each per-shard window sample as one JSON line')
    .option(
      '--stats-stream <name>',
      'send each per-shard window sample to this stream, for pnpm aggregator',
      (value: string) => parseStreamName(value, '--stats-stream'),
      STATS_STREAM_NAME,
    )
    .option('--no-stats-stream', 'do not send samples anywhere but stdout (and --out)')
    .option(
      '--pause-for <time>',
      'on SIGUSR2 (the dashboard’s "Pause 60 s"), hold processing this long: the lag lesson',
      '60s',
    )
    .option('--quiet', 'do not print the per-shard stats', false)
    .addOption(logLevelOption())
    .addOption(logFormatOption())
    .addOption(metricsOption())
    .addOption(targetOption())
    .action(async (raw: RawOptions) => {
      const options = parseConsumerOptions(raw);
      const log = createLogger({
        level: raw.logLevel,
        format: raw.logFormat,
        base: { workerId: options.scheduler.workerId },
      });
      // Opened before any lease is taken: a path that cannot be written stops the worker before it starts.
      const file = raw.out ? JsonLinesFile.open(raw.out, '--out', 'a') : undefined;
      const jsonl = file && new JsonlSink(file);
      const clients = clientsFor(raw.target, { appId: raw.applicationName });
      // The lag lesson: SIGUSR2 holds this worker's processing for --pause-for (Windows has no SIGUSR2).
      const pause = new Pause(systemClock);
      const onPauseSignal = () => {
        pause.request(options.pauseForMs);
        log.warn(
          { pauseForMs: options.pauseForMs },
          `SIGUSR2: holding processing for ${raw.pauseFor}; this worker's shards fall behind, then catch up`,
        );
      };
      if (process.platform !== 'win32') process.on('SIGUSR2', onPauseSignal);
      const sinks: SampleSink[] = [];
      if (!raw.quiet) sinks.push(new PrintingSink((text) => writeText(out, text)));
      if (jsonl) sinks.push(jsonl);
      try {
        log.info(
          { target: describeTarget(clients), stream: raw.stream, table: raw.applicationName, window: raw.window },
          `worker ${options.scheduler.workerId} starting`,
        );
        if (file && file.cutTail > 0) {
          log.warn(
            { out: raw.out, bytes: file.cutTail },
            '--out ended with a line cut short (a run stopped mid-write): it is skipped, new lines start after it',
          );
        }
        // The Java KCL's namespace: the application name. Lines on stdout, where ECS's FireLens takes them to CloudWatch.
        const metrics =
          raw.metrics === 'emf'
            ? emfMetrics({
                namespace: raw.applicationName,
                workerId: options.scheduler.workerId,
                write: (line) => writeText(out, line),
              })
            : undefined;
        await runConsumer(
          { ...options, statsStream: raw.statsStream || undefined },
          { clients, sinks, log, signal, pause, metrics },
        );
      } finally {
        if (process.platform !== 'win32') process.off('SIGUSR2', onPauseSignal);
        // A write that failed was reported already (the worker stopped on it).
        await jsonl?.close().catch(() => undefined);
        clients.destroy();
      }
    });
}

export function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  return runProgram(buildProgram(signal), argv);
}

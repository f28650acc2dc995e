import { setTimeout as delay } from 'node:timers/promises';
import { retryTransient, StreamAdmin } from '@stock-trades/aws';
import {
  clientsFor,
  describeTarget,
  JsonLinesFile,
  ProgressLine,
  runProgram,
  targetOption,
} from '@stock-trades/cli-kit';
import { InvalidOptionError, parseDuration, parseNumber, parseStreamName, STREAM_NAME } from '@stock-trades/core';
import { DEFAULT_RETRY_POLICY, KinesisRecordsPort } from '@stock-trades/writer';
import { Command, Option } from 'commander';
import { ProducerError, TradeLogFailedError } from './errors.js';
import {
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_IN_FLIGHT,
  PartitionKeyMode,
  ProducerMode,
  type ProducerOptions,
} from './ProducerOptions.js';
import { runProducer } from './runProducer.js';
import { TradeLog } from './TradeLog.js';

const DEFAULT_RATE = '100';
/** The longest `--duration`: a week. */
const MAX_RUN_MS = 7 * 24 * 3_600_000;
/** A trade retried longer than an hour is better given up on (and reported so) than held on to. */
const MAX_GIVE_UP_AFTER_MS = 3_600_000;

interface RawOptions {
  mode: ProducerMode;
  rate?: string;
  count?: string;
  duration?: string;
  seed?: string;
  partitionKey: PartitionKeyMode;
  stream: string;
  tradeLog?: string;
  aggregate: boolean;
  linger: string;
  maxAttempts?: string;
  giveUpAfter: string;
  /** A percentage, or false from --no-shard-rate-limit. */
  shardRateLimit: string | false;
  target?: string;
}

/** Flags to plain options; every mistake is a one-line InvalidOptionError naming the flag. */
export function parseProducerOptions(raw: RawOptions): ProducerOptions {
  if (raw.mode === ProducerMode.TUTORIAL && raw.rate !== undefined) {
    throw new InvalidOptionError('--rate does not apply to --mode tutorial, which puts one trade every 100 ms');
  }
  if (raw.mode === ProducerMode.TUTORIAL && raw.aggregate) {
    throw new InvalidOptionError('--aggregate does not apply to --mode tutorial, which puts one trade per record');
  }
  const rateText = raw.rate ?? DEFAULT_RATE;
  return {
    stream: raw.stream,
    mode: raw.mode,
    rate: rateText === 'max' ? undefined : parseNumber(rateText, '--rate', { min: 0.1, max: 1_000_000 }),
    count: raw.count === undefined ? undefined : parseNumber(raw.count, '--count', { integer: true, min: 1 }),
    durationMs: raw.duration === undefined ? undefined : parseDuration(raw.duration, '--duration', { max: MAX_RUN_MS }),
    seed: raw.seed === undefined ? undefined : parseNumber(raw.seed, '--seed', { integer: true, min: 0 }),
    partitionKey: raw.partitionKey,
    aggregate: raw.aggregate,
    lingerMs: parseNumber(raw.linger, '--linger', { integer: true, min: 0, max: 100 }),
    maxInFlight: DEFAULT_MAX_IN_FLIGHT,
    shardRateLimit:
      raw.shardRateLimit === false
        ? false
        : parseNumber(raw.shardRateLimit, '--shard-rate-limit', { min: 1, max: 100 }) / 100,
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      maxAttempts:
        raw.maxAttempts === undefined
          ? DEFAULT_RETRY_POLICY.maxAttempts
          : parseNumber(raw.maxAttempts, '--max-attempts', { integer: true, min: 1, max: 1_000_000 }),
      retryForMs: parseDuration(raw.giveUpAfter, '--give-up-after', { min: 0, max: MAX_GIVE_UP_AFTER_MS }),
    },
  };
}

export function buildProgram(
  signal: AbortSignal,
  out: NodeJS.WritableStream = process.stdout,
  errors: NodeJS.WritableStream = process.stderr,
): Command {
  return new Command('pnpm producer')
    .description(`Step 3: the StockTradesWriter: put random stock trades into ${STREAM_NAME}`)
    .addOption(
      new Option(
        '--mode <mode>',
        'batched: PutRecords batches with retries; tutorial: PutRecord one trade, then a 100 ms pause',
      )
        .choices(Object.values(ProducerMode))
        .default(ProducerMode.BATCHED),
    )
    .option('--rate <trades/s>', `trades per second in batched mode, or "max" (default: ${DEFAULT_RATE})`)
    .option('--count <n>', 'stop after n trades (default: run until Ctrl-C)')
    .option('--duration <time>', 'stop after this long, e.g. 30s, 5m')
    .option('--seed <n>', 'repeat exactly the same trades as another run with this seed')
    .addOption(
      new Option('--partition-key <kind>', 'ticker: trades of a stock share a shard; random: spread evenly')
        .choices(Object.values(PartitionKeyMode))
        .default(PartitionKeyMode.TICKER),
    )
    .option('--stream <name>', 'stream to write to', (value: string) => parseStreamName(value, '--stream'), STREAM_NAME)
    .option(
      '--trade-log <file.jsonl>',
      'write one JSON line per trade Kinesis acknowledged, with its shard and sequence number',
    )
    .option('--aggregate', 'KPL aggregation: pack many trades (up to 50 KB) into each Kinesis record, per shard', false)
    .option('--linger <ms>', 'longest a batch waits for more trades (0-100)', String(DEFAULT_LINGER_MS))
    .option(
      '--give-up-after <time>',
      'longest a trade is retried, from its first attempt, before it is given up on (rides out a stall of Kinesis this long)',
      `${DEFAULT_RETRY_POLICY.retryForMs / 60_000}m`,
    )
    .option('--max-attempts <n>', 'also give up on a trade after this many attempts (default: no limit but the time)')
    .option(
      '--shard-rate-limit <percent>',
      "keep within this share of each shard's 1,000 records and 1 MiB a second, as the KPL's RateLimit (1-100)",
      '100',
    )
    .option('--no-shard-rate-limit', 'send as fast as asked and let Kinesis throttle')
    .addOption(targetOption())
    .action(async (raw: RawOptions) => {
      const options = parseProducerOptions(raw);
      const clients = clientsFor(raw.target);
      let tradeLog: TradeLog | undefined;
      const progress = new ProgressLine();
      const say = (line: string) => {
        progress.clear();
        out.write(`${line}\n`);
      };
      try {
        // The trade log is the ground truth: it opens before the first trade is sent, or nothing is sent.
        if (raw.tradeLog) tradeLog = new TradeLog(JsonLinesFile.open(raw.tradeLog, '--trade-log', 'w'));
        const rate =
          options.mode === ProducerMode.TUTORIAL ? 'one trade every 100 ms' : `${options.rate ?? 'max'} trades/s`;
        say(
          `Writing trades to ${options.stream} on ${describeTarget(clients)}: ${options.mode} mode, ${rate}. Ctrl-C stops.`,
        );
        const streams = new StreamAdmin(clients);
        // Start-up rides out a fault of the moment (a dropped connection, a 5xx), saying so.
        const startup = {
          signal,
          onRetry: (error: Error, waitMs: number) => say(`${error.message}; trying again in ${waitMs} ms`),
        };
        const port = new KinesisRecordsPort(clients);
        const stats = await runProducer(options, {
          port: {
            putRecords: (stream, entries) => port.putRecords(stream, entries),
            putRecord: (stream, entry) => port.putRecord(stream, entry),
            listShards: (stream) => retryTransient(() => port.listShards(stream), startup),
          },
          streamStatus: async (stream) => (await retryTransient(() => streams.describe(stream), startup))?.status,
          now: Date.now,
          // Ends early, without an error, when Ctrl-C aborts the run.
          sleep: (ms, abort) => delay(ms, undefined, { signal: abort }).catch(() => {}),
          signal,
          tradeLog,
          onProgress: (current) => progress.update(current.progressText()),
          say,
        }).finally(() => progress.clear());
        say(stats.summaryText(options.stream));
        if (raw.tradeLog) say(`Trade log: ${raw.tradeLog}`);
      } catch (error) {
        // A run that sent trades and then failed still says what became of them, before its one error line.
        if (error instanceof ProducerError && error.stats) say(error.stats.summaryText(options.stream));
        if (error instanceof TradeLogFailedError && error.unloggedIds.length > 0) {
          errors.write(`trades acknowledged by Kinesis but not in the trade log: ${idRanges(error.unloggedIds)}\n`);
        }
        throw error;
      } finally {
        await tradeLog?.close().catch(() => undefined);
        clients.destroy();
      }
    });
}

/** Ids as ranges: "1-4, 7, 9-12". */
export function idRanges(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    const start = sorted[index] ?? 0;
    let end = start;
    while (sorted[index + 1] === end + 1) end = sorted[++index] ?? end;
    ranges.push(start === end ? `${start}` : `${start}-${end}`);
    index++;
  }
  return ranges.join(', ');
}

export function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  return runProgram(buildProgram(signal), argv);
}

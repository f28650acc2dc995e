import { TradeGenerator } from '@stock-trades/core';
import type { RecordsPort } from '@stock-trades/writer';
import { type BatchResult, BatchSender } from '@stock-trades/writer';
import { StreamNotReadyError, UndeliveredTradesError } from './errors.js';
import { PartitionKeyMode, ProducerMode, type ProducerOptions, TUTORIAL_INTERVAL_MS } from './ProducerOptions.js';
import { ProductionStats } from './ProductionStats.js';
import { produceBatched } from './produceBatched.js';
import { PlainRecordBuilder } from './RecordBuilder.js';
import type { TradeLogLine } from './TradeLog.js';

export interface ProducerDeps {
  readonly port: RecordsPort;
  /** Status of the stream now ('ACTIVE', …) or undefined when it does not exist. */
  readonly streamStatus: (stream: string) => Promise<string | undefined>;
  readonly now: () => number;
  /** Resolves after `ms`, or at once when `signal` fires. */
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Stops production; what is in flight is still delivered. */
  readonly signal?: AbortSignal;
  readonly tradeLog?: { write(line: TradeLogLine): void };
  /** Called whenever the counters move (the CLI draws its progress line from it). */
  readonly onProgress?: (stats: ProductionStats) => void;
  /** Lines for people: the tutorial mode's "Putting trade", retries given up on. */
  readonly say?: (line: string) => void;
}

/** A trade generated for this run and the partition key it goes out with. */
export type TradeSource = () => { trade: ReturnType<TradeGenerator['next']>; partitionKey: string };

/**
 * The StockTradesWriter: checks that the stream is ACTIVE, then writes trades until the
 * count, the duration or the signal says stop, and waits for everything in flight.
 * Throws UndeliveredTradesError if any trade was never acknowledged.
 */
export async function runProducer(options: ProducerOptions, deps: ProducerDeps): Promise<ProductionStats> {
  const status = await deps.streamStatus(options.stream);
  if (status === undefined) {
    throw new StreamNotReadyError(
      `stream ${options.stream} does not exist: create it first with \`pnpm create-stream\``,
    );
  }
  if (status !== 'ACTIVE') {
    throw new StreamNotReadyError(`stream ${options.stream} is ${status}, not ACTIVE: wait for it, then try again`);
  }
  const stats = new ProductionStats(deps.now);
  const generator = new TradeGenerator({ seed: options.seed, now: deps.now });
  const nextTrade: TradeSource = () => {
    const trade = generator.next();
    stats.generated++;
    const partitionKey = options.partitionKey === PartitionKeyMode.TICKER ? trade.tickerSymbol : generator.randomKey();
    return { trade, partitionKey };
  };
  let fatal: Error | undefined;
  let lastFailure = '';
  const shouldStop = () =>
    deps.signal?.aborted === true ||
    fatal !== undefined ||
    (options.count !== undefined && stats.generated >= options.count) ||
    (options.durationMs !== undefined && stats.elapsedMs >= options.durationMs);
  const noteFailures = (result: BatchResult) => {
    stats.undelivered += result.undelivered.reduce((sum, record) => sum + record.trades.length, 0);
    stats.retriedRecords += result.retriedRecords;
    if (result.failure) {
      lastFailure = result.failure;
      deps.say?.(`${result.undelivered.length} records not delivered: ${result.failure}`);
    }
    fatal ??= result.fatal;
  };

  if (options.mode === ProducerMode.TUTORIAL) {
    await produceTutorial(options, deps, nextTrade, shouldStop, stats, noteFailures);
  } else {
    await produceBatched(options, deps, { nextTrade, shouldStop, stats, noteFailures });
  }
  if (fatal) throw new UndeliveredTradesError(stats.undelivered, fatal.message);
  if (stats.undelivered > 0) throw new UndeliveredTradesError(stats.undelivered, lastFailure);
  return stats;
}

/** The tutorial's loop: PutRecord one trade, sleep 100 ms. */
async function produceTutorial(
  options: ProducerOptions,
  deps: ProducerDeps,
  nextTrade: TradeSource,
  shouldStop: () => boolean,
  stats: ProductionStats,
  noteFailures: (result: BatchResult) => void,
): Promise<void> {
  const builder = new PlainRecordBuilder();
  const sender = new BatchSender({
    write: async ([entry]) => (entry ? [{ ok: true, ...(await deps.port.putRecord(options.stream, entry)) }] : []),
    policy: options.retryPolicy,
    sleep: deps.sleep,
    now: deps.now,
    random: deps.random,
  });
  while (!shouldStop()) {
    const { trade, partitionKey } = nextTrade();
    deps.say?.(
      `Putting trade: ID ${trade.id}: ${trade.tradeType} ${trade.quantity} shares of ${trade.tickerSymbol} for $${trade.price.toFixed(2)}`,
    );
    const result = await sender.send(builder.add(trade, partitionKey));
    for (const { shardId, sequenceNumber } of result.delivered) {
      deps.tradeLog?.write({ trade, shardId, sequenceNumber });
      stats.recordDelivered(shardId);
    }
    noteFailures(result);
    deps.onProgress?.(stats);
    if (!shouldStop()) await deps.sleep(TUTORIAL_INTERVAL_MS, deps.signal);
  }
}

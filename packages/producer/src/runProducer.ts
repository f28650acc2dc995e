import { serializeTrade, TradeGenerator } from '@stock-trades/core';
import { type BatchResult, BatchSender } from './BatchSender.js';
import { StreamNotReadyError, UndeliveredTradesError } from './errors.js';
import type { PendingTrade } from './PendingTrade.js';
import { PartitionKeyMode, ProducerMode, type ProducerOptions, TUTORIAL_INTERVAL_MS } from './ProducerOptions.js';
import { ProductionStats } from './ProductionStats.js';
import type { RecordsPort } from './RecordsPort.js';
import { TradeBatcher } from './TradeBatcher.js';
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
  const makeTrade = (): PendingTrade => {
    const trade = generator.next();
    const partitionKey = options.partitionKey === PartitionKeyMode.TICKER ? trade.tickerSymbol : generator.randomKey();
    stats.generated++;
    return { trade, entry: { data: serializeTrade(trade), partitionKey } };
  };
  const shouldStop = () =>
    deps.signal?.aborted === true ||
    fatal !== undefined ||
    (options.count !== undefined && stats.generated >= options.count) ||
    (options.durationMs !== undefined && stats.elapsedMs >= options.durationMs);

  let fatal: Error | undefined;
  let lastFailure = '';
  const record = (result: BatchResult) => {
    for (const { pending, shardId, sequenceNumber } of result.delivered) {
      deps.tradeLog?.write({ trade: pending.trade, shardId, sequenceNumber });
      stats.recordDelivered(shardId);
    }
    stats.undelivered += result.undelivered.length;
    stats.retriedRecords += result.retriedRecords;
    if (result.failure) {
      lastFailure = result.failure;
      deps.say?.(`${result.undelivered.length} trades not delivered: ${result.failure}`);
    }
    fatal ??= result.fatal;
    deps.onProgress?.(stats);
  };

  if (options.mode === ProducerMode.TUTORIAL) {
    const sender = new BatchSender({
      write: async ([entry]) => {
        if (!entry) return [];
        return [{ ok: true, ...(await deps.port.putRecord(options.stream, entry)) }];
      },
      policy: options.retryPolicy,
      sleep: deps.sleep,
      random: deps.random,
    });
    while (!shouldStop()) {
      const item = makeTrade();
      const { trade } = item;
      deps.say?.(
        `Putting trade: ID ${trade.id}: ${trade.tradeType} ${trade.quantity} shares of ${trade.tickerSymbol} for $${trade.price.toFixed(2)}`,
      );
      record(await sender.send([item]));
      if (!shouldStop()) await deps.sleep(TUTORIAL_INTERVAL_MS, deps.signal);
    }
  } else {
    await produceBatched(options, deps, makeTrade, record, shouldStop, stats);
  }

  if (fatal) throw new UndeliveredTradesError(stats.undelivered, fatal.message);
  if (stats.undelivered > 0) throw new UndeliveredTradesError(stats.undelivered, lastFailure);
  return stats;
}

async function produceBatched(
  options: ProducerOptions,
  deps: ProducerDeps,
  makeTrade: () => PendingTrade,
  record: (result: BatchResult) => void,
  shouldStop: () => boolean,
  stats: ProductionStats,
): Promise<void> {
  const sender = new BatchSender({
    write: (entries) => deps.port.putRecords(options.stream, entries),
    policy: options.retryPolicy,
    sleep: deps.sleep,
    random: deps.random,
  });
  const batcher = new TradeBatcher();
  const inFlight = new Set<Promise<void>>();
  let batchOpenedAt = 0;

  const dispatch = async (batch: PendingTrade[]) => {
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    const sending = sender.send(batch).then(record);
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };
  const startedAt = deps.now();
  // Without a rate, one loop turn makes a full batch's worth of trades.
  const unpacedChunk = 500;

  while (!shouldStop()) {
    const elapsed = deps.now() - startedAt;
    let due =
      options.rate === undefined ? unpacedChunk : Math.floor((elapsed * options.rate) / 1000) + 1 - stats.generated;
    if (options.count !== undefined) due = Math.min(due, options.count - stats.generated);
    for (let i = 0; i < due && !shouldStop(); i++) {
      if (batcher.size === 0) batchOpenedAt = deps.now();
      const full = batcher.add(makeTrade());
      if (full) await dispatch(full);
    }
    if (batcher.size > 0 && deps.now() - batchOpenedAt >= options.lingerMs) {
      await dispatch(batcher.drain() ?? []);
    }
    deps.onProgress?.(stats);
    if (options.rate !== undefined && !shouldStop()) {
      const nextDueAt = startedAt + (stats.generated * 1000) / options.rate;
      const lingerEndsAt = batcher.size > 0 ? batchOpenedAt + options.lingerMs : Number.POSITIVE_INFINITY;
      const wait = Math.min(nextDueAt, lingerEndsAt) - deps.now();
      if (wait > 0) await deps.sleep(wait, deps.signal);
    }
  }
  const rest = batcher.drain();
  if (rest) await dispatch(rest);
  while (inFlight.size > 0) await Promise.race(inFlight);
}

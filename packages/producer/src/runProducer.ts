import { randomBytes } from 'node:crypto';
import { TradeGenerator } from '@stock-trades/core/generator';
import type { RecordsPort } from '@stock-trades/writer';
import { type BatchResult, BatchSender } from '@stock-trades/writer';
import { StreamNotReadyError, TradeLogFailedError, UnacknowledgedTradesError } from './errors.js';
import { PartitionKeyMode, ProducerMode, type ProducerOptions, TUTORIAL_INTERVAL_MS } from './ProducerOptions.js';
import { ProductionStats } from './ProductionStats.js';
import { produceBatched } from './produceBatched.js';
import { PlainRecordBuilder } from './RecordBuilder.js';
import { type TradeLogLine, TradeStatus } from './TradeLog.js';

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
  /** Where every trade's fate goes; the next batch waits until what is queued is written. */
  readonly tradeLog?: {
    write(lines: readonly TradeLogLine[]): void;
    flushed(): Promise<void>;
    readonly unloggedIds: readonly number[];
  };
  /** Called whenever the counters move (the CLI draws its progress line from it). */
  readonly onProgress?: (stats: ProductionStats) => void;
  /** Lines for people: the tutorial mode's "Putting trade", retries given up on. */
  readonly say?: (line: string) => void;
}

/** A trade generated for this run and the partition key it goes out with. */
export type TradeSource = () => { trade: ReturnType<TradeGenerator['next']>; partitionKey: string };

/**
 * The StockTradesWriter: checks that the stream is ACTIVE, then writes trades until the
 * count, the duration or the signal says stop, and waits for everything in flight. Every
 * trade ends acknowledged, unknown (given up on, but Kinesis may have stored it) or not
 * delivered, and goes to the trade log so. Throws UnacknowledgedTradesError if any trade
 * was not acknowledged, and TradeLogFailedError if the log could not be written (it stops
 * sending then: nothing goes out that the log cannot account for).
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
  const generator = new TradeGenerator({
    seed: options.seed,
    now: deps.now,
    producerId: options.producerId ?? newProducerId(),
  });
  const nextTrade: TradeSource = () => {
    const trade = generator.next();
    stats.generated++;
    const partitionKey = options.partitionKey === PartitionKeyMode.TICKER ? trade.tickerSymbol : generator.randomKey();
    return { trade, partitionKey };
  };
  let fatal: Error | undefined;
  let logFailure: Error | undefined;
  let lastFailure = '';
  const shouldStop = () =>
    deps.signal?.aborted === true ||
    fatal !== undefined ||
    logFailure !== undefined ||
    (options.count !== undefined && stats.generated >= options.count) ||
    (options.durationMs !== undefined && stats.elapsedMs >= options.durationMs);
  const noteFailures = (result: BatchResult) => {
    const lines: TradeLogLine[] = [];
    const reason = result.failure ?? 'given up';
    for (const record of result.unknown) {
      for (const { trade } of record.trades) lines.push({ status: TradeStatus.UNKNOWN, trade, reason });
    }
    for (const record of result.undelivered) {
      for (const { trade } of record.trades) lines.push({ status: TradeStatus.NOT_DELIVERED, trade, reason });
    }
    deps.tradeLog?.write(lines);
    stats.unknown += result.unknown.reduce((sum, record) => sum + record.trades.length, 0);
    stats.notDelivered += result.undelivered.reduce((sum, record) => sum + record.trades.length, 0);
    stats.retriedRecords += result.retriedRecords;
    if (result.failure) {
      lastFailure = result.failure;
      const unknown = result.unknown.length > 0 ? `${result.unknown.length} records of unknown fate` : '';
      const refused = result.undelivered.length > 0 ? `${result.undelivered.length} records not delivered` : '';
      deps.say?.(`${[unknown, refused].filter(Boolean).join(' and ')}: ${result.failure}`);
    }
    fatal ??= result.fatal;
  };
  /** Before a batch goes out: what is logged so far must be written; false (stop sending) once it cannot be. */
  const readyToSend = async (): Promise<boolean> => {
    if (logFailure) return false;
    try {
      await deps.tradeLog?.flushed();
      return true;
    } catch (error) {
      logFailure ??= error instanceof Error ? error : new Error(String(error));
      return false;
    }
  };
  const run: RunControl = { nextTrade, shouldStop, stats, noteFailures, readyToSend };

  try {
    if (options.mode === ProducerMode.TUTORIAL) await produceTutorial(options, deps, run);
    else await produceBatched(options, deps, run);
    await readyToSend();
  } catch (error) {
    if (error instanceof Error) Object.assign(error, { stats });
    throw error;
  }
  const failed = (error: TradeLogFailedError | UnacknowledgedTradesError) => Object.assign(error, { stats });
  if (logFailure) throw failed(new TradeLogFailedError(logFailure.message, deps.tradeLog?.unloggedIds ?? []));
  if (fatal || stats.notAcknowledged > 0) {
    throw failed(new UnacknowledgedTradesError(stats.unknown, stats.notDelivered, fatal?.message ?? lastFailure));
  }
  return stats;
}

/** Eight random characters of base64url: 48 bits, unique enough for the runs that write to one stream. */
export function newProducerId(): string {
  return randomBytes(6).toString('base64url');
}

/** What both modes share: the trades, when to stop, the counters, and the checks before and after each send. */
export interface RunControl {
  readonly nextTrade: TradeSource;
  readonly shouldStop: () => boolean;
  readonly stats: ProductionStats;
  readonly noteFailures: (result: BatchResult) => void;
  readonly readyToSend: () => Promise<boolean>;
}

/** The tutorial's loop: PutRecord one trade, sleep 100 ms. */
async function produceTutorial(options: ProducerOptions, deps: ProducerDeps, run: RunControl): Promise<void> {
  const builder = new PlainRecordBuilder();
  const sender = new BatchSender({
    write: async ([entry]) => (entry ? [{ ok: true, ...(await deps.port.putRecord(options.stream, entry)) }] : []),
    policy: options.retryPolicy,
    sleep: deps.sleep,
    now: deps.now,
    random: deps.random,
  });
  const { stats } = run;
  while (!run.shouldStop()) {
    const { trade, partitionKey } = run.nextTrade();
    if (!(await run.readyToSend())) {
      stats.unsent++;
      break;
    }
    deps.say?.(
      `Putting trade: ID ${trade.id}: ${trade.tradeType} ${trade.quantity} shares of ${trade.tickerSymbol} for $${trade.price.toFixed(2)}`,
    );
    const result = await sender.send(builder.add(trade, partitionKey));
    deps.tradeLog?.write(
      result.delivered.map(({ shardId, sequenceNumber }) => ({
        status: TradeStatus.ACKNOWLEDGED,
        trade,
        shardId,
        sequenceNumber,
      })),
    );
    for (const { shardId } of result.delivered) stats.recordDelivered(shardId);
    run.noteFailures(result);
    deps.onProgress?.(stats);
    if (!run.shouldStop()) await deps.sleep(TUTORIAL_INTERVAL_MS, deps.signal);
  }
}

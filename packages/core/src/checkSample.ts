import type { TradeSummary } from './TradeSummary.js';
import { TRADE_BOUNDS } from './tradeBounds.js';
import type { WindowSample } from './WindowSample.js';

/** A shard of the trade stream, as ListShards describes it. */
export interface KnownShard {
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  /** Split or merged: it has ended. */
  readonly closed: boolean;
}

/** What a sample is checked against. */
export interface SampleChecks {
  /** The pipeline's window length; undefined while not known (any length is taken). */
  readonly windowMs?: number;
  /** Windows starting before this cannot hold a record the trade stream still keeps (its retention). */
  readonly oldestWindowMs: number;
  /** The trade stream's shards, open and closed, by id; undefined: not checked. */
  readonly shards?: ReadonlyMap<string, KnownShard>;
}

/** Why a sample was rejected: the kind, for counting, and one line saying what is wrong. */
export interface SampleRejection {
  readonly reason: 'counts' | 'window' | 'too-old' | 'shard';
  readonly detail: string;
}

/**
 * Whether a sample read from the stats stream can be what a consumer sent: counts that are
 * whole, not negative and add up (trades = buys + sells; a largest sell when there were
 * sells, of a ticker that had them, no bigger than its sold quantity); a window of the
 * pipeline's length, aligned to it, and not older than the trade stream keeps records;
 * a shard the trade stream has (open or closed), with that shard's hash-key range, and
 * `final` only for a closed one. Undefined: it can be merged.
 */
export function checkSample(sample: WindowSample, checks: SampleChecks): SampleRejection | undefined {
  const counts = summaryProblem(sample.summary);
  if (counts) return { reason: 'counts', detail: counts };
  const length = sample.windowEnd - sample.windowStart;
  if (checks.windowMs !== undefined && length !== checks.windowMs) {
    return { reason: 'window', detail: `a ${length} ms window, but the pipeline's windows are ${checks.windowMs} ms` };
  }
  if (sample.windowStart % length !== 0) return { reason: 'window', detail: `a window not aligned to its length` };
  if (sample.windowEnd <= checks.oldestWindowMs) {
    return {
      reason: 'too-old',
      detail: `a window of ${new Date(sample.windowStart).toISOString()}, older than any record the trade stream keeps`,
    };
  }
  if (checks.shards) {
    const shard = checks.shards.get(sample.shardId);
    if (!shard) return { reason: 'shard', detail: `shard ${sample.shardId} is not a shard of the trade stream` };
    const range = sample.hashKeyRange;
    if (range && (range.startingHashKey !== shard.startingHashKey || range.endingHashKey !== shard.endingHashKey)) {
      return { reason: 'shard', detail: `the hash-key range given for ${sample.shardId} is not that shard's` };
    }
    if (sample.final && !shard.closed) {
      return { reason: 'shard', detail: `a final sample of ${sample.shardId}, which has not ended` };
    }
  }
  return undefined;
}

/** Why a summary cannot be a consumer's count of real trades, or undefined when it can. */
export function summaryProblem(summary: TradeSummary): string | undefined {
  const count = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  for (const field of ['trades', 'malformed', 'outOfRange', 'duplicates'] as const) {
    if (!count(summary[field])) return `${field} is ${String(summary[field])}, not a count`;
  }
  let trades = 0;
  let sells = 0;
  for (const [ticker, totals] of Object.entries(summary.perTicker)) {
    if (ticker.length === 0 || ticker.length > TRADE_BOUNDS.maxTickerLength)
      return `a ticker of ${ticker.length} characters`;
    if (typeof totals !== 'object' || totals === null) return `${ticker} has no totals`;
    const { buys, sells: sold, boughtQuantity, soldQuantity } = totals;
    if (![buys, sold, boughtQuantity, soldQuantity].every(count)) return `${ticker}'s totals are not counts`;
    if (boughtQuantity < buys || soldQuantity < sold) return `${ticker} has fewer shares than trades`;
    if (boughtQuantity > buys * TRADE_BOUNDS.maxQuantity || soldQuantity > sold * TRADE_BOUNDS.maxQuantity) {
      return `${ticker} has more shares than ${TRADE_BOUNDS.maxQuantity} a trade`;
    }
    trades += buys + sold;
    sells += sold;
  }
  if (trades !== summary.trades) return `${summary.trades} trades, but the tickers' buys and sells add up to ${trades}`;
  const largest = summary.largestSell;
  if (sells === 0) return largest === null ? undefined : 'a largest sell without any sell';
  if (largest === null || typeof largest !== 'object') return 'sells without a largest sell';
  const totals = summary.perTicker[largest.ticker];
  if (!totals || totals.sells === 0) return `a largest sell of ${String(largest.ticker)}, which had no sells`;
  if (!count(largest.tradeId) || !count(largest.quantity) || largest.quantity < 1)
    return 'a largest sell that is not one';
  if (largest.quantity > totals.soldQuantity) return `a largest sell of more shares than ${largest.ticker} sold`;
  return undefined;
}

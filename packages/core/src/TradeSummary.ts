import { type StockTrade, TradeType } from './StockTrade.js';

/** Per ticker, in one summary. */
export interface TickerTotals {
  buys: number;
  sells: number;
  boughtQuantity: number;
  soldQuantity: number;
}

export interface LargestSell {
  readonly ticker: string;
  readonly quantity: number;
  readonly tradeId: number;
}

/**
 * A mergeable summary of a set of trades: everything the tutorial's statistics need,
 * kept so that two summaries of disjoint sets merge into the summary of their union.
 */
export interface TradeSummary {
  trades: number;
  /** Records that were not trades, skipped and counted. */
  malformed: number;
  /** Trades whose timestamp lay outside the event-time bounds (see classifyEventTime): counted, not windowed. */
  outOfRange: number;
  /** Second copies of trades already counted (a producer's retry that Kinesis stored twice): counted, skipped. */
  duplicates: number;
  perTicker: Record<string, TickerTotals>;
  largestSell: LargestSell | null;
}

export function emptySummary(): TradeSummary {
  return { trades: 0, malformed: 0, outOfRange: 0, duplicates: 0, perTicker: {}, largestSell: null };
}

/** Adds one trade to a summary (mutates it: this is the hot path). */
export function addTrade(summary: TradeSummary, trade: StockTrade): void {
  summary.trades++;
  let totals = summary.perTicker[trade.tickerSymbol];
  if (!totals) {
    totals = { buys: 0, sells: 0, boughtQuantity: 0, soldQuantity: 0 };
    summary.perTicker[trade.tickerSymbol] = totals;
  }
  if (trade.tradeType === TradeType.BUY) {
    totals.buys++;
    totals.boughtQuantity += trade.quantity;
  } else {
    totals.sells++;
    totals.soldQuantity += trade.quantity;
    const candidate = { ticker: trade.tickerSymbol, quantity: trade.quantity, tradeId: trade.id };
    if (isLarger(candidate, summary.largestSell)) summary.largestSell = candidate;
  }
}

/**
 * The larger of two sell orders: more shares; on a tie, the ticker first in
 * alphabetical order, then the lower trade id, so every merge order agrees.
 */
export function isLarger(candidate: LargestSell, current: LargestSell | null): boolean {
  if (current === null) return true;
  if (candidate.quantity !== current.quantity) return candidate.quantity > current.quantity;
  if (candidate.ticker !== current.ticker) return candidate.ticker < current.ticker;
  return candidate.tradeId < current.tradeId;
}

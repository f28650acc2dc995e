import type { LargestSell, TradeSummary } from './TradeSummary.js';

export interface Popularity {
  readonly ticker: string;
  readonly count: number;
}

/** The tutorial's StockStats, derived from a summary. Empty values are null. */
export interface StockStats {
  /** The ticker with the most buy trades (by number of trades, not shares). */
  readonly mostPopularBuy: Popularity | null;
  readonly mostPopularSell: Popularity | null;
  readonly largestSell: LargestSell | null;
  readonly trades: number;
  readonly malformed: number;
  readonly outOfRange: number;
  readonly duplicates: number;
}

/**
 * Most popular = most trades of that type, as in the tutorial; ties go to the ticker
 * first in alphabetical order, so the answer does not depend on arrival order.
 */
export function stockStats(summary: TradeSummary): StockStats {
  let buy: Popularity | null = null;
  let sell: Popularity | null = null;
  for (const ticker of Object.keys(summary.perTicker).sort()) {
    const totals = summary.perTicker[ticker];
    if (!totals) continue;
    if (totals.buys > 0 && (buy === null || totals.buys > buy.count)) buy = { ticker, count: totals.buys };
    if (totals.sells > 0 && (sell === null || totals.sells > sell.count)) sell = { ticker, count: totals.sells };
  }
  return {
    mostPopularBuy: buy,
    mostPopularSell: sell,
    largestSell: summary.largestSell,
    trades: summary.trades,
    malformed: summary.malformed,
    outOfRange: summary.outOfRange,
    duplicates: summary.duplicates,
  };
}

/** The tutorial's three lines ("Most popular stock being bought: …"), plus the trade count. */
export function formatStockStats(stats: StockStats): string[] {
  const popular = (entry: Popularity | null, verb: string, noun: string) =>
    entry
      ? `Most popular stock being ${verb}: ${entry.ticker}, ${entry.count} ${noun}.`
      : `Most popular stock being ${verb}: none, 0 ${noun}.`;
  const largest = stats.largestSell
    ? `Largest sell order: ${stats.largestSell.quantity} shares of ${stats.largestSell.ticker}.`
    : 'Largest sell order: none.';
  const malformed = stats.malformed > 0 ? ` (${stats.malformed} malformed records skipped` : ' (0 malformed records';
  const outOfRange = stats.outOfRange > 0 ? `, ${stats.outOfRange} out of range` : '';
  const duplicates = stats.duplicates > 0 ? `, ${stats.duplicates} duplicates skipped` : '';
  return [
    popular(stats.mostPopularBuy, 'bought', 'buys'),
    popular(stats.mostPopularSell, 'sold', 'sells'),
    largest,
    `Trades: ${stats.trades}${malformed}${outOfRange}${duplicates}).`,
  ];
}

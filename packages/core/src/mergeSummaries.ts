import { emptySummary, isLarger, type TradeSummary } from './TradeSummary.js';

/** The summary of the union of disjoint trade sets: associative and commutative. Inputs are not changed. */
export function mergeSummaries(...summaries: readonly TradeSummary[]): TradeSummary {
  const merged = emptySummary();
  for (const summary of summaries) {
    merged.trades += summary.trades;
    merged.malformed += summary.malformed;
    merged.outOfRange += summary.outOfRange;
    merged.duplicates += summary.duplicates;
    for (const [ticker, totals] of Object.entries(summary.perTicker)) {
      const into = merged.perTicker[ticker] ?? { buys: 0, sells: 0, boughtQuantity: 0, soldQuantity: 0 };
      into.buys += totals.buys;
      into.sells += totals.sells;
      into.boughtQuantity += totals.boughtQuantity;
      into.soldQuantity += totals.soldQuantity;
      merged.perTicker[ticker] = into;
    }
    if (summary.largestSell && isLarger(summary.largestSell, merged.largestSell))
      merged.largestSell = summary.largestSell;
  }
  return merged;
}

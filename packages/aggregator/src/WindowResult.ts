import type { LargestSell, Popularity, TickerTotals } from '@stock-trades/core';

/**
 * One line of `--out` (the JSONL contract): a window's all-shard statistics. A later
 * revision of the same window replaces it. Empty values are null, never left out.
 */
export interface WindowResult {
  readonly windowStart: string;
  readonly windowEnd: string;
  /** Every shard open during the window has reported it. */
  readonly complete: boolean;
  /** 1 for the first result of a window; each change (a late trade, a missing shard's report) adds one. */
  readonly revision: number;
  /** Shards that reported the window, sorted. */
  readonly shards: string[];
  /** Shards (or hash-key ranges) still to report, when incomplete. */
  readonly missingShards: string[];
  readonly trades: number;
  readonly malformed: number;
  /** Trades whose timestamp was out of range (see the consumer's --max-ahead / --max-behind), counted in no window. */
  readonly outOfRange: number;
  /** Second copies of trades already counted (a producer retry that Kinesis stored twice), skipped. */
  readonly duplicates: number;
  readonly mostPopularBuy: Popularity | null;
  readonly mostPopularSell: Popularity | null;
  readonly largestSell: LargestSell | null;
  readonly perTicker: Record<string, TickerTotals>;
}

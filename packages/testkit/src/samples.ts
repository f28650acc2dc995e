import { existsSync, readFileSync } from 'node:fs';
import {
  addTrade,
  classifyEventTime,
  compareSamplePositions,
  DEFAULT_EVENT_TIME_BOUNDS,
  EventTime,
  type EventTimeBounds,
  emptySummary,
  mergeSummaries,
  type StockTrade,
  stockStats,
  type TradeSummary,
  windowStartOf,
} from '@stock-trades/core';

export interface SampleLine {
  shardId: string;
  windowStart: string;
  windowEnd: string;
  firstSequenceNumber: string | null;
  lastSequenceNumber: string | null;
  late: boolean;
  trades: number;
  malformed: number;
  outOfRange?: number;
  duplicates?: number;
  largestSell: TradeSummary['largestSell'];
  perTicker: TradeSummary['perTicker'];
}

export interface TradeLogLine {
  /** What became of the trade (a line without one is from before the status was logged: acknowledged). */
  status?: 'acknowledged' | 'unknown' | 'not-delivered';
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  trade: StockTrade;
  /** When Kinesis acknowledged the record (ISO-8601): its arrival time is at most this. */
  acknowledgedAt?: string;
}

/** Whether Kinesis acknowledged the line's trade (lines of unknown fate or not delivered have no shard). */
export function isAcknowledged(line: TradeLogLine): boolean {
  return line.status === undefined || line.status === 'acknowledged';
}

/**
 * The event-time rule applied to the trade log: whether a trade belongs in a window.
 * Kinesis's own arrival time is not in the log; the acknowledgement time stands in for it,
 * which can only differ for a trade timestamped within one PutRecords round trip of a
 * bound (the tests make none).
 */
export function inRange(line: TradeLogLine, bounds: EventTimeBounds = DEFAULT_EVENT_TIME_BOUNDS): boolean {
  const eventMs = Date.parse(line.trade.timestamp);
  const arrivalMs = line.acknowledgedAt === undefined ? eventMs : Date.parse(line.acknowledgedAt);
  return classifyEventTime(eventMs, arrivalMs, bounds) === EventTime.IN_RANGE;
}

/** JSON lines of a file; a line cut short by a killed process is skipped. */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() ? [JSON.parse(line) as T] : [];
      } catch {
        return [];
      }
    });
}

/** Of samples with the same identity (shard, window, first record), the one reaching furthest. */
export function dedupeSamples(samples: readonly SampleLine[]): SampleLine[] {
  const byIdentity = new Map<string, SampleLine>();
  for (const sample of samples) {
    const identity = `${sample.shardId}|${sample.windowStart}|${sample.firstSequenceNumber}`;
    const previous = byIdentity.get(identity);
    if (!previous || compareSamplePositions(sample.lastSequenceNumber, previous.lastSequenceNumber) > 0) {
      byIdentity.set(identity, sample);
    }
  }
  return [...byIdentity.values()];
}

export function summaryOfSample(sample: SampleLine): TradeSummary {
  return {
    trades: sample.trades,
    malformed: sample.malformed,
    outOfRange: sample.outOfRange ?? 0,
    duplicates: sample.duplicates ?? 0,
    perTicker: sample.perTicker,
    largestSell: sample.largestSell,
  };
}

/** Per "shardId|windowStartMs": the summary of the trade log's in-range trades, computed directly. */
export function expectedPerShardWindow(
  log: readonly TradeLogLine[],
  windowMs: number,
  bounds?: EventTimeBounds,
): Map<string, TradeSummary> {
  const expected = new Map<string, TradeSummary>();
  for (const line of log) {
    if (!isAcknowledged(line) || !inRange(line, bounds)) continue;
    const key = `${line.shardId}|${windowStartOf(Date.parse(line.trade.timestamp), windowMs)}`;
    const summary = expected.get(key) ?? emptySummary();
    addTrade(summary, line.trade);
    expected.set(key, summary);
  }
  return expected;
}

/** Per "shardId|windowStartMs": the merge of every (deduplicated) sample of that shard and window. */
export function observedPerShardWindow(samples: readonly SampleLine[]): Map<string, TradeSummary> {
  const observed = new Map<string, TradeSummary>();
  for (const sample of dedupeSamples(samples)) {
    const key = `${sample.shardId}|${Date.parse(sample.windowStart)}`;
    observed.set(key, mergeSummaries(observed.get(key) ?? emptySummary(), summaryOfSample(sample)));
  }
  return observed;
}

/** Keys whose summaries differ between the trade log and the samples (windows with trades only). */
export function mismatches(expected: Map<string, TradeSummary>, observed: Map<string, TradeSummary>): string[] {
  const bad: string[] = [];
  for (const [key, summary] of expected) {
    const got = observed.get(key);
    if (!got || JSON.stringify(normalize(got)) !== JSON.stringify(normalize(summary))) {
      bad.push(`${key}: expected ${summary.trades} trades, got ${got?.trades ?? 'no sample'}`);
    }
  }
  for (const [key, summary] of observed) {
    if (!expected.has(key) && summary.trades > 0) bad.push(`${key}: ${summary.trades} trades not in the trade log`);
  }
  return bad;
}

function normalize(summary: TradeSummary): TradeSummary {
  const perTicker = Object.fromEntries(Object.entries(summary.perTicker).sort(([a], [b]) => a.localeCompare(b)));
  return { ...summary, malformed: 0, outOfRange: 0, duplicates: 0, perTicker };
}

/** One line of the aggregator's `--out` (the JSONL contract). */
export interface ResultLine {
  windowStart: string;
  windowEnd: string;
  complete: boolean;
  revision: number;
  shards: string[];
  missingShards: string[];
  trades: number;
  malformed: number;
  outOfRange?: number;
  duplicates?: number;
  mostPopularBuy: { ticker: string; count: number } | null;
  mostPopularSell: { ticker: string; count: number } | null;
  largestSell: { ticker: string; quantity: number; tradeId: number } | null;
  perTicker: TradeSummary['perTicker'];
}

/** Per window start (ms): the summary of every in-range trade of the log whose timestamp falls in it, all shards together. */
export function expectedPerWindow(
  log: readonly TradeLogLine[],
  windowMs: number,
  bounds?: EventTimeBounds,
): Map<number, TradeSummary> {
  const expected = new Map<number, TradeSummary>();
  for (const line of log) {
    if (!isAcknowledged(line) || !inRange(line, bounds)) continue;
    const start = windowStartOf(Date.parse(line.trade.timestamp), windowMs);
    const summary = expected.get(start) ?? emptySummary();
    addTrade(summary, line.trade);
    expected.set(start, summary);
  }
  return expected;
}

/** The highest revision of each window's result. */
export function latestResults(lines: readonly ResultLine[]): Map<number, ResultLine> {
  const latest = new Map<number, ResultLine>();
  for (const line of lines) {
    const start = Date.parse(line.windowStart);
    const previous = latest.get(start);
    if (!previous || line.revision > previous.revision) latest.set(start, line);
  }
  return latest;
}

/**
 * Windows of the trade log whose latest result is missing, incomplete, or differs field
 * by field (trades, every ticker's totals, most popular bought and sold, largest sell)
 * from the statistics computed directly from the trade log.
 */
export function resultMismatches(expected: Map<number, TradeSummary>, results: Map<number, ResultLine>): string[] {
  const bad: string[] = [];
  for (const [start, summary] of expected) {
    const result = results.get(start);
    const window = new Date(start).toISOString();
    if (!result) {
      bad.push(`${window}: no result`);
      continue;
    }
    const stats = stockStats(summary);
    const want = {
      complete: true,
      trades: summary.trades,
      perTicker: sortKeys(summary.perTicker),
      mostPopularBuy: stats.mostPopularBuy,
      mostPopularSell: stats.mostPopularSell,
      largestSell: stats.largestSell,
    };
    const got = {
      complete: result.complete,
      trades: result.trades,
      perTicker: sortKeys(result.perTicker),
      mostPopularBuy: result.mostPopularBuy,
      mostPopularSell: result.mostPopularSell,
      largestSell: result.largestSell,
    };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      bad.push(
        `${window} (revision ${result.revision}, complete ${result.complete}): ${result.trades} trades, expected ${summary.trades}` +
          (result.complete ? '' : `; waiting for ${(result.missingShards ?? []).join(', ') || 'nothing named'}`),
      );
    }
  }
  return bad;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Waits until the aggregator's latest results (its `--out` file) equal the statistics
 * computed directly from the trade log, window by window; returns what still differs if
 * they never do, and the results as last read.
 */
export async function waitForExactResults(
  resultsFile: string,
  log: readonly TradeLogLine[],
  windowMs: number,
  timeoutMs: number,
): Promise<{ differences: string[]; results: Map<number, ResultLine> }> {
  const expected = expectedPerWindow(log, windowMs);
  let differences: string[] = [];
  let results = new Map<number, ResultLine>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    results = latestResults(readJsonLines<ResultLine>(resultsFile));
    differences = resultMismatches(expected, results);
    if (differences.length === 0 || Date.now() > deadline) return { differences, results };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

import { StockTradeRecordProcessor } from '@stock-trades/consumer';
import {
  addTrade,
  classifyEventTime,
  EventTime,
  emptySummary,
  type StockTrade,
  serializeTrade,
  stockStats,
  type TradeSummary,
  type WindowSample,
  windowStartOf,
} from '@stock-trades/core';
import type { ExtendedSequenceNumber, RecordProcessorCheckpointer, UserRecord } from '@stock-trades/kcl';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WindowBook, type WindowResult } from '../src/index.js';

/*
 * Property: whatever the trades — timestamps anywhere a JavaScript date reaches, malformed
 * records mixed in, trades stored twice (a producer's retry) at any later point of their
 * shard, any arrival pattern, workers killed before or after a checkpoint and their shards
 * replayed — the consumer's processors and the aggregator send a bounded number of
 * samples, never for a window far from the records' arrival, and every window's latest
 * result equals the statistics computed directly from its in-range trades, each once.
 * fast-check prints the seed and path of a failure; `fc.assert(…, { seed, path })` replays it.
 */

const W = 10_000;
const SETTINGS = {
  windowMs: W,
  latenessMs: 1000,
  maxAheadMs: 60_000,
  maxBehindMs: 60_000,
  checkpointIntervalMs: 10_000,
};
const T0 = Date.UTC(2026, 11, 2, 10);
const MAX_DATE_MS = 8.64e15;
const FULL_RANGE = 2n ** 128n;

const step = fc.record({
  malformed: fc.constantFrom(false, false, false, true),
  junk: fc.uint8Array({ maxLength: 12 }),
  event: fc.oneof(
    fc.record({ near: fc.integer({ min: -120_000, max: 120_000 }) }),
    fc.record({ anywhere: fc.integer({ min: -MAX_DATE_MS, max: MAX_DATE_MS }) }),
  ),
  ticker: fc.constantFrom('AMZN', 'KO', 'XOM', 'GE'),
  sell: fc.boolean(),
  quantity: fc.integer({ min: 1, max: 10_000 }),
  gapMs: fc.integer({ min: 0, max: 4000 }),
  /** After this record, a GetRecords page ends: behind, or caught up (MillisBehindLatest 0). */
  page: fc.constantFrom('continues', 'continues', 'behind', 'caught-up'),
  /** …and perhaps the worker is killed: before the checkpoint after an emission, or right after the page. */
  crash: fc.constantFrom('no', 'no', 'no', 'no', 'before-checkpoint', 'after-page'),
  /** This record is a second copy of an earlier one of the shard (that many records back), as a retry stores it. */
  copyOf: fc.option(fc.integer({ min: 1, max: 49 }), { freq: 4 }),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

interface Delivered {
  readonly record: UserRecord;
  readonly step: Step;
  readonly trade?: StockTrade;
  readonly eventMs: number;
  readonly arrivalMs: number;
  /** A second copy of an earlier record: the same bytes, stored again. */
  readonly copy: boolean;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Builds each shard's records from the generated steps: arrivals move forward, timestamps go anywhere. */
function deliveries(shards: readonly Step[][]): Delivered[][] {
  let id = 1;
  return shards.map((steps) => {
    let arrivalMs = T0;
    const made: Delivered[] = [];
    for (const [index, step] of steps.entries()) {
      arrivalMs += step.gapMs;
      const original = step.copyOf !== null ? made[index - step.copyOf] : undefined;
      const eventMs = original
        ? original.eventMs
        : 'near' in step.event
          ? arrivalMs + step.event.near
          : step.event.anywhere;
      const trade: StockTrade | undefined = original
        ? original.trade
        : step.malformed
          ? undefined
          : {
              tickerSymbol: step.ticker,
              tradeType: step.sell ? 'SELL' : 'BUY',
              price: 10,
              quantity: step.quantity,
              id: id++,
              timestamp: new Date(eventMs).toISOString(),
              producerId: 'prop-run',
            };
      const record: UserRecord = {
        sequenceNumber: String(1000 + index),
        subSequenceNumber: 0,
        partitionKey: 'k',
        data: original ? original.record.data : trade ? serializeTrade(trade) : step.junk,
        aggregated: false,
        approximateArrivalTimestamp: new Date(arrivalMs),
      };
      made.push({ record, step, trade, eventMs, arrivalMs, copy: original !== undefined });
    }
    return made;
  });
}

/**
 * The truth, computed directly: in-range trades per window, each trade once however many
 * copies of it were stored (each copy judged in or out of range by its own arrival); the
 * rest counted.
 */
function truth(shards: readonly Delivered[][]) {
  const windows = new Map<number, TradeSummary>();
  const counted = new Set<number>();
  let outOfRange = 0;
  let malformed = 0;
  let duplicates = 0;
  for (const { trade, eventMs, arrivalMs } of shards.flat()) {
    if (!trade) malformed++;
    else if (classifyEventTime(eventMs, arrivalMs, SETTINGS) !== EventTime.IN_RANGE) outOfRange++;
    else if (counted.has(trade.id)) duplicates++;
    else {
      counted.add(trade.id);
      const start = windowStartOf(eventMs, W);
      const summary = windows.get(start) ?? emptySummary();
      addTrade(summary, trade);
      windows.set(start, summary);
    }
  }
  return { windows, outOfRange, malformed, duplicates };
}

/** Runs one shard through real processors, killing and replacing them as the steps say; returns what they sent. */
async function consume(
  shardIndex: number,
  shardCount: number,
  records: readonly Delivered[],
  deliver: (samples: readonly WindowSample[], nowMs: number) => void,
  endMs: number,
): Promise<WindowSample[]> {
  const shardId = `shard-${shardIndex}`;
  const size = FULL_RANGE / BigInt(shardCount);
  const hashKeyRange = {
    startingHashKey: String(size * BigInt(shardIndex)),
    endingHashKey: String(shardIndex === shardCount - 1 ? FULL_RANGE - 1n : size * BigInt(shardIndex + 1) - 1n),
  };
  const sent: WindowSample[] = [];
  let lease: { checkpoint: ExtendedSequenceNumber; state: string | undefined } = {
    checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
    state: undefined,
  };
  let now = T0;
  let killBeforeCheckpoint = false;
  let emittedThisPage = false;
  const checkpointer: RecordProcessorCheckpointer = {
    get lastCheckpoint() {
      return lease.checkpoint;
    },
    get applicationState() {
      return lease.state;
    },
    async checkpoint(position, options) {
      if (killBeforeCheckpoint && emittedThisPage) throw new Error('killed');
      lease = { checkpoint: position ?? lease.checkpoint, state: options?.applicationState ?? lease.state };
    },
  };
  const start = () => {
    const processor = new StockTradeRecordProcessor(shardId, SETTINGS, {
      sink: {
        emit: async (samples) => {
          emittedThisPage = true;
          sent.push(...samples);
          deliver(samples, now);
        },
      },
      log: quiet,
      now: () => now,
    });
    processor.initialize({
      shardId,
      checkpoint: lease.checkpoint,
      applicationState: lease.state,
      hashKeyRange,
      parents: [],
    });
    return processor;
  };
  const resumeAt = () =>
    lease.checkpoint.sequenceNumber === 'TRIM_HORIZON' ? 0 : Number(lease.checkpoint.sequenceNumber) - 1000 + 1;
  let processor = start();
  // Taken at T0 and caught up: the shard's first window is T0's.
  await processor.processRecords({ records: [], millisBehindLatest: 0, checkpointer });
  let page: UserRecord[] = [];
  let kills = 0;
  // The newest record in the stream so far: only a read that reaches it is caught up (MillisBehindLatest 0).
  let newest = -1;
  for (let index = 0; index < records.length; index++) {
    const { record, step, arrivalMs } = records[index] as Delivered;
    page.push(record);
    now = Math.max(now, arrivalMs);
    if (step.page === 'continues' && index < records.length - 1) continue;
    const caughtUp = step.page === 'caught-up' && index >= newest;
    newest = Math.max(newest, index);
    killBeforeCheckpoint = step.crash === 'before-checkpoint' && kills < 5;
    emittedThisPage = false;
    const read = page;
    page = [];
    try {
      await processor.processRecords({
        records: read,
        millisBehindLatest: caughtUp ? 0 : 1000,
        checkpointer,
      });
    } catch {
      kills++;
      killBeforeCheckpoint = false;
      processor = start();
      index = resumeAt() - 1;
      continue;
    }
    if (step.crash === 'after-page' && kills++ < 5) {
      processor = start();
      index = resumeAt() - 1;
    }
  }
  killBeforeCheckpoint = false;
  now = endMs;
  for (let round = 0; round < 20; round++) {
    emittedThisPage = false;
    await processor.processRecords({ records: [], millisBehindLatest: 0, checkpointer });
    if (!emittedThisPage) break;
  }
  return sent;
}

describe('consumer processors and the aggregator, under any timestamps, arrivals and replays', () => {
  it('stay bounded, and give every window exactly the statistics of its in-range trades', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 50 }), { minLength: 1, maxLength: 3 }),
        async (steps) => {
          // Prepare
          const shards = deliveries(steps);
          const expected = truth(shards);
          const lastArrival = Math.max(...shards.map((records) => records.at(-1)?.arrivalMs ?? T0));
          const endMs = lastArrival + SETTINGS.maxAheadMs + 3 * W;
          const book = new WindowBook({ graceMs: 30_000, retentionMs: 600_000, maxAheadMs: SETTINGS.maxAheadMs });
          const results: WindowResult[] = [];
          const deliver = (samples: readonly WindowSample[], nowMs: number) => {
            for (const sample of samples) book.add(sample, nowMs, null, nowMs);
            results.push(...book.due(nowMs));
          };
          // Act
          const sent: WindowSample[][] = [];
          for (const [index, records] of shards.entries()) {
            sent.push(await consume(index, shards.length, records, deliver, endMs));
          }
          results.push(...book.due(endMs + 10 * 60_000));
          // Assess, bounded: no window far from the records' arrival; samples in proportion to records and time.
          const earliest = T0 - SETTINGS.maxBehindMs - W;
          const spanWindows = (endMs - earliest) / W;
          for (const [index, samples] of sent.entries()) {
            const outside = samples.filter((sample) => sample.windowStart < earliest || sample.windowStart > endMs);
            expect(outside).toEqual([]);
            expect(samples.length).toBeLessThanOrEqual(6 * (spanWindows + (shards[index]?.length ?? 0)));
          }
          expect(book.size).toBeLessThanOrEqual(spanWindows + 1);
          // Assess, exact: each window's latest result is the direct statistics of its in-range trades.
          const latest = new Map<number, WindowResult>();
          for (const result of results) {
            const start = Date.parse(result.windowStart);
            if ((latest.get(start)?.revision ?? 0) < result.revision) latest.set(start, result);
          }
          for (const [start, summary] of expected.windows) {
            const result = latest.get(start);
            const stats = stockStats(summary);
            expect({
              window: start,
              trades: result?.trades,
              buy: result?.mostPopularBuy,
              sell: result?.mostPopularSell,
              largest: result?.largestSell,
            }).toEqual({
              window: start,
              trades: summary.trades,
              buy: stats.mostPopularBuy,
              sell: stats.mostPopularSell,
              largest: stats.largestSell,
            });
          }
          const others = [...latest].filter(([start]) => !expected.windows.has(start));
          expect(others.filter(([, result]) => result.trades > 0)).toEqual([]);
          expect([...latest.values()].reduce((sum, result) => sum + result.outOfRange, 0)).toBe(expected.outOfRange);
          expect([...latest.values()].reduce((sum, result) => sum + result.malformed, 0)).toBe(expected.malformed);
          expect([...latest.values()].reduce((sum, result) => sum + result.duplicates, 0)).toBe(expected.duplicates);
          // Every window from the shards' common start to the end was reported by every shard.
          const incomplete = [...latest.values()].filter(
            (result) => Date.parse(result.windowStart) >= windowStartOf(T0, W) && !result.complete,
          );
          expect(incomplete.map((result) => [result.windowStart, result.missingShards])).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) },
    );
  }, 120_000);
});

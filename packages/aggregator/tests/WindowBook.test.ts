import type { TradeSummary, WindowSample } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { restoreBookState } from '../src/AggregatorRecordProcessor.js';
import { MAX_HASH_KEY, WindowBook, windowCoverage } from '../src/index.js';

const W0 = Date.UTC(2026, 10, 26, 10);
const HALF = MAX_HASH_KEY / 2n;
const LOWER = { start: 0n, end: HALF };
const UPPER = { start: HALF + 1n, end: MAX_HASH_KEY };
const asStrings = (range: { start: bigint; end: bigint }) => ({
  startingHashKey: `${range.start}`,
  endingHashKey: `${range.end}`,
});
const settings = { graceMs: 30_000, retentionMs: 600_000, maxAheadMs: 300_000 };
/** When the samples reached the stats stream: just after their window. */
const ARRIVAL = W0 + 12_000;

function summary(ticker: string, buys: number, sells = 0, largest = 0): TradeSummary {
  return {
    trades: buys + sells,
    malformed: 0,
    outOfRange: 0,
    duplicates: 0,
    perTicker: { [ticker]: { buys, sells, boughtQuantity: buys * 10, soldQuantity: sells * largest } },
    largestSell: sells > 0 ? { ticker, quantity: largest, tradeId: 1 } : null,
  };
}

function sample(
  shardId: string,
  range: { start: bigint; end: bigint },
  part: Partial<WindowSample> = {},
): WindowSample {
  return {
    shardId,
    windowStart: W0,
    windowEnd: W0 + 10_000,
    firstSequenceNumber: '100',
    lastSequenceNumber: '200',
    late: false,
    final: false,
    childShardIds: [],
    hashKeyRange: asStrings(range),
    summary: summary('AMZN', 1),
    ...part,
  };
}

describe('WindowBook', () => {
  it('emits a window once every shard has reported it, merging their samples', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER, { summary: summary('AMZN', 3) }), 0, 'p0', ARRIVAL);
    expect(book.due(1)).toEqual([]);
    book.add(sample('upper', UPPER, { summary: summary('KO', 2, 1, 500) }), 2, 'p1', ARRIVAL);
    const [result] = book.due(3);
    expect(result).toMatchObject({
      complete: true,
      revision: 1,
      shards: ['lower', 'upper'],
      missingShards: [],
      trades: 6,
      mostPopularBuy: { ticker: 'AMZN', count: 3 },
      mostPopularSell: { ticker: 'KO', count: 1 },
      largestSell: { ticker: 'KO', quantity: 500, tradeId: 1 },
    });
    expect(book.due(4)).toEqual([]);
  });

  it('completes a window before a shard’s first, once that shard says it was read from its start', () => {
    // The producer started just before W0's end: the lower shard's first trades fell in W0, the upper's in W0 + 10 s.
    const next = { windowStart: W0 + 10_000, windowEnd: W0 + 20_000 };
    const withFlag = new WindowBook(settings);
    withFlag.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    // Shown incomplete when the grace runs out, the upper shard's first sample not yet in.
    expect(withFlag.due(settings.graceMs).map((result) => [result.revision, result.missingShards])).toEqual([
      [1, ['hash keys 170141183460469231731687303715884105728-340282366920938463463374607431768211455']],
    ]);
    withFlag.add(sample('upper', UPPER, { ...next, first: true }), 1, 'p1', ARRIVAL + 10_000);
    withFlag.add(sample('lower', LOWER, next), 1, 'p2', ARRIVAL + 10_000);
    // Without the flag (a shard read from a checkpoint, whose earlier records were not read here) it still waits.
    const without = new WindowBook(settings);
    without.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    without.add(sample('upper', UPPER, next), 1, 'p1', ARRIVAL + 10_000);
    without.add(sample('lower', LOWER, next), 1, 'p2', ARRIVAL + 10_000);

    const shown = (book: WindowBook) =>
      book
        .due(settings.graceMs + 1)
        .map((result) => [result.windowStart, result.revision, result.complete, result.shards]);
    expect(shown(withFlag)).toEqual([
      [new Date(W0).toISOString(), 2, true, ['lower', 'upper']],
      [new Date(W0 + 10_000).toISOString(), 1, true, ['lower', 'upper']],
    ]);
    expect(shown(without)).toEqual([
      [new Date(W0).toISOString(), 1, false, ['lower']],
      [new Date(W0 + 10_000).toISOString(), 1, true, ['lower', 'upper']],
    ]);
  });

  it('counts a sample replayed after a crash once, keeping the copy that reaches further', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER, { lastSequenceNumber: '150', summary: summary('AMZN', 2) }), 0, 'p0', ARRIVAL);
    book.add(sample('lower', LOWER, { lastSequenceNumber: '200', summary: summary('AMZN', 3) }), 0, 'p1', ARRIVAL);
    book.add(sample('lower', LOWER, { lastSequenceNumber: '150', summary: summary('AMZN', 2) }), 0, 'p2', ARRIVAL);
    book.add(
      sample('upper', UPPER, { firstSequenceNumber: null, lastSequenceNumber: null, summary: summary('T', 0) }),
      0,
      'p3',
      ARRIVAL,
    );
    const [result] = book.due(1);
    expect(result?.trades).toBe(3);
  });

  it('skips a copy of a sample already merged (the stats stream stored it twice), after its window went out too', () => {
    const book = new WindowBook(settings);
    const lower = sample('lower', LOWER, { summary: summary('AMZN', 3) });
    expect(book.add(lower, 0, 'p0', ARRIVAL)).toBe('added');
    expect(book.add({ ...lower }, 0, 'p1', ARRIVAL)).toBe('duplicate');
    book.add(sample('upper', UPPER), 0, 'p2', ARRIVAL);
    expect(book.due(1).map((result) => [result.revision, result.trades])).toEqual([[1, 4]]);
    // A third copy, after the window went out: no new revision, the same count.
    expect(book.add({ ...lower }, 2, 'p3', ARRIVAL)).toBe('duplicate');
    expect(book.due(3)).toEqual([]);
  });

  it('shows a window from before the first any shard reported, holding only a late trade, as complete', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    book.add(sample('upper', UPPER), 0, 'p1', ARRIVAL);
    book.due(1);
    // A trade of the window before: both shards started after it, so neither owes it a report.
    const before = { windowStart: W0 - 10_000, windowEnd: W0 };
    book.add(sample('lower', LOWER, { ...before, late: true, firstSequenceNumber: '300' }), 2, 'p2', ARRIVAL);
    const [result] = book.due(3);
    expect(result).toMatchObject({ windowStart: new Date(W0 - 10_000).toISOString(), complete: true, trades: 1 });
    expect(result?.missingShards).toEqual([]);
    expect(book.state().firstWindow).toBe(W0);
  });

  it('keeps a late sample and emits the window again with a higher revision', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    book.add(sample('upper', UPPER), 0, 'p1', ARRIVAL);
    expect(book.due(1).map((result) => [result.revision, result.trades])).toEqual([[1, 2]]);
    book.add(
      sample('upper', UPPER, {
        late: true,
        firstSequenceNumber: '900',
        lastSequenceNumber: '900',
        summary: summary('GE', 0, 1, 7000),
      }),
      2,
      'p2',
      ARRIVAL,
    );
    const [revised] = book.due(3);
    expect(revised).toMatchObject({
      revision: 2,
      trades: 3,
      complete: true,
      largestSell: { ticker: 'GE', quantity: 7000, tradeId: 1 },
    });
  });

  it('shows an incomplete window after the grace period, naming the shard it waits for', () => {
    const book = new WindowBook(settings);
    book.add(sample('upper', UPPER, { windowStart: W0 - 10_000, windowEnd: W0 }), 0, 'p0', ARRIVAL);
    book.add(sample('lower', LOWER), 0, 'p1', ARRIVAL);
    expect(book.due(29_999)).toEqual([]);
    const [late] = book.due(30_000).filter((result) => result.windowStart === new Date(W0).toISOString());
    expect(late).toMatchObject({ complete: false, revision: 1, shards: ['lower'], missingShards: ['upper'] });
    book.add(sample('upper', UPPER), 31_000, 'p2', ARRIVAL);
    expect(book.due(31_001).map((result) => [result.complete, result.revision])).toEqual([[true, 2]]);
  });

  it('treats a quiet shard’s empty sample as its report', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    book.add(
      sample('upper', UPPER, { firstSequenceNumber: null, lastSequenceNumber: null, summary: summary('X', 0) }),
      0,
      'p1',
      ARRIVAL,
    );
    expect(book.due(1)[0]).toMatchObject({ complete: true, trades: 1 });
  });

  it('after a restart, rebuilds windows from the replay without showing them again', () => {
    const first = new WindowBook(settings);
    first.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    first.add(sample('upper', UPPER), 0, 'p1', ARRIVAL);
    first.due(1);
    const second = new WindowBook(settings, first.state());
    second.add(sample('lower', LOWER), 5, 'p0', ARRIVAL);
    second.add(sample('upper', UPPER), 5, 'p1', ARRIVAL);
    expect(second.due(6)).toEqual([]);
    expect(second.oldestResumePoint()).toBe('p0');
  });
});

describe('WindowBook bounds', () => {
  it('skips a sample whose window starts further ahead of its arrival than --max-ahead', () => {
    const book = new WindowBook(settings);
    const farAhead = sample('lower', LOWER, {
      windowStart: Date.UTC(2099, 0, 1),
      windowEnd: Date.UTC(2099, 0, 1) + 10_000,
    });
    expect(book.add(farAhead, 0, 'p0', ARRIVAL)).toBe('ahead');
    expect(book.add(sample('lower', LOWER, { windowStart: ARRIVAL + 300_000 }), 0, 'p1', ARRIVAL)).toBe('added');
    expect(book.size).toBe(1);
  });

  it('skips a sample of a window already forgotten instead of starting it afresh as a partial result', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    book.add(sample('upper', UPPER), 0, 'p1', ARRIVAL);
    expect(book.due(1)).toHaveLength(1);
    book.due(600_001); // forgotten after the retention
    const straggler = sample('upper', UPPER, { late: true, firstSequenceNumber: '900', lastSequenceNumber: '900' });
    expect(book.add(straggler, 600_002, 'p2', ARRIVAL)).toBe('forgotten');
    expect(book.due(700_000)).toEqual([]);
    // …and still after a restart, from the saved state.
    const restarted = new WindowBook(settings, book.state());
    expect(restarted.add(straggler, 0, 'p2', ARRIVAL)).toBe('forgotten');
  });
});

describe('WindowBook window lengths', () => {
  it('skips a sample of another window length instead of merging it into a window it does not fit', () => {
    const book = new WindowBook(settings);
    book.add(sample('lower', LOWER), 0, 'p0', ARRIVAL);
    expect(book.add(sample('upper', UPPER, { windowEnd: W0 + 60_000 }), 0, 'p1', ARRIVAL)).toBe('other-length');
    expect(book.due(1)).toEqual([]); // still waiting for the upper half, in 10 s windows
  });
});

describe('restoreBookState', () => {
  it('keeps a sound state', () => {
    const state = { emitted: { [W0]: [2, 'abc'] }, forgottenUpTo: W0 - 10_000 };
    expect(restoreBookState(JSON.stringify({ v: 1, ...state }), W0)).toEqual({ state });
  });

  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ v: 2, emitted: {} })],
    ['a window that is no time', JSON.stringify({ v: 1, emitted: { soon: [1, 'x'] } })],
    ['windows forgotten up to 2099', JSON.stringify({ v: 1, emitted: {}, forgottenUpTo: Date.UTC(2099, 0, 1) })],
  ])('resets %s with a reason', (_, text) => {
    const restored = restoreBookState(text, W0);
    expect(restored.state).toEqual({ emitted: {} });
    expect(restored.problem).toMatch(/saved aggregator state/);
  });
});

describe('windowCoverage', () => {
  it('is complete when the reporting shards cover the hash-key space', () => {
    expect(windowCoverage([{ shardId: 'a', range: LOWER, final: false, childShardIds: [] }]).complete).toBe(false);
    const both = windowCoverage([
      { shardId: 'a', range: LOWER, final: false, childShardIds: [] },
      { shardId: 'b', range: UPPER, final: false, childShardIds: [] },
    ]);
    expect(both).toEqual({ complete: true, gaps: [], missingChildren: [] });
  });

  it('waits, for a shard split mid-window, for the children as well as the parent', () => {
    const parent = { shardId: 'p', range: { start: 0n, end: MAX_HASH_KEY }, final: true, childShardIds: ['c1', 'c2'] };
    const onlyParent = windowCoverage([parent]);
    expect(onlyParent.complete).toBe(false);
    expect(onlyParent.missingChildren).toEqual(['c1', 'c2']);
    const oneChild = windowCoverage([parent, { shardId: 'c1', range: LOWER, final: false, childShardIds: [] }]);
    expect(oneChild.missingChildren).toEqual(['c2']);
    const all = windowCoverage([
      parent,
      { shardId: 'c1', range: LOWER, final: false, childShardIds: [] },
      { shardId: 'c2', range: UPPER, final: false, childShardIds: [] },
    ]);
    expect(all.complete).toBe(true);
  });

  it('needs only the children for a window after the parent ended', () => {
    const children = windowCoverage([
      { shardId: 'c1', range: LOWER, final: false, childShardIds: [] },
      { shardId: 'c2', range: UPPER, final: false, childShardIds: [] },
    ]);
    expect(children.complete).toBe(true);
  });
});

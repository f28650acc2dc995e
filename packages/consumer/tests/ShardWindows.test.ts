import type { StockTrade } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import { describe, expect, it } from 'vitest';
import { MAX_WINDOWS_PER_TAKE, ShardWindows, type ShardWindowsInit } from '../src/ShardWindows.js';

const W = 10_000;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const at = (n: number, sub = 0) => ({ sequenceNumber: String(1000 + n), subSequenceNumber: sub });
const tradeAt = (offsetMs: number, overrides: Partial<StockTrade> = {}) =>
  aTrade({ timestamp: new Date(T0 + offsetMs).toISOString(), ...overrides });
const start = { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 };
const settings = { windowMs: W, latenessMs: 1000, maxAheadMs: 300_000, maxBehindMs: 300_000 };

/** A shard's windows as taken at T0, from its checkpoint and saved state. */
function windowsOf(init: Partial<ShardWindowsInit> = {}): ShardWindows {
  return new ShardWindows({ shardId: 's', settings, checkpoint: start, nowMs: T0, ...init });
}

describe('ShardWindows', () => {
  it('closes a window once the shard’s event time passes its end plus the lateness', () => {
    const windows = windowsOf();
    windows.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000);
    windows.add(at(2), tradeAt(10_500), T0 + 10_500, T0 + 10_500);
    expect(windows.takeClosed(0, false)).toEqual([]);
    windows.add(at(3), tradeAt(11_000), T0 + 11_000, T0 + 11_000);
    const [closed] = windows.takeClosed(0, false);
    expect(closed).toMatchObject({
      windowStart: T0,
      windowEnd: T0 + W,
      firstSequenceNumber: '1001',
      lastSequenceNumber: '1001',
    });
    expect(closed?.summary.trades).toBe(1);
  });

  it('emits empty windows for a quiet shard once caught up and the clock has passed them', () => {
    const windows = windowsOf();
    expect(windows.takeClosed(T0 + 500, true)).toEqual([]);
    const closed = windows.takeClosed(T0 + 3 * W + 1000, true);
    expect(closed.map((sample) => sample.windowStart)).toEqual([T0, T0 + W, T0 + 2 * W]);
    expect(closed.every((sample) => sample.summary.trades === 0 && sample.firstSequenceNumber === null)).toBe(true);
  });

  it('says on its first sample that it had no record before, only when it read the shard from its start', () => {
    const firstFlags = (windows: ShardWindows) => {
      windows.add(at(1), tradeAt(12_000), T0 + 12_000, T0 + 12_000);
      const once = windows.closed(T0 + 31_500, true); // given again, as after a failed send
      const samples = [...windows.closed(T0 + 31_500, true)];
      expect(samples).toEqual(once);
      windows.sent(samples);
      samples.push(...windows.takeClosed(T0 + 41_500, true));
      return samples.map((sample) => [sample.windowStart - T0, sample.first === true]);
    };
    // TRIM_HORIZON, a shard the stream was created with: the window of its first record is its first.
    expect(firstFlags(windowsOf())).toEqual([
      [W, true],
      [2 * W, false],
      [3 * W, false],
    ]);
    // Read from a checkpoint, a child of a parent, or with windows already sent: records before were not read here.
    const afterCheckpoint = windowsOf({ checkpoint: at(0) });
    const child = windowsOf({ parentStates: [undefined] });
    const sentBefore = windowsOf({ savedState: JSON.stringify({ v: 1, next: T0 + W, marks: {} }) });
    for (const windows of [afterCheckpoint, child, sentBefore]) {
      expect(firstFlags(windows).every(([, first]) => first === false)).toBe(true);
    }
  });

  it('keeps the checkpoint just before the oldest record of a window still open, or of trades kept to find copies', () => {
    // Copies are looked for until records arrive 20 s (max-behind) + a window past a window's end.
    const windows = windowsOf({ settings: { ...settings, maxBehindMs: 20_000 } });
    windows.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000); // window 0
    windows.add(at(2), tradeAt(10_200), T0 + 10_200, T0 + 10_200); // window 1 opens after record 1
    windows.add(at(3), tradeAt(2000), T0 + 2000, T0 + 2000); // window 0 again, interleaved
    expect(windows.safeCheckpoint()).toEqual(start);
    windows.add(at(4), tradeAt(10_600), T0 + 10_600, T0 + 10_600);
    expect(windows.takeClosed(0, false)).toEqual([]);
    windows.add(at(5), tradeAt(11_100), T0 + 11_100, T0 + 11_100); // event time 11.1 s ≥ 10 s + 1 s: window 0 closes
    expect(windows.takeClosed(0, false).map((sample) => sample.summary.trades)).toEqual([2]);
    // Window 0 went out, but its trades are kept (a copy may still come): a new owner must read them again.
    expect(windows.safeCheckpoint()).toEqual(start);
    // A record arriving at 41 s: window 0 ended 30 s (20 s + a window) before it, so its trades go.
    windows.add(at(6), tradeAt(41_000), T0 + 41_000, T0 + 41_000);
    expect(windows.takeClosed(0, false).map((sample) => sample.windowStart - T0)).toEqual([W, 2 * W, 3 * W]);
    expect(windows.heldTradeIds).toEqual({ ids: 4, windows: 2 });
    expect(windows.safeCheckpoint()).toEqual(at(1)); // window 1's first record is 2; resume after 1
  });

  it('after a crash, skips replayed records of emitted windows and counts the rest once', () => {
    // Prepare: the first owner emits window 0 and saves its mark with a checkpoint before window 1.
    const first = windowsOf();
    first.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000);
    first.add(at(2), tradeAt(12_000), T0 + 12_000, T0 + 12_000);
    first.add(at(3), tradeAt(2000), T0 + 2000, T0 + 2000);
    first.add(at(4), tradeAt(13_000), T0 + 13_000, T0 + 13_000);
    first.add(at(5), tradeAt(11_500), T0 + 11_500, T0 + 11_500);
    const emitted = first.takeClosed(0, false);
    const checkpoint = first.safeCheckpoint();
    const saved = first.state(checkpoint);
    // Act: the next owner replays everything after the checkpoint.
    const second = windowsOf({ checkpoint, savedState: saved });
    const offsets = [0, 0, 12_000, 2000, 13_000, 11_500];
    const outcomes = [2, 3, 4, 5].map((n) =>
      second.add(at(n), tradeAt(offsets[n] ?? 0), T0 + (offsets[n] ?? 0), T0 + (offsets[n] ?? 0)),
    );
    second.add(at(6), tradeAt(22_000), T0 + 22_000, T0 + 22_000);
    const replayed = second.takeClosed(0, false);
    // Assess: record 3 (window 0, already out) is skipped; window 1 holds 2, 4, 5 exactly once.
    expect(emitted.map((sample) => sample.summary.trades)).toEqual([2]);
    expect(outcomes).toEqual(['counted', 'replayed', 'counted', 'counted']);
    expect(replayed.map((sample) => [sample.windowStart - T0, sample.summary.trades])).toEqual([[W, 3]]);
  });

  it('after a crash before its first window went out, replays an earlier window as the same sample, not a late one', () => {
    // Prepare: caught up at T0, the start is saved at once (next = T0's window, nothing emitted yet).
    const first = windowsOf();
    first.takeClosed(T0, true);
    const saved = first.state(start);
    // The first owner reads a record of the window before, which moves its start back, and emits that window…
    first.add(at(0), tradeAt(-1), T0 - 1, T0);
    first.add(at(1), tradeAt(0), T0, T0);
    first.add(at(2), tradeAt(-1), T0 - 1, T0);
    first.add(at(3), tradeAt(1000), T0 + 1000, T0 + 1000);
    const [emitted] = first.takeClosed(T0 + 1000, false);
    // …and dies before its checkpoint. Act: the next owner replays from the saved start, in two reads.
    const second = windowsOf({ savedState: saved });
    second.add(at(0), tradeAt(-1), T0 - 1, T0);
    second.add(at(1), tradeAt(0), T0, T0);
    const early = second.takeClosed(T0, false);
    second.add(at(2), tradeAt(-1), T0 - 1, T0);
    second.add(at(3), tradeAt(1000), T0 + 1000, T0 + 1000);
    const replayed = [...early, ...second.takeClosed(T0 + 1000, false)];
    // Assess: one sample of the window before, with the same identity and reach as the first owner's.
    expect(emitted).toMatchObject({ windowStart: T0 - W, firstSequenceNumber: '1000', lastSequenceNumber: '1002' });
    expect(
      replayed.map((sample) => [sample.windowStart, sample.firstSequenceNumber, sample.lastSequenceNumber]),
    ).toEqual([[T0 - W, '1000', '1002']]);
  });

  it('sends a trade that comes after its window went out in a further, late sample', () => {
    const windows = windowsOf();
    windows.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000);
    windows.add(at(2), tradeAt(11_500), T0 + 11_500, T0 + 11_500);
    expect(windows.takeClosed(0, false)).toHaveLength(1);
    windows.add(at(3), tradeAt(3000, { quantity: 9999, tradeType: 'SELL' }), T0 + 3000, T0 + 3000);
    const [late] = windows.takeClosed(0, false);
    expect(late).toMatchObject({ windowStart: T0, late: true, firstSequenceNumber: '1003' });
    expect(late?.summary.largestSell?.quantity).toBe(9999);
  });

  it('counts a malformed record in the window of its arrival time', () => {
    const windows = windowsOf();
    windows.add(at(1), undefined, T0 + 4000, T0 + 4000);
    windows.add(at(2), tradeAt(11_500), T0 + 11_500, T0 + 11_500);
    const [closed] = windows.takeClosed(0, false);
    expect(closed?.summary).toMatchObject({ trades: 0, malformed: 1 });
  });

  it('forgets marks the checkpoint has passed, and tolerates a state it cannot read', () => {
    const windows = windowsOf();
    windows.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000);
    windows.add(at(2), tradeAt(11_500), T0 + 11_500, T0 + 11_500);
    windows.takeClosed(0, false);
    expect(JSON.parse(windows.state(start)).marks).toEqual({ [T0]: '1001' });
    expect(JSON.parse(windows.state(at(1))).marks).toEqual({});
    expect(() => windowsOf({ savedState: 'not json' })).not.toThrow();
  });

  it('ends a closed shard with a final sample naming its children, and its children report that window first', () => {
    const parent = windowsOf({ shardId: 'parent' });
    parent.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000);
    parent.add(at(2), tradeAt(11_500), T0 + 11_500, T0 + 11_500);
    parent.takeClosed(0, false);
    const rest = parent.takeAll(T0 + 12_000, ['child-1', 'child-2']);
    expect(rest.map((sample) => [sample.windowStart - T0, sample.final, sample.childShardIds])).toEqual([
      [W, true, ['child-1', 'child-2']],
    ]);
    const saved = parent.state({ sequenceNumber: 'SHARD_END', subSequenceNumber: 0 });
    const child = windowsOf({ shardId: 'child-1', parentStates: [saved] });
    const [first] = child.takeClosed(T0 + 2 * W + 1000, true);
    expect(first?.windowStart).toBe(T0 + W);
  });

  it('sends an empty final sample when a shard ends with no window open', () => {
    const windows = windowsOf();
    windows.takeClosed(T0 + 500, true);
    const [final] = windows.takeAll(T0 + 600, ['c']);
    expect(final).toMatchObject({ windowStart: T0, final: true, childShardIds: ['c'], firstSequenceNumber: null });
  });
});

describe('ShardWindows event-time bounds', () => {
  const DAY = 86_400_000;
  const y2099 = Date.UTC(2099, 0, 1);
  const y1970 = 0;

  it.each([
    ['2099', y2099],
    ['one day ahead', T0 + DAY],
    ['1970', y1970],
    ['one day behind', T0 - DAY],
  ])(
    'counts a trade dated %s as out of range in the window of its arrival, and opens no window for it',
    (_, eventMs) => {
      const windows = windowsOf();
      const outcome = windows.add(at(1), aTrade({ timestamp: new Date(eventMs).toISOString() }), eventMs, T0 + 500);
      const closed = windows.takeClosed(T0 + 2 * W + 1000, true);
      expect(outcome).toBe('out-of-range');
      expect(closed.map((sample) => sample.windowStart)).toEqual([T0, T0 + W]);
      expect(closed[0]?.summary).toMatchObject({ trades: 0, outOfRange: 1, perTicker: {} });
    },
  );

  it('keeps trades just inside the bounds in their own windows', () => {
    const windows = windowsOf();
    expect(windows.add(at(1), tradeAt(300_000), T0 + 300_000, T0)).toBe('counted');
    expect(windows.add(at(2), tradeAt(-300_000), T0 - 300_000, T0)).toBe('counted');
    expect(windows.add(at(3), tradeAt(300_001), T0 + 300_001, T0)).toBe('out-of-range');
  });

  it('closes no window early for a trade timestamped ahead of its arrival (within the bounds)', () => {
    const windows = windowsOf();
    windows.add(at(1), tradeAt(1000), T0 + 1000, T0 + 1000);
    windows.add(at(2), tradeAt(240_000), T0 + 240_000, T0 + 1500); // 4 minutes ahead of its arrival
    expect(windows.takeClosed(T0 + 1600, false)).toEqual([]);
    windows.add(at(3), tradeAt(11_500), T0 + 11_500, T0 + 11_500);
    expect(windows.takeClosed(T0 + 11_600, false).map((sample) => sample.windowStart)).toEqual([T0]);
  });

  it.each([
    ['1970 (a run with a window too long for its time)', { v: 1, next: 0, marks: {} }],
    ['2099', { v: 1, next: y2099, marks: {} }],
    ['another window length', { v: 1, next: T0 + 7000, marks: {} }],
    ['a mark in 1970', { v: 1, next: T0, marks: { '0': '1001' } }],
    ['a mark that is no position', { v: 1, next: T0, marks: { [T0 - W]: 'DROP TABLE' } }],
    ['a next window that is no number', { v: 1, next: 'soon', marks: {} }],
  ])('does not trust a saved state with %s: it says why and starts afresh', (_, state) => {
    const windows = windowsOf({ savedState: JSON.stringify(state) });
    expect(windows.stateProblems).toHaveLength(1);
    expect(windows.stateProblems[0]).toMatch(/starting its windows afresh/);
    expect(windows.takeClosed(T0 + 2 * W + 1000, true)).toEqual([]);
    const closed = windows.takeClosed(T0 + 3 * W + 1000, true);
    expect(closed.map((sample) => sample.windowStart)).toEqual([T0 + 2 * W]);
  });

  it('trusts a saved state from within the stream’s retention, and owes every window since', () => {
    const windows = windowsOf({ savedState: JSON.stringify({ v: 1, next: T0 - 5 * W, marks: {} }) });
    const closed = windows.takeClosed(T0 + 1000, true);
    expect(windows.stateProblems).toEqual([]);
    expect(closed.map((sample) => (sample.windowStart - T0) / W)).toEqual([-5, -4, -3, -2, -1]);
  });

  it('trusts a saved state no older than a week, however long the stream keeps records', () => {
    const year = { ...settings, maxStateAgeMs: 365 * DAY };
    const sixDays = windowsOf({ settings: year, savedState: JSON.stringify({ v: 1, next: T0 - 6 * DAY, marks: {} }) });
    const eightDays = windowsOf({
      settings: year,
      savedState: JSON.stringify({ v: 1, next: T0 - 8 * DAY, marks: {} }),
    });
    expect(sixDays.stateProblems).toEqual([]);
    expect(eightDays.stateProblems).toEqual([expect.stringMatching(/too far from now: starting its windows afresh/)]);
  });

  it('sends a long quiet stretch in steps of at most MAX_WINDOWS_PER_TAKE windows', () => {
    const windows = windowsOf({
      savedState: JSON.stringify({ v: 1, next: T0 - 1200 * W, marks: {} }),
      settings: { ...settings, maxStateAgeMs: DAY },
    });
    const steps = [1, 2, 3, 4].map(() => windows.takeClosed(T0 + 1000, true).length);
    expect(steps).toEqual([MAX_WINDOWS_PER_TAKE, MAX_WINDOWS_PER_TAKE, 200, 0]);
  });

  it('ends a shard in steps too, the final sample last', () => {
    const windows = windowsOf({ savedState: JSON.stringify({ v: 1, next: T0 - 700 * W, marks: {} }) });
    windows.add(at(1), tradeAt(500), T0 + 500, T0 + 500);
    const sizes: number[] = [];
    const finals: number[] = [];
    while (!windows.ended) {
      const step = windows.takeAll(T0, ['child']);
      sizes.push(step.length);
      finals.push(...step.filter((sample) => sample.final).map((sample) => sample.windowStart));
    }
    expect(sizes).toEqual([MAX_WINDOWS_PER_TAKE, 201]);
    expect(finals).toEqual([T0]);
    expect(JSON.parse(windows.state({ sequenceNumber: 'SHARD_END', subSequenceNumber: 0 }))).toMatchObject({
      final: T0,
      next: T0 + W,
    });
  });
});

describe('ShardWindows with trades Kinesis stored twice', () => {
  const run = (offsetMs: number, id: number, producerId = 'runA') => tradeAt(offsetMs, { id, producerId });

  it('counts a second copy of a trade once, as a duplicate, while its window is open', () => {
    const windows = windowsOf();
    expect(windows.add(at(1), run(1000, 7), T0 + 1000, T0 + 1000)).toBe('counted');
    expect(windows.add(at(2), run(2000, 8), T0 + 2000, T0 + 2000)).toBe('counted');
    expect(windows.add(at(3), run(1000, 7), T0 + 1000, T0 + 3000)).toBe('duplicate');
    windows.add(at(4), run(11_500, 9), T0 + 11_500, T0 + 11_500);
    const [closed] = windows.takeClosed(0, false);
    expect(closed?.summary).toMatchObject({ trades: 2, duplicates: 1 });
  });

  it('counts a copy that comes after its window went out as a duplicate, never as a late trade', () => {
    const windows = windowsOf();
    windows.add(at(1), run(1000, 7), T0 + 1000, T0 + 1000);
    windows.add(at(2), run(11_500, 8), T0 + 11_500, T0 + 11_500);
    expect(windows.takeClosed(0, false).map((sample) => sample.summary.trades)).toEqual([1]);
    // The producer's retry lands 40 s later: its window went out long ago.
    expect(windows.add(at(3), run(1000, 7), T0 + 1000, T0 + 41_000)).toBe('duplicate');
    windows.add(at(4), run(52_500, 9), T0 + 52_500, T0 + 52_500);
    const samples = windows.takeClosed(0, false);
    expect(samples.filter((sample) => sample.late)).toEqual([]);
    expect(samples.reduce((sum, sample) => sum + sample.summary.trades, 0)).toBe(1 + 0); // trade 8 only
    expect(samples.find((sample) => sample.windowStart === T0 + 4 * W)?.summary.duplicates).toBe(1);
  });

  it('tells trades of two producer runs apart though their ids are the same, and untagged trades by their time', () => {
    const windows = windowsOf();
    expect(windows.add(at(1), run(1000, 1, 'runA'), T0 + 1000, T0 + 1000)).toBe('counted');
    expect(windows.add(at(2), run(1000, 1, 'runB'), T0 + 1000, T0 + 1000)).toBe('counted');
    expect(windows.add(at(3), tradeAt(1000, { id: 1 }), T0 + 1000, T0 + 1000)).toBe('counted');
    expect(windows.add(at(4), tradeAt(1001, { id: 1 }), T0 + 1001, T0 + 1001)).toBe('counted');
    expect(windows.add(at(5), tradeAt(1000, { id: 1 }), T0 + 1000, T0 + 1500)).toBe('duplicate');
  });

  it('still knows a trade after a crash: the new owner reads it again from the checkpoint', () => {
    // Prepare: the first owner counts trade 7, emits its window, and saves.
    const first = windowsOf();
    first.add(at(1), run(1000, 7), T0 + 1000, T0 + 1000);
    first.add(at(2), run(11_500, 8), T0 + 11_500, T0 + 11_500);
    first.takeClosed(0, false);
    const checkpoint = first.safeCheckpoint();
    const saved = first.state(checkpoint);
    // Act: the next owner reads from the checkpoint (trade 7 again, skipped as replayed), then the copy of 7 arrives.
    const second = windowsOf({ checkpoint, savedState: saved });
    const outcomes = [
      second.add(at(1), run(1000, 7), T0 + 1000, T0 + 1000),
      second.add(at(2), run(11_500, 8), T0 + 11_500, T0 + 11_500),
      second.add(at(3), run(1000, 7), T0 + 1000, T0 + 20_000),
    ];
    // Assess
    expect(checkpoint).toEqual(start);
    expect(outcomes).toEqual(['replayed', 'counted', 'duplicate']);
  });

  it('after a crash, decides a copy as it did before, though the trades it was checked against have since gone', () => {
    // Copies are looked for until 20 s (max-behind) + a window past a window's end; windows close 2 s past their end.
    const narrow = { ...settings, maxBehindMs: 20_000, latenessMs: 2000 };
    const first = windowsOf({ settings: narrow });
    first.add(at(1), run(1000, 7), T0 + 1000, T0 + 1000); // trade 7, window 0
    first.add(at(2), run(1000, 7), T0 + 1000, T0 + 15_000); // its copy, arriving in window 1: a duplicate there
    // A trade timestamped 20 s behind its arrival at 41 s: window 0 goes out, its trades are let go, window 1 stays open.
    first.add(at(3), run(21_000, 8), T0 + 21_000, T0 + 41_000);
    expect(first.takeClosed(0, false).map((sample) => [sample.windowStart - T0, sample.summary.trades])).toEqual([
      [0, 1],
    ]);
    expect(first.heldTradeIds.windows).toBe(1); // window 2's; window 0's are gone
    const checkpoint = first.safeCheckpoint();
    const saved = first.state(checkpoint);
    // Act: the next owner reads again from the checkpoint.
    const second = windowsOf({ settings: narrow, checkpoint, savedState: saved, nowMs: T0 + 41_000 });
    const replayed = [
      [1, run(1000, 7), 1000, 1000],
      [2, run(1000, 7), 1000, 15_000],
      [3, run(21_000, 8), 21_000, 41_000],
    ] as const;
    const outcomes = replayed
      .filter(([n]) => checkpoint.sequenceNumber === 'TRIM_HORIZON' || n > Number(checkpoint.sequenceNumber) - 1000)
      .map(([n, trade, event, arrival]) => second.add(at(n), trade, T0 + event, T0 + arrival));
    second.add(at(4), run(33_000, 9), T0 + 33_000, T0 + 33_000);
    const samples = second.takeClosed(0, false);
    // Assess: the copy is a duplicate again — not a late trade of window 0, which would count trade 7 twice.
    expect(checkpoint).toEqual(start);
    expect(outcomes).toEqual(['replayed', 'duplicate', 'counted']);
    expect(samples.filter((sample) => sample.late)).toEqual([]);
    expect(
      samples.map((sample) => [sample.windowStart - T0, sample.summary.trades, sample.summary.duplicates]),
    ).toEqual([
      [W, 0, 1],
      [2 * W, 1, 0],
    ]);
  });

  it('forgets a window’s trades once no copy could arrive in range: a later copy is out of range, not a trade', () => {
    const windows = windowsOf({ settings: { ...settings, maxBehindMs: 20_000 } });
    windows.add(at(1), run(1000, 7), T0 + 1000, T0 + 1000);
    windows.add(at(2), run(41_000, 8), T0 + 41_000, T0 + 41_000); // window 0's trades are let go
    expect(windows.heldTradeIds).toEqual({ ids: 1, windows: 1 });
    expect(windows.add(at(3), run(1000, 7), T0 + 1000, T0 + 42_000)).toBe('out-of-range');
  });
});

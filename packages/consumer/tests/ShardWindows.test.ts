import type { StockTrade } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import { describe, expect, it } from 'vitest';
import { ShardWindows } from '../src/index.js';

const W = 10_000;
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);
const at = (n: number, sub = 0) => ({ sequenceNumber: String(1000 + n), subSequenceNumber: sub });
const tradeAt = (offsetMs: number, overrides: Partial<StockTrade> = {}) =>
  aTrade({ timestamp: new Date(T0 + offsetMs).toISOString(), ...overrides });
const start = { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 };
const settings = { windowMs: W, latenessMs: 1000 };

describe('ShardWindows', () => {
  it('closes a window once the shard’s event time passes its end plus the lateness', () => {
    const windows = new ShardWindows('s', settings, start, undefined);
    windows.add(at(1), tradeAt(1000), T0 + 1000);
    windows.add(at(2), tradeAt(10_500), T0 + 10_500);
    expect(windows.takeClosed(0, false)).toEqual([]);
    windows.add(at(3), tradeAt(11_000), T0 + 11_000);
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
    const windows = new ShardWindows('s', settings, start, undefined);
    expect(windows.takeClosed(T0 + 500, true)).toEqual([]);
    const closed = windows.takeClosed(T0 + 3 * W + 1000, true);
    expect(closed.map((sample) => sample.windowStart)).toEqual([T0, T0 + W, T0 + 2 * W]);
    expect(closed.every((sample) => sample.summary.trades === 0 && sample.firstSequenceNumber === null)).toBe(true);
  });

  it('keeps the checkpoint just before the oldest record of a window still open', () => {
    const windows = new ShardWindows('s', settings, start, undefined);
    windows.add(at(1), tradeAt(1000), T0 + 1000); // window 0
    windows.add(at(2), tradeAt(10_200), T0 + 10_200); // window 1 opens after record 1
    windows.add(at(3), tradeAt(2000), T0 + 2000); // window 0 again, interleaved
    expect(windows.safeCheckpoint()).toEqual(start);
    windows.add(at(4), tradeAt(10_600), T0 + 10_600);
    expect(windows.takeClosed(0, false)).toEqual([]);
    windows.add(at(5), tradeAt(11_100), T0 + 11_100); // event time 11.1 s ≥ 10 s + 1 s: window 0 closes
    expect(windows.takeClosed(0, false).map((sample) => sample.summary.trades)).toEqual([2]);
    expect(windows.safeCheckpoint()).toEqual(at(1)); // window 1's first record is 2; resume after 1
  });

  it('after a crash, skips replayed records of emitted windows and counts the rest once', () => {
    // Prepare: the first owner emits window 0 and saves its mark with a checkpoint before window 1.
    const first = new ShardWindows('s', settings, start, undefined);
    first.add(at(1), tradeAt(1000), T0 + 1000);
    first.add(at(2), tradeAt(12_000), T0 + 12_000);
    first.add(at(3), tradeAt(2000), T0 + 2000);
    first.add(at(4), tradeAt(13_000), T0 + 13_000);
    first.add(at(5), tradeAt(11_500), T0 + 11_500);
    const emitted = first.takeClosed(0, false);
    const checkpoint = first.safeCheckpoint();
    const saved = first.state(checkpoint);
    // Act: the next owner replays everything after the checkpoint.
    const second = new ShardWindows('s', settings, checkpoint, saved);
    const offsets = [0, 0, 12_000, 2000, 13_000, 11_500];
    const outcomes = [2, 3, 4, 5].map((n) => second.add(at(n), tradeAt(offsets[n] ?? 0), T0 + (offsets[n] ?? 0)));
    second.add(at(6), tradeAt(22_000), T0 + 22_000);
    const replayed = second.takeClosed(0, false);
    // Assess: record 3 (window 0, already out) is skipped; window 1 holds 2, 4, 5 exactly once.
    expect(emitted.map((sample) => sample.summary.trades)).toEqual([2]);
    expect(outcomes).toEqual(['counted', 'replayed', 'counted', 'counted']);
    expect(replayed.map((sample) => [sample.windowStart - T0, sample.summary.trades])).toEqual([[W, 3]]);
  });

  it('sends a trade that comes after its window went out in a further, late sample', () => {
    const windows = new ShardWindows('s', settings, start, undefined);
    windows.add(at(1), tradeAt(1000), T0 + 1000);
    windows.add(at(2), tradeAt(11_500), T0 + 11_500);
    expect(windows.takeClosed(0, false)).toHaveLength(1);
    windows.add(at(3), tradeAt(3000, { quantity: 9999, tradeType: 'SELL' }), T0 + 3000);
    const [late] = windows.takeClosed(0, false);
    expect(late).toMatchObject({ windowStart: T0, late: true, firstSequenceNumber: '1003' });
    expect(late?.summary.largestSell?.quantity).toBe(9999);
  });

  it('counts a malformed record in the window of its arrival time', () => {
    const windows = new ShardWindows('s', settings, start, undefined);
    windows.add(at(1), undefined, T0 + 4000);
    windows.add(at(2), tradeAt(11_500), T0 + 11_500);
    const [closed] = windows.takeClosed(0, false);
    expect(closed?.summary).toMatchObject({ trades: 0, malformed: 1 });
  });

  it('forgets marks the checkpoint has passed, and tolerates a state it cannot read', () => {
    const windows = new ShardWindows('s', settings, start, undefined);
    windows.add(at(1), tradeAt(1000), T0 + 1000);
    windows.add(at(2), tradeAt(11_500), T0 + 11_500);
    windows.takeClosed(0, false);
    expect(JSON.parse(windows.state(start)).marks).toEqual({ [T0]: '1001' });
    expect(JSON.parse(windows.state(at(1))).marks).toEqual({});
    expect(() => new ShardWindows('s', settings, start, 'not json')).not.toThrow();
  });

  it('ends a closed shard with a final sample naming its children, and its children report that window first', () => {
    const parent = new ShardWindows('parent', settings, start, undefined);
    parent.add(at(1), tradeAt(1000), T0 + 1000);
    parent.add(at(2), tradeAt(11_500), T0 + 11_500);
    parent.takeClosed(0, false);
    const rest = parent.takeAll(T0 + 12_000, ['child-1', 'child-2']);
    expect(rest.map((sample) => [sample.windowStart - T0, sample.final, sample.childShardIds])).toEqual([
      [W, true, ['child-1', 'child-2']],
    ]);
    const saved = parent.state({ sequenceNumber: 'SHARD_END', subSequenceNumber: 0 });
    const child = new ShardWindows('child-1', settings, start, undefined, null, [saved]);
    const [first] = child.takeClosed(T0 + 2 * W + 1000, true);
    expect(first?.windowStart).toBe(T0 + W);
  });

  it('sends an empty final sample when a shard ends with no window open', () => {
    const windows = new ShardWindows('s', settings, start, undefined);
    windows.takeClosed(T0 + 500, true);
    const [final] = windows.takeAll(T0 + 600, ['c']);
    expect(final).toMatchObject({ windowStart: T0, final: true, childShardIds: ['c'], firstSequenceNumber: null });
  });
});

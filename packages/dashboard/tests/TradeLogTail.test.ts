import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TradeLogTail } from '../src/TradeLogTail.js';

const T0 = Date.UTC(2026, 11, 4, 12, 0, 0);
const line = (status: string, at: number, id: number) =>
  `${JSON.stringify({ status, trade: { id, tickerSymbol: 'KO', timestamp: new Date(at).toISOString() } })}\n`;

describe('TradeLogTail', () => {
  const folder = mkdtempSync(join(tmpdir(), 'trade-log-tail-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('counts per window, across every producer’s log, what Kinesis acknowledged and what is unknown', async () => {
    const first = join(folder, 'producer-1.jsonl');
    const second = join(folder, 'producer-2.jsonl');
    writeFileSync(
      first,
      line('acknowledged', T0 + 100, 1) +
        line('acknowledged', T0 + 9_999, 2) +
        line('acknowledged', T0 + 10_000, 3) + // the next window
        line('unknown', T0 + 5_000, 4) +
        line('not-delivered', T0 + 5_000, 5) + // refused outright: nowhere
        'not json\n' +
        `${JSON.stringify({ status: 'acknowledged' })}\n`, // no trade time
    );
    writeFileSync(second, line('acknowledged', T0 + 3_000, 1));
    writeFileSync(join(folder, 'notes.txt'), line('acknowledged', T0, 9)); // not a log
    const tail = new TradeLogTail(folder);
    await tail.read(T0 + 20_000);
    expect(tail.counts(T0, T0 + 10_000)).toEqual({ acknowledged: 3, unknown: 1 });
    expect(tail.counts(T0 + 10_000, T0 + 20_000)).toEqual({ acknowledged: 1, unknown: 0 });
    expect(tail.skippedLines).toBe(2);
    // A window that does not fall on whole seconds is not answered rather than answered wrong.
    expect(tail.counts(T0 + 500, T0 + 10_500)).toBeNull();
  });

  it('reads only what was appended, a line cut short once it is whole, and a log written again from its start', async () => {
    const own = mkdtempSync(join(folder, 'own-'));
    const log = join(own, 'producer-3.jsonl');
    const tail = new TradeLogTail(own);
    writeFileSync(log, '');
    await tail.read(T0);
    const whole = line('acknowledged', T0 + 60_000, 7);
    appendFileSync(log, whole.slice(0, 20));
    await tail.read(T0);
    const window = () => tail.counts(T0 + 60_000, T0 + 70_000)?.acknowledged;
    expect(window()).toBe(0);
    appendFileSync(log, whole.slice(20));
    await tail.read(T0);
    expect(window()).toBe(1);
    await tail.read(T0); // nothing new: nothing counted twice
    expect(window()).toBe(1);
    writeFileSync(log, line('acknowledged', T0 + 61_000, 1));
    await tail.read(T0);
    expect(window()).toBe(1);
    expect(tail.skippedLines).toBe(0);
  });

  it('shows nothing, and fails nothing, for a folder that is not there', async () => {
    const tail = new TradeLogTail(join(folder, 'missing'));
    await tail.read(T0);
    expect(tail.counts(T0, T0 + 10_000)).toEqual({ acknowledged: 0, unknown: 0 });
  });
});

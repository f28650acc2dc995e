import { describe, expect, it } from 'vitest';
import { Pause } from '../src/Pause.js';

/** A clock whose sleeps move time on at once (as far as asked, or to the abort). */
function fakeClock() {
  const clock = {
    now: 0,
    sleeps: [] as number[],
    monotonicNow: () => clock.now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) return;
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
  return clock;
}

describe('Pause (the lag lesson)', () => {
  it('lets batches through at once until asked', async () => {
    const clock = fakeClock();
    await new Pause(clock).wait(new AbortController().signal);
    expect(clock.sleeps).toEqual([]);
  });

  it('once asked, holds each batch until the time is over, then lets them through again', async () => {
    const clock = fakeClock();
    const pause = new Pause(clock);
    clock.now = 500;
    pause.request(2500);
    expect(pause.paused).toBe(true);
    await pause.wait(new AbortController().signal);
    expect(clock.now).toBe(3000);
    expect(clock.sleeps).toEqual([1000, 1000, 500]);
    expect(pause.paused).toBe(false);
    await pause.wait(new AbortController().signal);
    expect(clock.now).toBe(3000);
  });

  it('asked again while paused, starts the time again', async () => {
    const clock = fakeClock();
    const pause = new Pause(clock);
    pause.request(60_000);
    clock.now = 50_000;
    pause.request(60_000);
    await pause.wait(new AbortController().signal);
    expect(clock.now).toBe(110_000);
  });

  it('ends early when the worker stops', async () => {
    const clock = fakeClock();
    const pause = new Pause(clock);
    pause.request(60_000);
    const stopping = new AbortController();
    stopping.abort();
    await pause.wait(stopping.signal);
    expect(clock.now).toBe(0);
  });
});

import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../src/Clock.js';

describe('systemClock (real time: a few milliseconds)', () => {
  it('tells monotonic time and wall-clock time', async () => {
    const before = systemClock.monotonicNow();
    await systemClock.sleep(5);
    expect(systemClock.monotonicNow()).toBeGreaterThan(before);
    expect(Math.abs(systemClock.wallNow() - Date.now())).toBeLessThan(1_000);
  });

  it('sleeps for the time asked, then leaves no listener on the signal', async () => {
    const signal = new AbortController().signal;
    const start = performance.now();
    await systemClock.sleep(20, signal);
    expect(performance.now() - start).toBeGreaterThanOrEqual(19);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('wakes at once when the signal fires, or has already fired', async () => {
    const stop = new AbortController();
    const start = performance.now();
    const sleeping = systemClock.sleep(60_000, stop.signal);
    stop.abort();
    await sleeping;
    await systemClock.sleep(60_000, stop.signal);
    expect(performance.now() - start).toBeLessThan(1_000);
  });
});

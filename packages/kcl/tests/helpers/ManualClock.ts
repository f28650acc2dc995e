import type { Clock } from '../../src/index.js';

interface Timer {
  readonly at: number;
  readonly resolve: () => void;
}

/**
 * A clock that moves only when the test advances it. Unlike FakeClock, a sleep does not move
 * time: it waits until `advance` reaches its end (or its signal fires), so loops that sleep take
 * turns as they would in real time, and a call the test holds open really is late.
 */
export class ManualClock implements Clock {
  private now = 0;
  private readonly timers = new Set<Timer>();

  monotonicNow(): number {
    return this.now;
  }

  wallNow(): number {
    return Date.UTC(2026, 0, 1) + this.now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const timer: Timer = {
        at: this.now + ms,
        resolve: () => {
          this.timers.delete(timer);
          signal?.removeEventListener('abort', timer.resolve);
          resolve();
        },
      };
      this.timers.add(timer);
      signal?.addEventListener('abort', timer.resolve, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing due timers in order and letting everything they start run. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await settle();
      const next = [...this.timers].filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.now = next.at;
      next.resolve();
    }
    this.now = end;
    await settle();
  }
}

/** Lets every pending promise reaction (and anything they start) run. */
export async function settle(): Promise<void> {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

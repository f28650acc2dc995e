import type { Clock } from '../../src/index.js';

interface Timer {
  readonly at: number;
  readonly order: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/** Past this many timers in one run, the simulation is taken to be spinning (a livelock is a failure too). */
const MAX_TIMERS_PER_RUN = 400_000;

/**
 * Virtual time shared by every simulated process: a queue of timers, and a driver that
 * moves time to the next timer only once every pending promise reaction has run. Nothing
 * in a simulation may use real timers or I/O, so a run is a function of its scenario.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private order = 0;
  private fired = 0;
  /** Sorted by time, then by the order they were set in. */
  private readonly timers: Timer[] = [];

  constructor(private readonly epochMs = Date.UTC(2026, 0, 1)) {}

  monotonicNow(): number {
    return this.time;
  }

  wallNow(): number {
    return this.epochMs + this.time;
  }

  /** Timers fired so far: what a run cost. */
  get steps(): number {
    return this.fired;
  }

  /** Calls `fire` `ms` from now; the function returned cancels it. */
  schedule(ms: number, fire: () => void): () => void {
    const timer: Timer = { at: this.time + Math.max(0, ms), order: this.order++, fire, cancelled: false };
    let index = this.timers.length;
    while (index > 0 && (this.timers[index - 1] as Timer).at > timer.at) index--;
    this.timers.splice(index, 0, timer);
    return () => {
      timer.cancelled = true;
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        cancel();
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const cancel = this.schedule(ms, wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }

  /** Lets every pending promise reaction run: microtasks all drain before a macrotask. */
  settle(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /** Fires the timers due up to `until`, one at a time, settling after each; then stands at `until`. */
  async runUntil(until: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > until) break;
      this.timers.shift();
      if (next.cancelled) continue;
      if (++this.fired > MAX_TIMERS_PER_RUN)
        throw new Error(`no end in sight: ${this.fired} timers by ${this.time} ms`);
      this.time = next.at;
      next.fire();
      await this.settle();
    }
    this.time = Math.max(this.time, until);
  }
}

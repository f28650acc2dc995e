import type { Clock } from '../../src/index.js';

/** A clock that moves only when told to; sleeps resolve at once and advance it. */
export class FakeClock implements Clock {
  constructor(private now = 1_000_000) {}

  monotonicNow(): number {
    return this.now;
  }

  wallNow(): number {
    return this.now;
  }

  async sleep(ms: number): Promise<void> {
    this.now += ms;
  }

  advance(ms: number): void {
    this.now += ms;
  }
}

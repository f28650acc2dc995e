import type { Clock } from '@stock-trades/kcl';

/**
 * The lag lesson's switch: once asked, every processor of this worker holds its next batch
 * until the pause is over (or the worker stops), so its shards fall visibly behind and then
 * catch up. Asked by SIGUSR2 (`pnpm dashboard`'s "Pause 60 s" sends it); asking again
 * while paused starts the time again.
 */
export class Pause {
  private until = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: Pick<Clock, 'monotonicNow' | 'sleep'>) {}

  request(ms: number): void {
    this.until = this.clock.monotonicNow() + ms;
  }

  get paused(): boolean {
    return this.clock.monotonicNow() < this.until;
  }

  /** Resolves once the pause is over, at once if there is none; `signal` (the worker stopping) ends it early. */
  async wait(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.paused) {
      await this.clock.sleep(Math.min(1000, this.until - this.clock.monotonicNow()), signal);
    }
  }
}

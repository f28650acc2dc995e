import type { Clock } from '../../src/index.js';
import type { VirtualClock } from './VirtualClock.js';

export type ProcessState = 'running' | 'paused' | 'killed';

const never = new Promise<never>(() => {});

/**
 * One simulated worker process: its own view of the shared virtual clock (a monotonic
 * clock with an offset of its own, as on another machine), and a gate on everything it
 * waits for. Paused (SIGSTOP), it sends nothing and sees no answer or timer until it
 * resumes; killed (SIGKILL), it never sees one again. Requests already on the wire still
 * land: the network does not stop with the process.
 */
export class SimProcess implements Clock {
  private current: ProcessState = 'running';
  private resumed: Promise<void> = Promise.resolve();
  private resumeAt = 0;

  constructor(
    readonly id: string,
    private readonly clock: VirtualClock,
    private readonly monotonicOffsetMs: number,
    private readonly wallSkewMs: number,
  ) {}

  get state(): ProcessState {
    return this.current;
  }

  /** When the last pause ends (or ended). */
  get resumesAt(): number {
    return this.resumeAt;
  }

  monotonicNow(): number {
    return this.clock.monotonicNow() + this.monotonicOffsetMs;
  }

  wallNow(): number {
    return this.clock.wallNow() + this.wallSkewMs;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.clock.sleep(ms, signal);
    await this.gate();
  }

  /** A call out of the process: sent once it runs, its answer (or error) seen once it runs. */
  async call<T>(send: () => Promise<T>): Promise<T> {
    await this.gate();
    try {
      return await send();
    } finally {
      await this.gate();
    }
  }

  /** Resolves at once while running, at the resume while paused, never once killed. */
  gate(): Promise<void> {
    if (this.current === 'killed') return never;
    return this.resumed;
  }

  pause(ms: number): void {
    if (this.current !== 'running') return;
    this.current = 'paused';
    this.resumeAt = this.clock.monotonicNow() + ms;
    let resume = () => {};
    this.resumed = new Promise((resolve) => {
      resume = resolve;
    });
    this.clock.schedule(ms, () => {
      if (this.current !== 'paused') return;
      this.current = 'running';
      resume();
    });
  }

  kill(): void {
    this.current = 'killed';
  }
}

import type { VirtualClock } from './VirtualClock.js';

/** `error-after-write`: the write lands, but the answer is lost and the caller gets an error. */
export type StoreFaultKind = 'throttle' | 'error' | 'error-after-write';

interface Window {
  /** Undefined: every worker. */
  readonly workerId: string | undefined;
  readonly until: number;
}

/**
 * What goes wrong with the lease table, when and for whom: windows of virtual time in
 * which a worker's calls fail (each with a probability, drawn from the run's seed) or
 * are slow (a latency each way, on top of the base latency).
 */
export class FaultPlan {
  private readonly faults: Array<Window & { readonly kind: StoreFaultKind; readonly rate: number }> = [];
  private readonly delays: Array<Window & { readonly latencyMs: number }> = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly random: () => number,
    private readonly baseLatencyMs: number,
  ) {}

  addStoreFault(workerId: string | undefined, kind: StoreFaultKind, rate: number, ms: number): void {
    this.faults.push({ workerId, kind, rate, until: this.clock.monotonicNow() + ms });
  }

  addStoreDelay(workerId: string | undefined, latencyMs: number, ms: number): void {
    this.delays.push({ workerId, latencyMs, until: this.clock.monotonicNow() + ms });
  }

  /** When the last window closes. */
  get endsAt(): number {
    return Math.max(0, ...this.faults.map(({ until }) => until), ...this.delays.map(({ until }) => until));
  }

  /** One way's latency of a call by `workerId` now. */
  latencyFor(workerId: string): number {
    const extra = this.active(this.delays, workerId).map(({ latencyMs }) => latencyMs);
    return this.baseLatencyMs + Math.max(0, ...extra);
  }

  /** The fault, if any, that hits a call by `workerId` now. */
  faultFor(workerId: string): StoreFaultKind | undefined {
    for (const fault of this.active(this.faults, workerId)) if (this.random() < fault.rate) return fault.kind;
    return undefined;
  }

  private active<T extends Window>(windows: readonly T[], workerId: string): T[] {
    const now = this.clock.monotonicNow();
    return windows.filter((window) => window.until > now && (window.workerId ?? workerId) === workerId);
  }
}

import type { Clock } from './Clock.js';
import { LeaseLostError } from './errors.js';
import type { Lease, LeaseMetrics } from './Lease.js';
import type { LeaseStore } from './LeaseStore.js';
import type { Logger } from './Logger.js';

interface HeldLease {
  lease: Lease;
  /** Which holding of the lease this is: a processor of an earlier one must not write on this one. */
  readonly generation: number;
  /**
   * Monotonic time at which the last write that went through (take, renew, checkpoint)
   * was *sent*. The store applied it no earlier, so no other worker can have seen the
   * lease's counter stand still for the failover time before `sentAt + failoverMs`.
   */
  confirmedAt: number;
  /** Writes to one lease run one after another, each on the counter the last one left. */
  queue: Promise<unknown>;
}

export interface RenewerDeps {
  readonly store: LeaseStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly failoverMs: number;
  /** Told once when a lease we held is lost (taken by another, or expired without renewal). */
  readonly onLeaseLost: (leaseKey: string, reason: string) => void;
}

/**
 * Holds this worker's leases: renews them, and is the only way to write to them, so
 * renewals and checkpoints never race each other with a stale counter.
 */
export class LeaseRenewer {
  private readonly held = new Map<string, HeldLease>();
  private generations = 0;

  constructor(private readonly deps: RenewerDeps) {}

  /**
   * Holds a lease just taken; returns the generation that writes on this holding must name.
   * `sentAt` is when the take was sent (monotonic): the holding is good for the failover
   * time from then, not from when the answer came back.
   */
  add(lease: Lease, sentAt: number = this.deps.clock.monotonicNow()): number {
    const generation = ++this.generations;
    this.held.set(lease.leaseKey, { lease, generation, confirmedAt: sentAt, queue: Promise.resolve() });
    return generation;
  }

  /**
   * Whether the lease is still safely ours: held, and its last write sent less than the
   * failover time ago. Past that, another worker may take it at any moment, so a lease
   * that is not fresh is given up as lost at once (its consumer stops) — strictly before
   * any other worker can judge it expired.
   */
  isFresh(leaseKey: string, generation?: number): boolean {
    this.expireIfStale(leaseKey);
    const entry = this.held.get(leaseKey);
    return entry !== undefined && (generation === undefined || entry.generation === generation);
  }

  /** The generation of the lease's current holding, if held. */
  generationOf(leaseKey: string): number | undefined {
    return this.held.get(leaseKey)?.generation;
  }

  has(leaseKey: string): boolean {
    return this.held.has(leaseKey);
  }

  keys(): string[] {
    return [...this.held.keys()];
  }

  current(leaseKey: string): Lease | undefined {
    return this.held.get(leaseKey)?.lease;
  }

  /**
   * Renews every lease whose reader `isHealthy` says is working. A lease whose reader has
   * stalled is not renewed, so it expires and another worker takes it. A lease that could
   * not be renewed for the whole failover time is given up as lost. `metricsOf` says what
   * to publish on each lease with its renewal.
   */
  async renewAll(
    isHealthy: (leaseKey: string) => boolean,
    metricsOf: (leaseKey: string) => LeaseMetrics | undefined = () => undefined,
  ): Promise<void> {
    await Promise.all(
      [...this.held.keys()].map(async (leaseKey) => {
        if (!isHealthy(leaseKey)) {
          this.deps.log.warn({ leaseKey }, 'not renewing lease: its shard reader has stalled');
          this.expireIfStale(leaseKey);
          return;
        }
        try {
          await this.update(leaseKey, (lease) => this.deps.store.renewLease(lease, metricsOf(leaseKey)));
        } catch (error) {
          if (error instanceof LeaseLostError) return;
          this.deps.log.warn({ leaseKey, error: describe(error) }, 'lease renewal failed; will retry');
          this.expireIfStale(leaseKey);
        }
      }),
    );
  }

  /**
   * Runs one write on a held lease, after any write already under way on it, and keeps
   * the lease it returns. A LeaseLostError drops the lease and is rethrown. With a
   * `generation`, the write is refused unless it is that holding's: a processor left over
   * from an earlier holding (its lease lost, then taken again) cannot write as the new one.
   */
  update(leaseKey: string, write: (lease: Lease) => Promise<Lease>, generation?: number): Promise<Lease> {
    const entry = this.held.get(leaseKey);
    if (!entry) return Promise.reject(new LeaseLostError(leaseKey, 'this worker does not hold it'));
    if (generation !== undefined && entry.generation !== generation) {
      return Promise.reject(new LeaseLostError(leaseKey, 'held again since: this processor’s holding ended'));
    }
    const next = entry.queue.then(async () => {
      if (this.held.get(leaseKey) === entry) this.expireIfStale(leaseKey);
      if (this.held.get(leaseKey) !== entry) throw new LeaseLostError(leaseKey, 'this worker no longer holds it');
      const sentAt = this.deps.clock.monotonicNow();
      try {
        const written = await write(entry.lease);
        entry.lease = written;
        entry.confirmedAt = sentAt;
        return written;
      } catch (error) {
        // Only this holding is lost: the lease may be held again already (a write of the old holding that hung).
        if (error instanceof LeaseLostError && this.held.get(leaseKey) === entry) this.lose(leaseKey, error.message);
        throw error;
      }
    });
    entry.queue = next.catch(() => undefined);
    return next;
  }

  /** Gives a lease up with a conditional write so another worker can take it at once. */
  async release(leaseKey: string): Promise<void> {
    await this.update(leaseKey, (lease) => this.deps.store.releaseLease(lease));
    this.held.delete(leaseKey);
  }

  /** Stops holding a lease without writing (its shard is finished, or it was lost); only that holding, if named. */
  forget(leaseKey: string, generation?: number): void {
    if (generation === undefined || this.held.get(leaseKey)?.generation === generation) this.held.delete(leaseKey);
  }

  private expireIfStale(leaseKey: string): void {
    const entry = this.held.get(leaseKey);
    if (entry && this.deps.clock.monotonicNow() - entry.confirmedAt >= this.deps.failoverMs) {
      this.lose(leaseKey, `not renewed for ${this.deps.failoverMs} ms`);
    }
  }

  private lose(leaseKey: string, reason: string): void {
    if (!this.held.delete(leaseKey)) return;
    this.deps.onLeaseLost(leaseKey, reason);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

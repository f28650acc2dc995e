import { LeaseLostError } from '../../src/errors.js';
import type { ExtendedSequenceNumber, Lease, LeaseMetrics, LeaseStore } from '../../src/index.js';

/** A lease table in memory with DynamoDB's conditional-write semantics, counting writes. */
export class InMemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, Lease>();
  writes = 0;

  async ensureTable(): Promise<void> {}

  async listLeases(): Promise<Lease[]> {
    return [...this.leases.values()];
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    return this.leases.get(leaseKey);
  }

  async createLeaseIfAbsent(lease: Lease): Promise<boolean> {
    if (this.leases.has(lease.leaseKey)) return false;
    this.leases.set(lease.leaseKey, lease);
    return true;
  }

  async renewLease(lease: Lease, metrics?: LeaseMetrics): Promise<Lease> {
    return this.write(lease, { leaseCounter: lease.leaseCounter + 1, ...(metrics ? { metrics } : {}) });
  }

  async takeLease(lease: Lease, owner: string): Promise<Lease> {
    const switches = lease.ownerSwitchesSinceCheckpoint + (lease.leaseOwner === owner ? 0 : 1);
    return this.write(lease, {
      leaseOwner: owner,
      leaseCounter: lease.leaseCounter + 1,
      ownerSwitchesSinceCheckpoint: switches,
    });
  }

  async releaseLease(lease: Lease): Promise<Lease> {
    return this.write(lease, { leaseOwner: undefined, leaseCounter: lease.leaseCounter + 1 });
  }

  async checkpoint(lease: Lease, position: ExtendedSequenceNumber, applicationState?: string): Promise<Lease> {
    return this.write(lease, {
      leaseCounter: lease.leaseCounter + 1,
      checkpoint: position,
      ownerSwitchesSinceCheckpoint: 0,
      ...(applicationState === undefined ? {} : { applicationState }),
    });
  }

  async setChildShards(lease: Lease, childShardIds: readonly string[]): Promise<Lease> {
    return this.write(lease, { leaseCounter: lease.leaseCounter + 1, childShardIds: [...childShardIds] });
  }

  async deleteLease(lease: Lease): Promise<void> {
    this.check(lease);
    this.leases.delete(lease.leaseKey);
  }

  /** Another worker's write, as it would land in the table. */
  bump(leaseKey: string, change: Partial<Lease> = {}): Lease {
    const current = this.leases.get(leaseKey);
    if (!current) throw new Error(`no lease ${leaseKey}`);
    const next = { ...current, leaseCounter: current.leaseCounter + 1, ...change };
    this.leases.set(leaseKey, next);
    return next;
  }

  private write(lease: Lease, change: Partial<Lease>): Lease {
    this.check(lease);
    const next = { ...lease, ...change };
    this.leases.set(lease.leaseKey, next);
    this.writes++;
    return next;
  }

  private check(lease: Lease): void {
    const current = this.leases.get(lease.leaseKey);
    if (!current || current.leaseCounter !== lease.leaseCounter || current.leaseOwner !== lease.leaseOwner) {
      throw new LeaseLostError(lease.leaseKey);
    }
  }
}

import {
  DependencyError,
  type ExtendedSequenceNumber,
  type Lease,
  type LeaseMetrics,
  type LeaseStore,
  ThrottledError,
} from '../../src/index.js';
import type { InMemoryLeaseStore } from '../helpers/InMemoryLeaseStore.js';
import type { FaultPlan } from './FaultPlan.js';
import type { InvariantMonitor, WriteKind } from './InvariantMonitor.js';
import type { SimProcess } from './SimProcess.js';
import type { VirtualClock } from './VirtualClock.js';

export interface FaultyLeaseStoreDeps {
  /** The one table every worker shares (DynamoDB's conditional writes). */
  readonly table: InMemoryLeaseStore;
  readonly process: SimProcess;
  readonly clock: VirtualClock;
  readonly faults: FaultPlan;
  readonly monitor: InvariantMonitor;
}

/**
 * One worker's connection to the shared lease table: its calls wait while the process is
 * paused, take the plan's latency each way on the virtual clock, fail as the plan says, and
 * every write is shown to the monitor at the instant it reaches the table. (The in-memory
 * table applies a write synchronously when called, so the item read right before and right
 * after the call is the item the write found and left.)
 */
export class FaultyLeaseStore implements LeaseStore {
  constructor(private readonly deps: FaultyLeaseStoreDeps) {}

  ensureTable(): Promise<void> {
    return this.read(() => this.deps.table.ensureTable());
  }

  listLeases(): Promise<Lease[]> {
    return this.read(() => this.deps.table.listLeases());
  }

  getLease(leaseKey: string): Promise<Lease | undefined> {
    return this.read(() => this.deps.table.getLease(leaseKey));
  }

  createLeaseIfAbsent(lease: Lease): Promise<boolean> {
    return this.write('create', lease.leaseKey, () => this.deps.table.createLeaseIfAbsent(lease));
  }

  renewLease(lease: Lease, metrics?: LeaseMetrics): Promise<Lease> {
    return this.write('renew', lease.leaseKey, () => this.deps.table.renewLease(lease, metrics));
  }

  takeLease(lease: Lease, owner: string): Promise<Lease> {
    return this.write('take', lease.leaseKey, () => this.deps.table.takeLease(lease, owner));
  }

  releaseLease(lease: Lease): Promise<Lease> {
    return this.write('release', lease.leaseKey, () => this.deps.table.releaseLease(lease));
  }

  checkpoint(lease: Lease, position: ExtendedSequenceNumber, applicationState?: string): Promise<Lease> {
    const send = () => this.deps.table.checkpoint(lease, position, applicationState);
    return this.write('checkpoint', lease.leaseKey, send, position);
  }

  setChildShards(lease: Lease, childShardIds: readonly string[]): Promise<Lease> {
    return this.write('children', lease.leaseKey, () => this.deps.table.setChildShards(lease, childShardIds));
  }

  deleteLease(lease: Lease): Promise<void> {
    return this.write('delete', lease.leaseKey, () => this.deps.table.deleteLease(lease));
  }

  private read<T>(send: () => Promise<T>): Promise<T> {
    return this.call(send);
  }

  private write<T>(kind: WriteKind, leaseKey: string, send: () => Promise<T>, position?: ExtendedSequenceNumber) {
    const { table, monitor, process } = this.deps;
    return this.call(() => {
      const before = table.leases.get(leaseKey);
      const answer = send();
      monitor.onWrite({ kind, workerId: process.id, leaseKey, before, after: table.leases.get(leaseKey), position });
      return answer;
    });
  }

  /** A call through the process, the network (latency each way) and the faults; `land` runs it on the table. */
  private call<T>(land: () => Promise<T>): Promise<T> {
    const { process, clock, faults } = this.deps;
    const workerId = process.id;
    const travel = async () => {
      const latencyMs = faults.latencyFor(workerId);
      if (latencyMs > 0) await clock.sleep(latencyMs);
    };
    return process.call(async () => {
      await travel();
      const fault = faults.faultFor(workerId);
      if (fault === 'throttle') throw new ThrottledError('lease table: ProvisionedThroughputExceededException');
      if (fault === 'error') throw new DependencyError('lease table: InternalServerError');
      const answer = await land().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      await travel();
      if (fault === 'error-after-write') throw new DependencyError('lease table: request timed out');
      if ('error' in answer) throw answer.error;
      return answer.value;
    });
  }
}

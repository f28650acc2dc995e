import {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  type Lease,
  Sentinel,
  type UserRecord,
} from '../../src/index.js';
import type { InMemoryLeaseStore } from '../helpers/InMemoryLeaseStore.js';
import type { FakeStream } from './FakeStream.js';
import type { Trace } from './Trace.js';
import type { VirtualClock } from './VirtualClock.js';

/** What the simulation checks; see simulation.test.ts for the precise reading of each. */
export const INVARIANTS = {
  I1: 'every record of every shard is processed at least once; every closed shard ends at SHARD_END',
  I2: 'a lease’s checkpoint in the store never moves backwards',
  I3: 'no record of a child shard is processed before every parent’s lease is at SHARD_END',
  I4: 'after the quiet period, unfinished leases are held by live workers only, balanced within one',
  I5: 'only the owner’s writes land: no checkpoint is written by a worker that no longer holds the lease',
  I5b: 'once a new owner took a lease and acted on it, no earlier owner processes it',
  I6: 'no worker starts processRecords on a shard after another worker’s take of it landed',
  I6a: 'at most one worker is inside processRecords for a shard at any instant',
} as const;
export type InvariantId = keyof typeof INVARIANTS;

export interface Violation {
  readonly invariant: InvariantId;
  readonly at: number;
  readonly message: string;
}

export type WriteKind = 'create' | 'renew' | 'take' | 'release' | 'checkpoint' | 'children' | 'delete';

/** A write as it reached the table: the item before and after (the same object when the condition failed). */
export interface Landing {
  readonly kind: WriteKind;
  readonly workerId: string;
  readonly leaseKey: string;
  readonly before: Lease | undefined;
  readonly after: Lease | undefined;
  readonly position?: ExtendedSequenceNumber;
}

export interface CheckpointAttempt {
  readonly workerId: string;
  readonly leaseKey: string;
  readonly position: ExtendedSequenceNumber;
  /** Whether the table named this worker as the owner when the write reached it. */
  readonly heldInStore: boolean;
  readonly accepted: boolean;
}

/** A take as it landed, and how the lease stood: who held it and how long its counter had stood still. */
interface LandedTake {
  readonly workerId: string;
  readonly at: number;
  readonly from: string | undefined;
  readonly stillForMs: number;
  /** Whether the taker has since processed records of the shard or had a checkpoint accepted. */
  acted: boolean;
}

/** Writes that only the lease's owner may make land (take, create and delete are judged by their conditions). */
const OWNER_WRITES = new Set<WriteKind>(['renew', 'release', 'checkpoint', 'children']);

/**
 * Watches every write landing in the table and every processRecords call, checks the
 * invariants that hold at each instant as they happen, and the end state at the end.
 */
export class InvariantMonitor {
  readonly violations: Violation[] = [];
  /** Every checkpoint write that reached the table, accepted or not. */
  readonly checkpoints: CheckpointAttempt[] = [];
  /** Per shard, the sequence numbers processed (processRecords got them and finished its work). */
  private readonly processed = new Map<string, Set<string>>();
  private deliveries = 0;
  private moves = 0;
  /** Per shard, the last take that landed. */
  private readonly takes = new Map<string, LandedTake>();
  /** Per lease, when its counter last moved. */
  private readonly movedAt = new Map<string, number>();
  /** Per shard, the workers inside processRecords right now. */
  private readonly inside = new Map<string, string[]>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly stream: FakeStream,
    private readonly table: InMemoryLeaseStore,
    private readonly trace: Trace,
    private readonly failoverMs: number,
  ) {}

  onWrite({ kind, workerId, leaseKey, before, after, position }: Landing): void {
    const landed = before !== after;
    if (kind === 'checkpoint' && position) {
      const heldInStore = before?.leaseOwner === workerId;
      this.checkpoints.push({ workerId, leaseKey, position, heldInStore, accepted: landed });
    }
    if (!landed) return;
    if (kind !== 'renew') {
      this.moves++;
      const detail = kind === 'checkpoint' && position ? ` at ${formatExtended(position)}` : '';
      this.trace.add(workerId, `${kind} ${leaseKey}${detail} landed (counter ${after?.leaseCounter ?? '-'})`);
    }
    if (OWNER_WRITES.has(kind) && before?.leaseOwner !== workerId) {
      this.violate(
        'I5',
        `${kind} of ${leaseKey} by ${workerId} landed while ${before?.leaseOwner ?? 'nobody'} held it`,
      );
    }
    if (before && after && compareExtended(after.checkpoint, before.checkpoint) < 0) {
      const from = formatExtended(before.checkpoint);
      this.violate(
        'I2',
        `${kind} by ${workerId} moved ${leaseKey} back from ${from} to ${formatExtended(after.checkpoint)}`,
      );
    }
    const now = this.clock.monotonicNow();
    const take = this.takes.get(leaseKey);
    if (kind === 'take') {
      const stillForMs = now - (this.movedAt.get(leaseKey) ?? 0);
      this.takes.set(leaseKey, { workerId, at: now, from: before?.leaseOwner, stillForMs, acted: false });
    } else if (kind === 'checkpoint' && take?.workerId === workerId) take.acted = true;
    this.movedAt.set(leaseKey, now);
  }

  /** A processRecords call begins; the function returned is called when it returns. */
  enterProcess(workerId: string, shardId: string, records: readonly UserRecord[]): () => void {
    const inside = this.inside.get(shardId) ?? [];
    if (inside.length > 0) {
      const take = this.takes.get(shardId);
      const last = take ? `; last take: ${this.describeTake(take)}` : '';
      this.violate(
        'I6a',
        `${workerId} entered processRecords of ${shardId} while ${inside.join(', ')} was inside${last}`,
      );
    }
    inside.push(workerId);
    this.inside.set(shardId, inside);
    if (records.length > 0) this.checkDelivery(workerId, shardId);
    return () => {
      const index = inside.indexOf(workerId);
      if (index >= 0) inside.splice(index, 1);
    };
  }

  /** The processor finished its work on these records. */
  onProcessed(shardId: string, records: readonly UserRecord[]): void {
    const seen = this.processed.get(shardId) ?? new Set<string>();
    for (const record of records) seen.add(record.sequenceNumber);
    this.processed.set(shardId, seen);
    this.deliveries += records.length;
  }

  /** A killed process is inside nothing any more. */
  onKill(workerId: string): void {
    for (const inside of this.inside.values()) {
      for (let index = inside.indexOf(workerId); index >= 0; index = inside.indexOf(workerId)) inside.splice(index, 1);
    }
  }

  /** Grows with every record processed and every write other than a renewal: the system is moving. */
  get progress(): number {
    return this.deliveries + this.moves;
  }

  /** Records processed, counting every time one was processed again. */
  get recordsProcessed(): number {
    return this.deliveries;
  }

  /** The end state, after the quiet period: I1 and I4. */
  checkEnd(liveWorkerIds: readonly string[]): void {
    for (const { invariant, message } of this.endStateProblems(liveWorkerIds)) this.violate(invariant, message);
  }

  /** What is still wrong with the end state (I1 and I4), if the run stopped now. */
  endStateProblems(liveWorkerIds: readonly string[]): Array<{ invariant: InvariantId; message: string }> {
    const problems: Array<{ invariant: InvariantId; message: string }> = [];
    const problem = (invariant: InvariantId, message: string) => problems.push({ invariant, message });
    for (const shard of this.stream.shards.values()) {
      const seen = this.processed.get(shard.shardId);
      const missing = shard.records.filter((record) => !seen?.has(record.sequenceNumber));
      if (missing.length > 0) {
        const first = missing[0]?.sequenceNumber;
        problem(
          'I1',
          `${missing.length}/${shard.records.length} records of ${shard.shardId} never processed (first ${first})`,
        );
      }
      const lease = this.table.leases.get(shard.shardId);
      if (!lease) problem('I1', `${shard.shardId} has no lease`);
      else if (shard.endingSequenceNumber !== undefined && lease.checkpoint.sequenceNumber !== Sentinel.SHARD_END) {
        problem('I1', `closed ${shard.shardId} is at ${formatExtended(lease.checkpoint)}, not SHARD_END`);
      }
    }
    const counts = new Map(liveWorkerIds.map((workerId) => [workerId, 0]));
    for (const lease of this.table.leases.values()) {
      if (lease.checkpoint.sequenceNumber === Sentinel.SHARD_END) continue;
      const held = lease.leaseOwner === undefined ? undefined : counts.get(lease.leaseOwner);
      if (held === undefined)
        problem('I4', `${lease.leaseKey} is held by ${lease.leaseOwner ?? 'nobody'}, no live worker`);
      else counts.set(lease.leaseOwner as string, held + 1);
    }
    const held = [...counts.values()];
    if (held.length > 0 && Math.max(...held) - Math.min(...held) > 1) {
      problem('I4', `unbalanced: ${[...counts].map(([workerId, count]) => `${workerId}=${count}`).join(' ')}`);
    }
    return problems;
  }

  private checkDelivery(workerId: string, shardId: string): void {
    const take = this.takes.get(shardId);
    if (!take) this.violate('I6', `${workerId} starts processing ${shardId}, which nobody ever took`);
    else if (take.workerId !== workerId) {
      const { workerId: taker } = take;
      this.violate('I6', `${workerId} starts processing ${shardId} after ${this.describeTake(take)}`);
      if (take.acted) this.violate('I5b', `${workerId} processes ${shardId} after ${taker} took it and acted on it`);
    } else take.acted = true;
    for (const parent of this.stream.shards.get(shardId)?.parentShardIds ?? []) {
      const checkpoint = this.table.leases.get(parent)?.checkpoint;
      if (checkpoint?.sequenceNumber !== Sentinel.SHARD_END) {
        const at = checkpoint ? formatExtended(checkpoint) : 'no lease';
        this.violate('I3', `${workerId} processes child ${shardId} while parent ${parent} is at ${at}`);
      }
    }
  }

  private describeTake({ workerId, at, from, stillForMs }: LandedTake): string {
    const when = `${workerId}’s take of it landed at ${(at / 1000).toFixed(3)}s`;
    if (from === undefined) return `${when} (it was unowned)`;
    const still = `${from}’s last write had landed ${(stillForMs / 1000).toFixed(3)}s before`;
    const kind = stillForMs > this.failoverMs ? 'expired' : 'not expired: a steal, or an expiry misjudged';
    return `${when} (${still}: ${kind})`;
  }

  private violate(invariant: InvariantId, message: string): void {
    this.violations.push({ invariant, at: this.clock.monotonicNow(), message });
    this.trace.add('!!', `${invariant} violated: ${message}`);
  }
}

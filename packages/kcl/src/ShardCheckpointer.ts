import {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  Sentinel,
  sentinel,
} from './ExtendedSequenceNumber.js';
import { InvalidCheckpointError } from './errors.js';
import type { LeaseRenewer } from './LeaseRenewer.js';
import type { LeaseStore } from './LeaseStore.js';
import type { CheckpointOptions, RecordProcessorCheckpointer } from './RecordProcessor.js';

/** The checkpointer a shard's processor gets: validated, and written through the renewer. */
export class ShardCheckpointer implements RecordProcessorCheckpointer {
  private checkpointed: ExtendedSequenceNumber;
  private state: string | undefined;
  /** The furthest record handed to the processor. */
  lastDelivered: ExtendedSequenceNumber;
  /** Set once the shard's last record has been delivered. */
  atShardEnd = false;
  /** The last record of the last batch processRecords finished: handed over *and* done. */
  private processed: ExtendedSequenceNumber;
  /** Whether a processRecords call is running (its batch is the one a checkpoint with no position means). */
  private inBatch = false;

  constructor(
    private readonly shardId: string,
    private readonly renewer: LeaseRenewer,
    private readonly store: LeaseStore,
    start: ExtendedSequenceNumber,
    applicationState: string | undefined,
    /** The holding of the lease this processor belongs to (see LeaseRenewer.update). */
    private readonly generation?: number,
  ) {
    this.checkpointed = start;
    this.lastDelivered = start;
    this.processed = start;
    this.state = applicationState;
  }

  get lastCheckpoint(): ExtendedSequenceNumber {
    return this.checkpointed;
  }

  get applicationState(): string | undefined {
    return this.state;
  }

  /**
   * Runs one processRecords call: within it, a checkpoint with no position is at its batch's last record. Outside
   * one (in shutdownRequested, say, after a batch that kept failing) it is at the end of the last batch that was
   * finished, or where the processor itself checkpointed if that is further: never past records not processed.
   */
  async whileProcessing(call: () => Promise<void> | void): Promise<void> {
    this.inBatch = true;
    try {
      await call();
    } finally {
      this.inBatch = false;
    }
  }

  /** The batch handed over last is finished (processed, or skipped by the policy). */
  batchDone(): void {
    this.processed = this.lastDelivered;
  }

  async checkpoint(position?: ExtendedSequenceNumber, options: CheckpointOptions = {}): Promise<void> {
    const target = position ?? this.defaultTarget();
    if (target.sequenceNumber === Sentinel.SHARD_END && !this.atShardEnd) {
      throw new InvalidCheckpointError(`${this.shardId}: SHARD_END before the shard's last record was delivered`);
    }
    if (target.sequenceNumber !== Sentinel.SHARD_END) {
      if (compareExtended(target, this.checkpointed) < 0) {
        throw new InvalidCheckpointError(
          `${this.shardId}: checkpoint ${formatExtended(target)} is behind the current one, ${formatExtended(this.checkpointed)}`,
        );
      }
      if (compareExtended(target, this.lastDelivered) > 0) {
        throw new InvalidCheckpointError(
          `${this.shardId}: checkpoint ${formatExtended(target)} is past the last record delivered, ${formatExtended(this.lastDelivered)}`,
        );
      }
    }
    await this.renewer.update(
      this.shardId,
      (lease) => this.store.checkpoint(lease, target, options.applicationState),
      this.generation,
    );
    this.checkpointed = target;
    if (options.applicationState !== undefined) this.state = options.applicationState;
  }

  private defaultTarget(): ExtendedSequenceNumber {
    if (this.atShardEnd) return sentinel(Sentinel.SHARD_END);
    if (this.inBatch) return this.lastDelivered;
    return compareExtended(this.checkpointed, this.processed) > 0 ? this.checkpointed : this.processed;
  }
}

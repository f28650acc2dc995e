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
    this.state = applicationState;
  }

  get lastCheckpoint(): ExtendedSequenceNumber {
    return this.checkpointed;
  }

  get applicationState(): string | undefined {
    return this.state;
  }

  async checkpoint(position?: ExtendedSequenceNumber, options: CheckpointOptions = {}): Promise<void> {
    const target = position ?? (this.atShardEnd ? sentinel(Sentinel.SHARD_END) : this.lastDelivered);
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
}

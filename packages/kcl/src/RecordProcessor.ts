import type { UserRecord } from '@stock-trades/kpl';
import type { ExtendedSequenceNumber } from './ExtendedSequenceNumber.js';
import type { HashKeyRange } from './Lease.js';

/** What a checkpoint may carry besides its position. */
export interface CheckpointOptions {
  /** Stored with the checkpoint in the same conditional write (see Lease.applicationState). */
  readonly applicationState?: string;
}

/** How a record processor records its progress. Every call is a conditional write on the lease. */
export interface RecordProcessorCheckpointer {
  /**
   * Checkpoints at `position`. Without one: within processRecords, at the last record of its batch; anywhere
   * else, at the end of the last batch processRecords finished (or where the processor checkpointed, if further),
   * never past records handed over but not processed; at the end of a closed shard, SHARD_END. Throws
   * LeaseLostError when the lease is gone, and
   * InvalidCheckpointError for a position behind the current checkpoint or past what
   * was delivered.
   */
  checkpoint(position?: ExtendedSequenceNumber, options?: CheckpointOptions): Promise<void>;
  /** The checkpoint as last written (or as found when the lease was taken). */
  readonly lastCheckpoint: ExtendedSequenceNumber;
  /** The processor state stored with the last checkpoint, if any. */
  readonly applicationState: string | undefined;
}

/** What `initialize` gets: the shard, and where its processing resumes. */
export interface InitializationInput {
  readonly shardId: string;
  /** Where processing resumes: the lease's checkpoint. */
  readonly checkpoint: ExtendedSequenceNumber;
  readonly applicationState: string | undefined;
  /** The hash keys the shard owns. */
  readonly hashKeyRange: HashKeyRange | undefined;
  /**
   * Beyond KCL: the shard's parents as their leases ended (all at SHARD_END, or gone), with
   * the state their processors stored, so a child can carry on where they stopped.
   */
  readonly parents: ReadonlyArray<{ readonly shardId: string; readonly applicationState: string | undefined }>;
}

/** What `shardEnded` gets: the shard is closed and every record of it was delivered. */
export interface ShardEndedInput {
  readonly checkpointer: RecordProcessorCheckpointer;
  /** Beyond KCL: the shards that continue this one (from GetRecords' ChildShards). */
  readonly childShardIds: readonly string[];
}

/** What `processRecords` gets: a batch of user records (KPL aggregates unpacked) and how to checkpoint. */
export interface ProcessRecordsInput {
  /** May be empty: processRecords is called after every read, so a processor can act on time. */
  readonly records: readonly UserRecord[];
  readonly millisBehindLatest: number;
  readonly checkpointer: RecordProcessorCheckpointer;
}

/** What shutdownRequested gets: the worker is stopping. */
export interface ShutdownRequestedInput {
  readonly checkpointer: RecordProcessorCheckpointer;
}

/**
 * One shard's processor, with the Java KCL 2.x lifecycle: initialize, then processRecords
 * many times, then exactly one of leaseLost, shardEnded or shutdownRequested. Calls to one
 * processor never overlap.
 *
 * @example
 * const processor: ShardRecordProcessor = {
 *   initialize: ({ shardId, checkpoint }) => console.log(`${shardId} from ${checkpoint.sequenceNumber}`),
 *   processRecords: async ({ records, checkpointer }) => {
 *     for (const record of records) handle(record.data);
 *     await checkpointer.checkpoint(); // at the batch's last record
 *   },
 *   leaseLost: () => {}, // another worker has the shard: no checkpoint now
 *   shardEnded: ({ checkpointer }) => checkpointer.checkpoint(), // SHARD_END: the children may start
 *   shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
 * };
 */
export interface ShardRecordProcessor {
  /** Called once, before any record: where to resume, and what the parents left. Retried in place if it throws. */
  initialize(input: InitializationInput): Promise<void> | void;
  /** A batch, in order; checkpoint when its effects are durable. A throw retries it in place (see onProcessingError). */
  processRecords(input: ProcessRecordsInput): Promise<void> | void;
  /** Another worker has the lease now: do not checkpoint, just let go. */
  leaseLost(): Promise<void> | void;
  /** The shard is closed and every record was delivered: must checkpoint (SHARD_END). */
  shardEnded(input: ShardEndedInput): Promise<void> | void;
  /** The worker is stopping: checkpoint what is done; the lease is released right after. */
  shutdownRequested(input: ShutdownRequestedInput): Promise<void> | void;
}

/** Makes the processor of one shard, each time this worker takes the shard's lease. */
export type ShardRecordProcessorFactory = (shardId: string) => ShardRecordProcessor;

import type {
  Clock,
  ExtendedSequenceNumber,
  RecordProcessorCheckpointer,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
  UserRecord,
} from '../../src/index.js';
import type { InvariantMonitor } from './InvariantMonitor.js';
import type { Trace } from './Trace.js';

/**
 * When the processor checkpoints in processRecords: after each batch, after some batches,
 * somewhere inside a batch, or never (only at shutdown and shard end).
 */
export type CheckpointPolicy = 'every-batch' | 'some-batches' | 'mid-batch' | 'never';

export interface RecordingProcessorOptions {
  readonly workerId: string;
  /** The worker's clock: processing takes this long, and stops with the process. */
  readonly clock: Clock;
  readonly monitor: InvariantMonitor;
  readonly trace: Trace;
  readonly random: () => number;
  readonly processingMs: number;
  readonly checkpointing: CheckpointPolicy;
  /** Whether a failed checkpoint in processRecords is thrown on (the consumer then fails) or logged and ignored. */
  readonly rethrowCheckpointErrors: boolean;
}

/**
 * A processor that tells the monitor about every processRecords call (entry, records
 * done, return) and checkpoints by its policy. At shard end it checkpoints SHARD_END and
 * lets a failure propagate; at shutdown it checkpoints what it processed.
 */
export function recordingProcessorFactory(options: RecordingProcessorOptions): ShardRecordProcessorFactory {
  const { workerId, clock, monitor, trace, random } = options;
  const attempt = async (shardId: string, checkpointer: RecordProcessorCheckpointer, at?: ExtendedSequenceNumber) => {
    try {
      await checkpointer.checkpoint(at);
    } catch (error) {
      trace.add(workerId, `checkpoint of ${shardId} failed: ${error instanceof Error ? error.message : error}`);
      if (options.rethrowCheckpointErrors) throw error;
    }
  };
  return (shardId): ShardRecordProcessor => {
    let batches = 0;
    return {
      initialize: ({ checkpoint }) => trace.add(workerId, `initialize ${shardId} at ${checkpoint.sequenceNumber}`),
      processRecords: async ({ records, checkpointer }) => {
        const leave = monitor.enterProcess(workerId, shardId, records);
        try {
          if (options.processingMs > 0 && records.length > 0) await clock.sleep(options.processingMs);
          monitor.onProcessed(shardId, records);
          const position = checkpointAt(options.checkpointing, records, ++batches, random);
          if (position !== undefined) await attempt(shardId, checkpointer, position ?? undefined);
        } finally {
          leave();
        }
      },
      leaseLost: () => trace.add(workerId, `leaseLost ${shardId}`),
      shardEnded: async ({ checkpointer }) => {
        trace.add(workerId, `shardEnded ${shardId}`);
        await checkpointer.checkpoint();
      },
      shutdownRequested: async ({ checkpointer }) => {
        trace.add(workerId, `shutdownRequested ${shardId}`);
        await attempt(shardId, checkpointer);
      },
    };
  };
}

/** Where to checkpoint after a batch: undefined not at all, null at the last record delivered. */
function checkpointAt(
  policy: CheckpointPolicy,
  records: readonly UserRecord[],
  batch: number,
  random: () => number,
): ExtendedSequenceNumber | null | undefined {
  if (records.length === 0 || policy === 'never') return undefined;
  if (policy === 'every-batch') return null;
  if (policy === 'some-batches') return batch % 3 === 0 ? null : undefined;
  const record = records[Math.floor(random() * records.length)] as UserRecord;
  return { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber };
}

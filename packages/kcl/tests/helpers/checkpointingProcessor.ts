import type { ShardRecordProcessor } from '../../src/RecordProcessor.js';

/** The plainest processor a test needs: checkpoints every batch with records, at shard end and on shutdown. */
export const checkpointingProcessor = (): ShardRecordProcessor => ({
  initialize: () => {},
  processRecords: async ({ records, checkpointer }) => {
    if (records.length > 0) await checkpointer.checkpoint();
  },
  leaseLost: () => {},
  shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
  shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
});

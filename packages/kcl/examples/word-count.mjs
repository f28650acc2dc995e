// A worker that counts the words of each record (say, log lines) and prints one JSON line per record.
// Start it twice with different names and the two share the stream's shards: node word-count.mjs alpha
import { createWorker } from '@stock-trades/kcl';

const workerId = process.argv[2] ?? `worker-${process.pid}`;
const worker = createWorker({
  applicationName: process.env.APPLICATION_NAME ?? 'word-count', // also the name of the DynamoDB lease table
  streamName: process.env.STREAM_NAME ?? 'log-lines',
  workerId,
  failoverMs: Number(process.env.FAILOVER_MS ?? 10_000),
  // RETRIEVAL=fan-out reads through a stream consumer of its own (enhanced fan-out) instead of polling.
  retrieval: { mode: process.env.RETRIEVAL === 'fan-out' ? 'fan-out' : 'polling' },
  processorFactory: (shardId) => ({
    initialize: ({ checkpoint }) => console.error(`${workerId}: ${shardId} from ${checkpoint.sequenceNumber}`),
    processRecords: async ({ records, checkpointer }) => {
      for (const { data, sequenceNumber } of records) {
        const words = new TextDecoder().decode(data).split(/\s+/).filter(Boolean).length; // data: Uint8Array
        console.log(JSON.stringify({ workerId, shardId, sequenceNumber, words }));
      }
      if (records.length > 0) await checkpointer.checkpoint(); // at the last record handed over
    },
    leaseLost: () => console.error(`${workerId}: ${shardId} went to another worker`),
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(), // SHARD_END: its children may start
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  }),
});

const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop.abort());
await worker.run(stop.signal); // resolves once every lease is checkpointed and released

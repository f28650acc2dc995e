import { type AwsClients, StreamAdmin, StreamCapacity, type StreamSpec, TableAdmin } from '@stock-trades/aws';
import { STATS_STREAM_NAME, STATS_TABLE_KEY, STATS_TABLE_NAME } from '@stock-trades/core';
import { ensureTable } from './ensureTable.js';
import { runCreateStream } from './runCreateStream.js';

/**
 * Everything the pipeline needs before it runs: the trade stream as asked, the single-shard
 * stats stream the consumers send samples to, and the stats table the aggregator can write.
 */
export async function createProjectResources(
  clients: AwsClients,
  trades: { readonly stream: string; readonly spec: StreamSpec },
  say: (line: string) => void,
): Promise<void> {
  const streams = new StreamAdmin(clients);
  await runCreateStream(trades, streams, say);
  await runCreateStream(
    { stream: STATS_STREAM_NAME, spec: { capacity: StreamCapacity.PROVISIONED, shards: 1 } },
    streams,
    say,
  );
  await ensureTable(new TableAdmin(clients), STATS_TABLE_NAME, STATS_TABLE_KEY, say);
}

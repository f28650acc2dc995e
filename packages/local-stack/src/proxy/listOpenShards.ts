import { callKinesis } from './kinesisCall.js';
import type { ShardRange } from './shardForKey.js';

/** The open shards of a stream, asked of kinesis-local directly (ListShards, every page). */
export async function listOpenShards(port: number, stream: string): Promise<ShardRange[]> {
  const shards: ShardRange[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await call(port, 'ListShards', nextToken ? { NextToken: nextToken } : { StreamName: stream })) as {
      Shards?: Array<{
        ShardId: string;
        HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
        SequenceNumberRange?: { EndingSequenceNumber?: string };
      }>;
      NextToken?: string;
    };
    for (const shard of page.Shards ?? []) {
      if (shard.SequenceNumberRange?.EndingSequenceNumber) continue;
      shards.push({
        shardId: shard.ShardId,
        startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey),
        endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey),
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

async function call(port: number, api: string, input: object): Promise<unknown> {
  const answer = await callKinesis(port, api, input);
  if (answer.status >= 400) throw new Error(`${api} ${answer.status}: ${answer.text.slice(0, 200)}`);
  return answer.body;
}

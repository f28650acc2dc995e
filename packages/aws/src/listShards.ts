import { type KinesisClient, ListShardsCommand, type Shard } from '@aws-sdk/client-kinesis';

/**
 * Every shard of a stream, open and closed, through every page of ListShards. The SDK has no
 * paginator for it: a page after the first must name only its NextToken, not the stream.
 * SDK errors come through as they are, for the caller to translate with its own context.
 */
export async function listShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream }),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

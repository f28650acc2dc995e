import { createHash } from 'node:crypto';

export interface ShardRange {
  readonly shardId: string;
  readonly startingHashKey: bigint;
  readonly endingHashKey: bigint;
}

/** The 128-bit hash key Kinesis gives a record: its explicit hash key, or the MD5 of its partition key. */
export function hashKeyOf(partitionKey: string, explicitHashKey?: string): bigint {
  if (explicitHashKey !== undefined && /^\d{1,39}$/.test(explicitHashKey)) return BigInt(explicitHashKey);
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** The open shard whose hash-key range holds `hashKey`, as Kinesis routes a record; undefined if none does. */
export function shardForKey(openShards: readonly ShardRange[], hashKey: bigint): string | undefined {
  return openShards.find((shard) => hashKey >= shard.startingHashKey && hashKey <= shard.endingHashKey)?.shardId;
}

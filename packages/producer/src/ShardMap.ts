import type { ShardRange } from '@stock-trades/writer';

/** Which open shard a partition key lands in, from the stream's hash-key ranges. */
export class ShardMap {
  private readonly open: Array<{ shardId: string; start: bigint; end: bigint }>;
  private readonly ranges: Map<string, { start: bigint; end: bigint }>;

  constructor(shards: readonly ShardRange[]) {
    this.ranges = new Map(
      shards.map((shard) => [
        shard.shardId,
        { start: BigInt(shard.startingHashKey), end: BigInt(shard.endingHashKey) },
      ]),
    );
    this.open = shards
      .filter((shard) => shard.open)
      .map((shard) => ({
        shardId: shard.shardId,
        start: BigInt(shard.startingHashKey),
        end: BigInt(shard.endingHashKey),
      }))
      .sort((a, b) => (a.start < b.start ? -1 : 1));
  }

  /** The open shard whose range holds `hash`. */
  shardFor(hash: bigint): string | undefined {
    let low = 0;
    let high = this.open.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const shard = this.open[middle];
      if (!shard) break;
      if (hash < shard.start) high = middle - 1;
      else if (hash > shard.end) low = middle + 1;
      else return shard.shardId;
    }
    return undefined;
  }

  /** Whether `hash` is in the range of the shard (open or closed) with this id. */
  holds(shardId: string, hash: bigint): boolean {
    const range = this.ranges.get(shardId);
    return range !== undefined && hash >= range.start && hash <= range.end;
  }
}

import type { ShardTrafficCounts, ShardTrafficReport } from '@stock-trades/core';

type Counter = { -readonly [Key in keyof ShardTrafficCounts]: number };

/** Counts, per stream and shard, what the Kinesis proxy let through and what it refused. */
export class ShardTraffic {
  private readonly streams = new Map<string, Map<string, Counter>>();

  add(stream: string, shardId: string, counts: Partial<ShardTrafficCounts>): void {
    let shards = this.streams.get(stream);
    if (!shards) {
      shards = new Map();
      this.streams.set(stream, shards);
    }
    let counter = shards.get(shardId);
    if (!counter) {
      counter = {
        recordsIn: 0,
        bytesIn: 0,
        payloadUnitsIn: 0,
        userRecordsIn: 0,
        recordsRefused: 0,
        reads: 0,
        readsThrottled: 0,
      };
      shards.set(shardId, counter);
    }
    for (const [key, value] of Object.entries(counts) as Array<[keyof Counter, number]>) counter[key] += value;
  }

  /** Forgets a deleted stream: one created again under its name starts from zero. */
  forget(stream: string): void {
    this.streams.delete(stream);
  }

  report(limits: Omit<ShardTrafficReport, 'streams'>): ShardTrafficReport {
    const streams: Record<string, Record<string, ShardTrafficCounts>> = {};
    for (const [stream, shards] of this.streams) {
      streams[stream] = Object.fromEntries([...shards].map(([shardId, counter]) => [shardId, { ...counter }]));
    }
    return { ...limits, streams };
  }
}

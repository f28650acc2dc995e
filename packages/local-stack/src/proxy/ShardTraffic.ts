import type { ReaderShardCounts, ReaderTraffic, ShardTrafficCounts, ShardTrafficReport } from '@stock-trades/core';

type Counter = { -readonly [Key in keyof ShardTrafficCounts]: number };
type ReaderCounter = { -readonly [Key in keyof ReaderShardCounts]: number };

/** Counts, per stream and shard, what the Kinesis proxy let through and what it refused, and who read it. */
export class ShardTraffic {
  private readonly streams = new Map<string, Map<string, Counter>>();
  /** Stream → `${mode} ${application}` → the reader and its shards. */
  private readonly readers = new Map<
    string,
    Map<string, { application: string; mode: ReaderTraffic['mode']; shards: Map<string, ReaderCounter> }>
  >();

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

  /** Counts one application's read of a shard (see ShardTrafficReport.readers). */
  addRead(
    stream: string,
    reader: { readonly application: string; readonly mode: ReaderTraffic['mode'] },
    shardId: string,
    counts: Partial<ReaderShardCounts>,
  ): void {
    let ofStream = this.readers.get(stream);
    if (!ofStream) {
      ofStream = new Map();
      this.readers.set(stream, ofStream);
    }
    const key = `${reader.mode} ${reader.application}`;
    let entry = ofStream.get(key);
    if (!entry) {
      entry = { application: reader.application, mode: reader.mode, shards: new Map() };
      ofStream.set(key, entry);
    }
    let counter = entry.shards.get(shardId);
    if (!counter) {
      counter = { reads: 0, readsThrottled: 0, recordsOut: 0, bytesOut: 0 };
      entry.shards.set(shardId, counter);
    }
    for (const [name, value] of Object.entries(counts) as Array<[keyof ReaderCounter, number]>) counter[name] += value;
  }

  /** Forgets a deleted stream: one created again under its name starts from zero. */
  forget(stream: string): void {
    this.streams.delete(stream);
    this.readers.delete(stream);
  }

  report(limits: Omit<ShardTrafficReport, 'streams' | 'readers'>): ShardTrafficReport {
    const streams: Record<string, Record<string, ShardTrafficCounts>> = {};
    for (const [stream, shards] of this.streams) {
      streams[stream] = Object.fromEntries([...shards].map(([shardId, counter]) => [shardId, { ...counter }]));
    }
    const readers: Record<string, ReaderTraffic[]> = {};
    for (const [stream, ofStream] of this.readers) {
      readers[stream] = [...ofStream.values()].map(({ application, mode, shards }) => ({
        application,
        mode,
        shards: Object.fromEntries([...shards].map(([shardId, counter]) => [shardId, { ...counter }])),
      }));
    }
    return { ...limits, streams, readers };
  }
}

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
    const shards = entryOf(this.streams, stream, () => new Map<string, Counter>());
    addCounts(
      entryOf(shards, shardId, () => ({
        recordsIn: 0,
        bytesIn: 0,
        payloadUnitsIn: 0,
        userRecordsIn: 0,
        recordsRefused: 0,
        reads: 0,
        readsThrottled: 0,
      })),
      counts,
    );
  }

  /** Counts one application's read of a shard (see ShardTrafficReport.readers). */
  addRead(
    stream: string,
    reader: { readonly application: string; readonly mode: ReaderTraffic['mode'] },
    shardId: string,
    counts: Partial<ReaderShardCounts>,
  ): void {
    const ofStream = entryOf(this.readers, stream, () => new Map());
    const entry = entryOf(ofStream, `${reader.mode} ${reader.application}`, () => ({
      application: reader.application,
      mode: reader.mode,
      shards: new Map<string, ReaderCounter>(),
    }));
    addCounts(
      entryOf(entry.shards, shardId, () => ({ reads: 0, readsThrottled: 0, recordsOut: 0, bytesOut: 0 })),
      counts,
    );
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

/** The map's value for `key`, made and kept there the first time. */
function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function addCounts<T extends Record<string, number>>(counter: T, counts: Partial<T>): void {
  for (const [name, value] of Object.entries(counts) as Array<[keyof T, number]>) {
    (counter[name] as number) += value;
  }
}

import type { ShardTrafficCounts, ShardTrafficReport } from '@stock-trades/core';
import { keepSpan } from './keepSpan.js';
import type { ShardThrottlingView, ThrottlingView } from './types.js';

/** Rates are taken over the last few seconds: steady enough to read, quick enough to see a reshard work. */
const RATE_SPAN_MS = 5000;

interface Snapshot {
  readonly at: number;
  readonly shards: Readonly<Record<string, ShardTrafficCounts>>;
}

const ZERO: ShardTrafficCounts = {
  recordsIn: 0,
  bytesIn: 0,
  userRecordsIn: 0,
  recordsRefused: 0,
  reads: 0,
  readsThrottled: 0,
};

/**
 * Turns the stack's growing per-shard counters (its Kinesis proxy's traffic report) into
 * rates for the throttling panel: writes against each shard's allowance, records refused
 * and reads throttled per second. Pure: reports and times come in.
 */
export class ThrottlingWatch {
  private readonly snapshots: Snapshot[] = [];
  private limits: Omit<ShardTrafficReport, 'streams'> | undefined;

  constructor(private readonly stream: string) {}

  observe(report: ShardTrafficReport, wallNow: number): void {
    const { streams, ...limits } = report;
    this.limits = limits;
    this.snapshots.push({ at: wallNow, shards: streams[this.stream] ?? {} });
    // Keep one snapshot at or beyond the span, to measure from.
    keepSpan(this.snapshots, wallNow, RATE_SPAN_MS);
  }

  /** The panel, once a report came in; `openShards` are listed even while idle. */
  view(openShards: readonly string[]): ThrottlingView | null {
    const limits = this.limits;
    const latest = this.snapshots.at(-1);
    const oldest = this.snapshots[0];
    if (!limits || !latest || !oldest) return null;
    const seconds = (latest.at - oldest.at) / 1000;
    const perSecond = (now: number, before: number) => (seconds > 0 ? Math.max(0, now - before) / seconds : 0);
    const ids = [...new Set([...openShards, ...Object.keys(latest.shards)])].sort();
    const shards = ids
      .map((shardId): ShardThrottlingView => {
        const now = latest.shards[shardId] ?? ZERO;
        const before = oldest.shards[shardId] ?? ZERO;
        const recordsInPerSecond = perSecond(now.recordsIn, before.recordsIn);
        const bytesInPerSecond = perSecond(now.bytesIn, before.bytesIn);
        return {
          shardId,
          recordsInPerSecond,
          tradesInPerSecond: perSecond(now.userRecordsIn ?? now.recordsIn, before.userRecordsIn ?? before.recordsIn),
          bytesInPerSecond,
          writeShare: Math.max(
            recordsInPerSecond / limits.writeRecordsPerSecond,
            bytesInPerSecond / limits.writeBytesPerSecond,
          ),
          refusedPerSecond: perSecond(now.recordsRefused, before.recordsRefused),
          readsThrottledPerSecond: perSecond(now.readsThrottled, before.readsThrottled),
        };
      })
      // A closed shard leaves the panel once it has been quiet for the whole span.
      .filter(
        (shard) =>
          openShards.includes(shard.shardId) ||
          shard.recordsInPerSecond + shard.refusedPerSecond + shard.readsThrottledPerSecond > 0,
      );
    const total = (pick: (counts: ShardTrafficCounts) => number) =>
      Object.values(latest.shards).reduce((sum, counts) => sum + pick(counts), 0);
    return {
      ...limits,
      shards,
      refusedPerSecond: shards.reduce((sum, shard) => sum + shard.refusedPerSecond, 0),
      readsThrottledPerSecond: shards.reduce((sum, shard) => sum + shard.readsThrottledPerSecond, 0),
      refusedTotal: total((counts) => counts.recordsRefused),
      readsThrottledTotal: total((counts) => counts.readsThrottled),
    };
  }
}

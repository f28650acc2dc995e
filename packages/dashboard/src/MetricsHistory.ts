import type { ShardTrafficCounts, ShardTrafficReport } from '@stock-trades/core';
import { HISTORY_METRICS, type HistoryMetricName, type HistoryView, type LeaseView } from './types.js';

/** The embedded stack's period: short enough that a two-minute exercise draws a dozen points. */
export const LOCAL_PERIOD_MS = 10_000;
/** As the AWS console's default range for a stream's monitoring tab. */
export const HISTORY_SPAN_MS = 15 * 60_000;

type Bucket = Partial<Record<HistoryMetricName, number>>;

/**
 * The embedded stack's CloudWatch: folds its Kinesis proxy's growing per-shard counters
 * and the workers' published lag into the metrics AWS charts, per shard and period, for the
 * last 15 minutes. What grew between two reports counts in the period of the later one.
 * Pure: reports, lease views and times come in.
 */
export class MetricsHistory {
  /** Period start (ms) → shard → the period's values so far. */
  private readonly periods = new Map<number, Map<string, Bucket>>();
  /** Periods in which a traffic report came: a shard not in one had no traffic then. */
  private readonly counted = new Set<number>();
  private last: Readonly<Record<string, ShardTrafficCounts>> | undefined;

  constructor(
    private readonly stream: string,
    private readonly periodMs = LOCAL_PERIOD_MS,
  ) {}

  observeTraffic(report: ShardTrafficReport, wallNow: number): void {
    const counts = report.streams[this.stream] ?? {};
    const before = this.last;
    this.last = counts;
    if (!before) return; // the first report only sets where counting starts
    const period = this.period(wallNow);
    this.counted.add(period);
    for (const [shardId, now] of Object.entries(counts)) {
      const then = before[shardId];
      // Counters only grow; one that went back started again (a restarted stack): all it has is new.
      const grown = (pick: (c: ShardTrafficCounts) => number) => {
        const delta = pick(now) - (then ? pick(then) : 0);
        return delta >= 0 ? delta : pick(now);
      };
      const bucket = this.bucket(period, shardId);
      add(
        bucket,
        'IncomingRecords',
        grown((c) => c.recordsIn),
      );
      add(
        bucket,
        'IncomingBytes',
        grown((c) => c.bytesIn),
      );
      add(
        bucket,
        'WriteProvisionedThroughputExceeded',
        grown((c) => c.recordsRefused),
      );
      add(
        bucket,
        'ReadProvisionedThroughputExceeded',
        grown((c) => c.readsThrottled),
      );
    }
    this.trim(wallNow);
  }

  /** The lag each live holder publishes on its lease (none for an expired, unowned or finished one). */
  observeLag(leases: readonly LeaseView[], wallNow: number): void {
    const period = this.period(wallNow);
    for (const lease of leases) {
      if (lease.millisBehindLatest === null) continue;
      const bucket = this.bucket(period, lease.shardId);
      bucket.IteratorAgeMilliseconds = Math.max(bucket.IteratorAgeMilliseconds ?? 0, lease.millisBehindLatest);
    }
    this.trim(wallNow);
  }

  view(wallNow: number): HistoryView {
    const newest = this.period(wallNow);
    const count = HISTORY_SPAN_MS / this.periodMs;
    const starts = Array.from({ length: count }, (_, index) => newest - (count - 1 - index) * this.periodMs);
    const shards = new Set<string>();
    for (const buckets of this.periods.values()) for (const shardId of buckets.keys()) shards.add(shardId);
    const metrics = {} as Record<HistoryMetricName, Record<string, Array<number | null>>>;
    for (const { name } of HISTORY_METRICS) {
      metrics[name] = {};
      for (const shardId of [...shards].sort()) {
        metrics[name][shardId] = starts.map((start) => {
          const value = this.periods.get(start)?.get(shardId)?.[name];
          // In a period the counters were read in, a shard with no traffic had none (0); lag only when published.
          return value ?? (name !== 'IteratorAgeMilliseconds' && this.counted.has(start) ? 0 : null);
        });
      }
    }
    return {
      source: 'embedded stack',
      periodSeconds: this.periodMs / 1000,
      times: starts.map((start) => start / 1000),
      metrics,
      note: this.last
        ? null
        : 'Only IteratorAgeMilliseconds: this stack has no traffic counters (not started by pnpm stack?).',
    };
  }

  private period(wallNow: number): number {
    return Math.floor(wallNow / this.periodMs) * this.periodMs;
  }

  private bucket(period: number, shardId: string): Bucket {
    let buckets = this.periods.get(period);
    if (!buckets) {
      buckets = new Map();
      this.periods.set(period, buckets);
    }
    let bucket = buckets.get(shardId);
    if (!bucket) {
      bucket = {};
      buckets.set(shardId, bucket);
    }
    return bucket;
  }

  private trim(wallNow: number): void {
    for (const start of this.periods.keys()) {
      if (start <= wallNow - HISTORY_SPAN_MS) this.periods.delete(start);
    }
    for (const start of this.counted) if (start <= wallNow - HISTORY_SPAN_MS) this.counted.delete(start);
  }
}

function add(bucket: Bucket, name: HistoryMetricName, value: number): void {
  bucket[name] = (bucket[name] ?? 0) + value;
}

import {
  estimateKinesisCost,
  KINESIS_LIST_PRICES,
  type ShardTrafficCounts,
  type ShardTrafficReport,
} from '@stock-trades/core';
import { keepSpan } from './keepSpan.js';
import type { CostView } from './types.js';

/** The rate "now" is taken over the last minute of PUT payload units. */
const RATE_SPAN_MS = 60_000;

/**
 * "If this ran on AWS": what the run would cost at list prices since the page started
 * watching — shard-hours of both streams (open shards × time, as seen once a second) and
 * the PUT payload units Kinesis accepted (the embedded stack counts them per record) —
 * and what it costs per hour now. Pure: shard counts, reports and times come in.
 */
export class CostMeter {
  private since: number | undefined;
  private shardMs = 0;
  private open: { count: number; at: number } | undefined;
  /** The stack's total at the last report. */
  private lastTotal: number | undefined;
  private units = 0;
  private readonly recent: Array<{ at: number; units: number }> = [];

  constructor(private readonly streams: readonly string[]) {}

  /** How many shards are open now, over the streams together. */
  observeOpenShards(count: number, wallNow: number): void {
    this.since ??= wallNow;
    if (this.open) this.shardMs += this.open.count * Math.max(0, wallNow - this.open.at);
    this.open = { count, at: wallNow };
  }

  observeTraffic(report: ShardTrafficReport, wallNow: number): void {
    this.since ??= wallNow;
    const total = this.streams.reduce(
      (sum, stream) =>
        sum +
        Object.values(report.streams[stream] ?? {}).reduce(
          (units, counts: ShardTrafficCounts) => units + (counts.payloadUnitsIn ?? counts.recordsIn),
          0,
        ),
      0,
    );
    // Counted from the first report: what was written before the page watched is not this run's (as far as it knows).
    // A total that went back is a restarted stack, counting again from zero.
    if (this.lastTotal !== undefined) this.units += total >= this.lastTotal ? total - this.lastTotal : total;
    this.lastTotal = total;
    this.recent.push({ at: wallNow, units: this.units });
    keepSpan(this.recent, wallNow, RATE_SPAN_MS);
  }

  view(wallNow: number, local: boolean): CostView | null {
    if (this.since === undefined || !this.open) return null;
    const shardHours = (this.shardMs + this.open.count * Math.max(0, wallNow - this.open.at)) / 3_600_000;
    const oldest = this.recent[0];
    const newest = this.recent.at(-1);
    const unitsPerSecond =
      oldest && newest && newest.at > oldest.at ? ((newest.units - oldest.units) * 1000) / (newest.at - oldest.at) : 0;
    const sofar = estimateKinesisCost({ shardHours, putPayloadUnits: local ? this.units : 0 });
    const perHour = estimateKinesisCost({ shardHours: this.open.count, putPayloadUnits: unitsPerSecond * 3600 });
    return {
      since: new Date(this.since).toISOString(),
      openShards: this.open.count,
      shardHours,
      putPayloadUnits: local ? this.units : null,
      shardHoursUsd: sofar.shardHoursUsd,
      putPayloadUnitsUsd: local ? sofar.putPayloadUnitsUsd : null,
      totalUsd: sofar.totalUsd,
      perHourUsd: local ? perHour.totalUsd : perHour.shardHoursUsd,
      prices: KINESIS_LIST_PRICES,
    };
  }
}

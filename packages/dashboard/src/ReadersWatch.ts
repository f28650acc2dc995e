import type { ReaderShardCounts, ReaderTraffic, ShardTrafficReport } from '@stock-trades/core';
import { keepSpan } from './keepSpan.js';
import type { ApplicationReadsView, ReadersView, StreamConsumerView } from './types.js';

/** Rates over the last few seconds, as the throttling panel takes them. */
const RATE_SPAN_MS = 5000;
/** An application that has not read for this long leaves the panel (a registered consumer stays). */
const GONE_AFTER_MS = 60_000;

const ZERO: ReaderShardCounts = { reads: 0, readsThrottled: 0, recordsOut: 0, bytesOut: 0 };

interface Snapshot {
  readonly at: number;
  /** `${mode} ${application}` → the reader. */
  readonly readers: ReadonlyMap<string, ReaderTraffic>;
}

/**
 * The two-applications lesson: who reads the stream, in which mode, how fast, and how often
 * Kinesis throttled them, shard by shard — from the embedded stack's per-application counts
 * (polling readers by the app id their SDK sends, fan-out readers by their stream consumer) —
 * beside the stream's registered consumers. Pure: reports, consumers and times come in.
 */
export class ReadersWatch {
  private readonly snapshots: Snapshot[] = [];
  private readonly lastRead = new Map<string, number>();
  private consumers: readonly StreamConsumerView[] = [];
  /** Why the last listing failed; the consumers listed before it stay shown meanwhile. */
  private consumersError: string | null = null;
  private readCallsPerSecond: number | undefined;

  constructor(private readonly stream: string) {}

  observe(report: ShardTrafficReport, wallNow: number): void {
    this.readCallsPerSecond = report.shardLimits ? report.readCallsPerSecond : undefined;
    const readers = new Map((report.readers?.[this.stream] ?? []).map((reader) => [keyOf(reader), reader]));
    const previous = this.snapshots.at(-1);
    for (const [key, reader] of readers) {
      if (!previous || total(reader) !== total(previous.readers.get(key))) this.lastRead.set(key, wallNow);
    }
    this.snapshots.push({ at: wallNow, readers });
    keepSpan(this.snapshots, wallNow, RATE_SPAN_MS);
  }

  /** The stream's registered consumers (ListStreamConsumers), or why they could not be read. */
  observeConsumers(consumers: readonly StreamConsumerView[] | Error): void {
    // A listing that failed (a slow or throttled call) says so, but does not unregister what was listed before.
    if (consumers instanceof Error) {
      this.consumersError = `ListStreamConsumers failed: ${consumers.message}`;
      return;
    }
    this.consumers = consumers;
    this.consumersError = null;
  }

  /**
   * Whether the consumers listed last are behind what the stack counts: a fan-out reader whose stream consumer was
   * not listed, or was listed still CREATING. The consumers are then worth listing again now rather than at the next
   * regular listing, or the panel would show an application reading through a consumer it does not know.
   */
  consumersBehind(): boolean {
    const latest = this.snapshots.at(-1);
    if (!latest) return false;
    return [...latest.readers.values()].some(
      (reader) =>
        reader.mode === 'fan-out' &&
        this.consumers.find((consumer) => consumer.name === reader.application)?.status !== 'ACTIVE',
    );
  }

  view(wallNow: number): ReadersView {
    const latest = this.snapshots.at(-1);
    const oldest = this.snapshots[0];
    const seconds = latest && oldest ? (latest.at - oldest.at) / 1000 : 0;
    const perSecond = (now: number, before: number) => (seconds > 0 ? Math.max(0, now - before) / seconds : 0);
    const consumers = this.consumers;
    const applications = [...(latest?.readers ?? new Map<string, ReaderTraffic>())]
      .filter(
        ([key, reader]) =>
          wallNow - (this.lastRead.get(key) ?? 0) < GONE_AFTER_MS ||
          (reader.mode === 'fan-out' && consumers.some((consumer) => consumer.name === reader.application)),
      )
      .map(([key, reader]): ApplicationReadsView => {
        const before = oldest?.readers.get(key);
        const shards = Object.keys(reader.shards)
          .sort()
          .map((shardId) => {
            const now = reader.shards[shardId] ?? ZERO;
            const then = before?.shards[shardId] ?? ZERO;
            return {
              shardId,
              recordsPerSecond: perSecond(now.recordsOut, then.recordsOut),
              bytesPerSecond: perSecond(now.bytesOut, then.bytesOut),
              readsPerSecond: perSecond(now.reads, then.reads),
              throttledPerSecond: perSecond(now.readsThrottled, then.readsThrottled),
            };
          });
        const sum = (pick: (shard: (typeof shards)[number]) => number) =>
          shards.reduce((acc, shard) => acc + pick(shard), 0);
        const reads = sum((shard) => shard.readsPerSecond);
        const throttled = sum((shard) => shard.throttledPerSecond);
        const counts = Object.values(reader.shards);
        return {
          application: reader.application,
          mode: reader.mode,
          consumerStatus:
            reader.mode === 'fan-out'
              ? (consumers.find((consumer) => consumer.name === reader.application)?.status ?? null)
              : null,
          recordsPerSecond: sum((shard) => shard.recordsPerSecond),
          bytesPerSecond: sum((shard) => shard.bytesPerSecond),
          readsPerSecond: reads,
          throttledPerSecond: throttled,
          throttledShare: reads + throttled > 0 ? throttled / (reads + throttled) : 0,
          recordsTotal: counts.reduce((acc, shard) => acc + shard.recordsOut, 0),
          throttledTotal: counts.reduce((acc, shard) => acc + shard.readsThrottled, 0),
          shards,
        };
      })
      .sort((a, b) => a.application.localeCompare(b.application) || a.mode.localeCompare(b.mode));
    return {
      counted: latest !== undefined,
      readCallsPerSecond: this.readCallsPerSecond ?? null,
      consumers,
      consumersError: this.consumersError,
      applications,
    };
  }
}

function keyOf(reader: Pick<ReaderTraffic, 'mode' | 'application'>): string {
  return `${reader.mode} ${reader.application}`;
}

function total(reader: ReaderTraffic | undefined): number {
  return Object.values(reader?.shards ?? {}).reduce((sum, shard) => sum + shard.reads + shard.readsThrottled, 0);
}

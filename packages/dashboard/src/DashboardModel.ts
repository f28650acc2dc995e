import {
  checkSample,
  type KnownShard,
  reachesFurther,
  type SampleChecks,
  type ShardTrafficReport,
  TUTORIAL_STOCK_PRICES,
  type WindowSample,
} from '@stock-trades/core';
import type { Lease, ShardInfo } from '@stock-trades/kcl';
import { partitionKeyHash } from '@stock-trades/kpl';
import { CostMeter } from './CostMeter.js';
import { LeaseWatch } from './LeaseWatch.js';
import { MetricsHistory } from './MetricsHistory.js';
import { ReadersWatch } from './ReadersWatch.js';
import { ThrottlingWatch } from './ThrottlingWatch.js';
import type {
  DashboardView,
  HistoryView,
  LeaseEvent,
  LeaseView,
  ProcessView,
  ResultView,
  SampleView,
  ShardView,
  StreamConsumerView,
  WindowView,
  WorkerView,
} from './types.js';

export interface ModelSettings {
  readonly target: 'local' | 'aws';
  readonly stream: string;
  readonly statsStream: string;
  readonly failoverMs: number;
  readonly actions: boolean;
  readonly pauseSeconds?: number;
}

const KEY_SPACE = 2n ** 128n;
/** Each of the tutorial's tickers where Kinesis puts it: MD5 of the partition key, as a 128-bit number. */
const TICKER_HASHES = TUTORIAL_STOCK_PRICES.map(({ tickerSymbol }) => ({
  ticker: tickerSymbol,
  hash: partitionKeyHash(tickerSymbol),
  at: fractionOfKeySpace(partitionKeyHash(tickerSymbol)),
})).sort((a, b) => (a.hash < b.hash ? -1 : 1));

/** A part of the 128-bit key space as a fraction, to a millionth. */
function fractionOfKeySpace(keys: bigint): number {
  return Number((keys * 1_000_000n) / KEY_SPACE) / 1_000_000;
}

/** How much history the page gets: five minutes of rates, the last 12 windows, the last 60 lease events. */
const RATE_HISTORY_MS = 5 * 60_000;
const WINDOWS_SHOWN = 12;
const EVENTS_SHOWN = 60;
const SAMPLE_RATE_SPAN_MS = 30_000;
/** Samples of a shard not (yet) in the list wait for the next read of it, a few at most. */
const PENDING_SAMPLES = 100;
/** No window older than a week is shown (no stream keeps records longer by default). */
const OLDEST_WINDOW_MS = 7 * 86_400_000;

interface WindowEntry {
  readonly start: number;
  readonly end: number;
  result: ResultView | null;
  /** Per sample identity (shard, first record): the one reaching furthest, as the aggregator keeps it. */
  readonly samples: Map<string, WindowSample>;
}

/**
 * Everything the dashboard knows, folded from what the pipeline leaves behind: the
 * stream's shards, the lease tables, the samples on the stats stream and the
 * aggregator's results. Pure: observations and times come in, the view comes out.
 */
export class DashboardModel {
  private readonly consumerLeases: LeaseWatch;
  private readonly aggregatorLeases: LeaseWatch;
  private shards: ShardView[] = [];
  private knownShards: Map<string, KnownShard> | undefined;
  /** Samples naming a shard the last shard list did not have: a reshard's child, or a forgery. */
  private pending: Array<{ sample: WindowSample; wallNow: number }> = [];
  private rejectedSamples: Record<string, number> = {};
  private readonly rateTimes: number[] = [];
  private readonly rates = new Map<string, Array<number | null>>();
  private readonly events: LeaseEvent[] = [];
  private readonly windows = new Map<number, WindowEntry>();
  private readonly sampleArrivals: number[] = [];
  /** When each result first read in the last minute came (results present at the first read are not counted). */
  private readonly resultTimes: number[] = [];
  /** Every window a result was read for so far. */
  private readonly resultsSeen = new Set<string>();
  private primedResults = false;
  private error: string | null = null;
  private lastMonotonic = 0;
  private readonly throttling: ThrottlingWatch;
  private readonly readers: ReadersWatch;
  private readonly history: MetricsHistory;
  private readonly cost: CostMeter;
  private statsOpenShards = 1;
  /** On AWS: the history as CloudWatch last answered (or why it did not). */
  private cloudWatch: HistoryView | string | undefined;

  constructor(private readonly settings: ModelSettings) {
    this.consumerLeases = new LeaseWatch(settings.failoverMs);
    this.aggregatorLeases = new LeaseWatch(settings.failoverMs);
    this.throttling = new ThrottlingWatch(settings.stream);
    this.readers = new ReadersWatch(settings.stream);
    this.history = new MetricsHistory(settings.stream);
    this.cost = new CostMeter([settings.stream, settings.statsStream]);
  }

  /** How many shards of the stats stream are open (one, unless someone resharded it). */
  observeStatsShards(open: number): void {
    this.statsOpenShards = open;
  }

  /** The embedded stack's per-shard traffic counters (its Kinesis proxy's report). */
  observeShardTraffic(report: ShardTrafficReport, wallNow: number): void {
    this.throttling.observe(report, wallNow);
    this.readers.observe(report, wallNow);
    this.history.observeTraffic(report, wallNow);
    this.cost.observeTraffic(report, wallNow);
  }

  /** The trade stream's registered consumers, or why they could not be listed. */
  observeStreamConsumers(consumers: readonly StreamConsumerView[] | Error): void {
    this.readers.observeConsumers(consumers);
  }

  /** Whether an application reads through a stream consumer the last listing did not show ACTIVE. */
  streamConsumersBehind(): boolean {
    return this.readers.consumersBehind();
  }

  /** On AWS: what CloudWatch answered, or why it could not be read. */
  observeCloudWatch(history: HistoryView | Error): void {
    this.cloudWatch = history instanceof Error ? `CloudWatch could not be read: ${history.message}` : history;
  }

  observeShards(shards: readonly ShardInfo[], wallNow?: number): void {
    const open = shards.filter((shard) => shard.endingSequenceNumber === undefined).length;
    if (wallNow !== undefined && open > 0) this.cost.observeOpenShards(open + this.statsOpenShards, wallNow);
    const children = new Map<string, string[]>();
    for (const shard of shards) {
      for (const parent of shard.parentShardIds) children.set(parent, [...(children.get(parent) ?? []), shard.shardId]);
    }
    this.shards = shards.map((shard) => {
      const start = BigInt(shard.hashKeyRange.startingHashKey);
      const end = BigInt(shard.hashKeyRange.endingHashKey);
      return {
        shardId: shard.shardId,
        open: shard.endingSequenceNumber === undefined,
        parents: [...shard.parentShardIds],
        children: children.get(shard.shardId) ?? [],
        hashKeyRange: { ...shard.hashKeyRange },
        keySpace: { start: fractionOfKeySpace(start), share: fractionOfKeySpace(end - start + 1n) },
        tickers: TICKER_HASHES.filter(({ hash }) => hash >= start && hash <= end).map(({ ticker, at }) => ({
          ticker,
          at,
        })),
      };
    });
    this.knownShards = new Map(
      shards.map((shard) => [
        shard.shardId,
        { ...shard.hashKeyRange, closed: shard.endingSequenceNumber !== undefined },
      ]),
    );
    // Checked against a list read after they came: what still fails is not a shard's (the aggregator rejects it too).
    const waiting = this.pending;
    this.pending = [];
    for (const { sample, wallNow } of waiting) {
      if (!checkSample(sample, this.checks(wallNow))) this.addSample(sample, wallNow);
    }
  }

  /** A read of the consumers' lease table that began at `readStartedAt` and ended at `monotonicNow`. */
  observeLeases(leases: readonly Lease[], monotonicNow: number, wallNow: number, readStartedAt = monotonicNow): void {
    this.lastMonotonic = monotonicNow;
    this.events.push(...this.consumerLeases.observe(leases, monotonicNow, wallNow, readStartedAt));
    this.events.splice(0, Math.max(0, this.events.length - EVENTS_SHOWN));
    const seconds = Math.floor(wallNow / 1000);
    if (this.rateTimes.at(-1) === seconds) return;
    const leaseViews = this.consumerLeases.views(monotonicNow);
    this.history.observeLag(leaseViews, wallNow);
    const views = new Map(leaseViews.map((view) => [view.shardId, view]));
    this.rateTimes.push(seconds);
    const known = new Set([...this.rates.keys(), ...leases.map((lease) => lease.leaseKey)]);
    for (const shardId of known) {
      const series = this.rates.get(shardId) ?? Array<number | null>(this.rateTimes.length - 1).fill(null);
      // A point only for a lease held by a live holder: a dead worker's last rate is not drawn on as if current.
      const view = views.get(shardId);
      series.push(view?.recordsPerSecond ?? (view && !view.finished && view.owner ? 0 : null));
      this.rates.set(shardId, series);
    }
    while ((this.rateTimes[0] ?? seconds) < seconds - RATE_HISTORY_MS / 1000) {
      this.rateTimes.shift();
      for (const series of this.rates.values()) series.shift();
    }
  }

  observeAggregatorLeases(
    leases: readonly Lease[],
    monotonicNow: number,
    wallNow: number,
    readStartedAt = monotonicNow,
  ): void {
    this.aggregatorLeases.observe(leases, monotonicNow, wallNow, readStartedAt);
    this.rejectedSamples = rejectedOf(leases[0]?.applicationState);
  }

  observeSamples(samples: readonly WindowSample[], wallNow: number): void {
    for (const sample of samples) {
      const rejection = checkSample(sample, this.checks(wallNow));
      // A shard not in the list, or a final sample of one the list has open: perhaps a reshard the list predates.
      if (rejection?.reason === 'shard') {
        if (this.pending.length < PENDING_SAMPLES) this.pending.push({ sample, wallNow });
      } else if (!rejection) this.addSample(sample, wallNow);
    }
    while ((this.sampleArrivals[0] ?? wallNow) < wallNow - SAMPLE_RATE_SPAN_MS) this.sampleArrivals.shift();
    this.trimWindows();
  }

  /** What a sample is held to: what the aggregator would reject (forged counts, 1970) is not shown either. */
  private checks(wallNow: number): SampleChecks {
    return { oldestWindowMs: wallNow - OLDEST_WINDOW_MS, shards: this.knownShards };
  }

  private addSample(sample: WindowSample, wallNow: number): void {
    this.sampleArrivals.push(wallNow);
    const entry = this.window(sample.windowStart, sample.windowEnd);
    const identity = `${sample.shardId}|${sample.firstSequenceNumber}`;
    const previous = entry.samples.get(identity);
    if (!previous || reachesFurther(sample, previous)) entry.samples.set(identity, sample);
  }

  observeResults(results: readonly ResultView[], wallNow: number): void {
    const oldestShown = Math.min(...this.windows.keys());
    for (const result of results) {
      const start = Date.parse(result.windowStart);
      // Each window's result counts once, when first read: every scan returns them all again, and a later revision
      // of it (a late sample merged) is the same window's result, not one more (the table keeps only the latest).
      const key = result.windowStart;
      if (!this.resultsSeen.has(key)) {
        this.resultsSeen.add(key);
        if (this.primedResults) this.resultTimes.push(wallNow);
      }
      // A window trimmed from the page stays off it.
      if (this.windows.size >= WINDOWS_SHOWN && start < oldestShown) continue;
      const entry = this.window(start, Date.parse(result.windowEnd));
      if (!entry.result || entry.result.revision < result.revision) entry.result = result;
    }
    this.primedResults = true;
    while ((this.resultTimes[0] ?? wallNow) <= wallNow - 60_000) this.resultTimes.shift();
    this.trimWindows();
  }

  connected(): void {
    this.error = null;
  }

  disconnected(reason: string): void {
    this.error = reason;
  }

  view(wallNow: number, processes: readonly ProcessView[] = []): DashboardView {
    const leases = this.consumerLeases.views(this.lastMonotonic);
    const aggregator = this.aggregatorLeases.views(this.lastMonotonic)[0] ?? null;
    const throttling = this.throttling.view(this.shards.filter((shard) => shard.open).map((shard) => shard.shardId));
    return {
      rejectedSamples: this.rejectedSamples,
      status: { connected: this.error === null, error: this.error, at: new Date(wallNow).toISOString() },
      target: this.settings.target,
      stream: this.settings.stream,
      statsStream: this.settings.statsStream,
      actions: this.settings.actions,
      pauseSeconds: this.settings.actions ? (this.settings.pauseSeconds ?? null) : null,
      shards: this.shards,
      leases,
      workers: workersOf(leases),
      aggregator,
      rates: { times: [...this.rateTimes], perShard: Object.fromEntries(this.rates) },
      events: [...this.events].reverse(),
      windows: [...this.windows.values()]
        .sort((a, b) => b.start - a.start)
        .map(
          (entry): WindowView => ({
            windowStart: new Date(entry.start).toISOString(),
            windowEnd: new Date(entry.end).toISOString(),
            result: entry.result,
            samples: samplesOf(entry),
            acknowledged: null,
          }),
        ),
      flow: {
        tradesPerSecond: Math.round(leases.reduce((sum, lease) => sum + (lease.recordsPerSecond ?? 0), 0)),
        acceptedPerSecond: throttling ? Math.round(sumOf(throttling.shards, 'recordsInPerSecond')) : null,
        acceptedTradesPerSecond: throttling ? Math.round(sumOf(throttling.shards, 'tradesInPerSecond')) : null,
        refusedPerSecond: throttling ? Math.round(throttling.refusedPerSecond) : null,
        samplesPerSecond: Math.round((this.sampleArrivals.length / (SAMPLE_RATE_SPAN_MS / 1000)) * 10) / 10,
        resultsPerMinute: this.resultTimes.length,
      },
      processes,
      throttling,
      history: this.historyView(wallNow),
      narration: null,
      cost: this.cost.view(wallNow, this.settings.target === 'local'),
      readers: this.readers.view(wallNow),
    };
  }

  private historyView(wallNow: number): HistoryView {
    if (this.settings.target === 'local') return this.history.view(wallNow);
    if (typeof this.cloudWatch === 'object') return this.cloudWatch;
    const empty = this.history.view(wallNow);
    return {
      ...empty,
      source: 'CloudWatch',
      metrics: emptyMetrics(empty),
      note: this.cloudWatch ?? 'Reading CloudWatch…',
    };
  }

  private window(start: number, end: number): WindowEntry {
    let entry = this.windows.get(start);
    if (!entry) {
      entry = { start, end, result: null, samples: new Map() };
      this.windows.set(start, entry);
    }
    return entry;
  }

  private trimWindows(): void {
    const starts = [...this.windows.keys()].sort((a, b) => b - a);
    for (const start of starts.slice(WINDOWS_SHOWN)) this.windows.delete(start);
  }
}

function emptyMetrics(history: HistoryView): HistoryView['metrics'] {
  return Object.fromEntries(Object.keys(history.metrics).map((name) => [name, {}])) as HistoryView['metrics'];
}

function workersOf(leases: readonly LeaseView[]): WorkerView[] {
  const workers = new Map<string, WorkerView>();
  for (const lease of leases) {
    if (!lease.owner || lease.finished) continue;
    const worker = workers.get(lease.owner) ?? {
      workerId: lease.owner,
      leases: 0,
      renewing: false,
      expiresInMs: null,
      millisBehindLatest: 0,
      recordsPerSecond: 0,
    };
    const renewing = !lease.expired && lease.expiresInMs === null;
    const expiresInMs = lease.expired ? 0 : lease.expiresInMs;
    workers.set(lease.owner, {
      workerId: lease.owner,
      leases: worker.leases + 1,
      renewing: worker.renewing || renewing,
      expiresInMs:
        expiresInMs === null
          ? worker.expiresInMs
          : Math.min(worker.expiresInMs ?? Number.POSITIVE_INFINITY, expiresInMs),
      millisBehindLatest: Math.max(worker.millisBehindLatest, lease.millisBehindLatest ?? 0),
      recordsPerSecond: worker.recordsPerSecond + (lease.recordsPerSecond ?? 0),
    });
  }
  return [...workers.values()]
    .map((worker) => (worker.renewing ? { ...worker, expiresInMs: null } : worker))
    .sort((a, b) => (a.workerId < b.workerId ? -1 : 1));
}

function sumOf<T>(items: readonly T[], field: { [K in keyof T]: T[K] extends number ? K : never }[keyof T]): number {
  return items.reduce((sum, item) => sum + (item[field] as number), 0);
}

/** Per shard, the merge of its (deduplicated) samples for the window. */
function samplesOf(entry: WindowEntry): SampleView[] {
  const perShard = new Map<string, SampleView>();
  for (const sample of entry.samples.values()) {
    const before = perShard.get(sample.shardId);
    perShard.set(sample.shardId, {
      shardId: sample.shardId,
      trades: (before?.trades ?? 0) + sample.summary.trades,
      malformed: (before?.malformed ?? 0) + sample.summary.malformed,
      outOfRange: (before?.outOfRange ?? 0) + sample.summary.outOfRange,
      duplicates: (before?.duplicates ?? 0) + sample.summary.duplicates,
      late: (before?.late ?? false) || sample.late,
      final: (before?.final ?? false) || sample.final,
    });
  }
  return [...perShard.values()].sort((a, b) => (a.shardId < b.shardId ? -1 : 1));
}

/** The aggregator's rejected-sample counts, as it saves them with its checkpoint; none when unreadable. */
function rejectedOf(applicationState: string | undefined): Record<string, number> {
  try {
    const rejected = (JSON.parse(applicationState ?? '{}') as { rejected?: unknown }).rejected;
    if (typeof rejected !== 'object' || rejected === null) return {};
    return Object.fromEntries(
      Object.entries(rejected).filter(
        (entry): entry is [string, number] => Number.isSafeInteger(entry[1]) && (entry[1] as number) >= 0,
      ),
    );
  } catch {
    return {};
  }
}

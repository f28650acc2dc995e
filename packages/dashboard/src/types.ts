/** What the page shows, as one JSON object the server streams about once a second. */
export interface DashboardView {
  readonly status: { readonly connected: boolean; readonly error: string | null; readonly at: string };
  readonly target: 'local' | 'aws';
  readonly stream: string;
  readonly statsStream: string;
  /** Instructor actions are offered (embedded target only). */
  readonly actions: boolean;
  /** How long "Pause" holds a worker's processing (the lag lesson); null without instructor actions. */
  readonly pauseSeconds: number | null;
  readonly shards: readonly ShardView[];
  readonly leases: readonly LeaseView[];
  readonly workers: readonly WorkerView[];
  readonly aggregator: LeaseView | null;
  /**
   * Samples the aggregator rejected (never merged), per reason, as its lease records them; the page's own windows
   * table leaves out the same samples.
   */
  readonly rejectedSamples: Readonly<Record<string, number>>;
  readonly rates: RateSeries;
  readonly events: readonly LeaseEvent[];
  readonly windows: readonly WindowView[];
  readonly flow: FlowView;
  readonly processes: readonly ProcessView[];
  /** What the embedded stack's shards let through and refused; null on AWS (or a stack without our proxy). */
  readonly throttling: ThrottlingView | null;
  /** Per shard, the last 15 minutes of what the AWS console charts, under its names. */
  readonly history: HistoryView;
  /** The banner of the last instructor action: what happens next, then what did. */
  readonly narration: NarrationView | null;
  /** If this ran on AWS: Kinesis at list prices, since the page started watching; null until it knows the shards. */
  readonly cost: CostView | null;
  /** Who reads the trade stream: each application, its mode, rates and throttling; the registered consumers. */
  readonly readers: ReadersView;
}

/** The two-applications lesson: who reads the trade stream, and the stream's registered (fan-out) consumers. */
export interface ReadersView {
  /** Whether the stack counts reads per application (the embedded stack with its limits on; never on AWS). */
  readonly counted: boolean;
  /** GetRecords calls one shard takes a second, shared by every polling application; null when not enforced. */
  readonly readCallsPerSecond: number | null;
  readonly consumers: readonly StreamConsumerView[];
  /** Why the registered consumers could not be read, or null. */
  readonly consumersError: string | null;
  readonly applications: readonly ApplicationReadsView[];
}

export interface StreamConsumerView {
  readonly name: string;
  readonly status: string;
  /** ISO-8601. */
  readonly createdAt: string | null;
}

/** One application's reads of the trade stream, over the last seconds (rates) and since the stack started (totals). */
export interface ApplicationReadsView {
  /** Its app id (polling) or stream consumer name (fan-out). */
  readonly application: string;
  readonly mode: 'polling' | 'fan-out';
  /** Fan-out: its registered consumer's status (null if not listed); polling: null. */
  readonly consumerStatus: string | null;
  readonly recordsPerSecond: number;
  readonly bytesPerSecond: number;
  /** GetRecords calls answered, or SubscribeToShard events received, a second. */
  readonly readsPerSecond: number;
  /** Reads refused a second (polling: GetRecords throttled; fan-out: SubscribeToShard refused). */
  readonly throttledPerSecond: number;
  /** Of its read attempts in the last seconds, the share refused. */
  readonly throttledShare: number;
  readonly recordsTotal: number;
  readonly throttledTotal: number;
  readonly shards: ReadonlyArray<{
    readonly shardId: string;
    readonly recordsPerSecond: number;
    readonly bytesPerSecond: number;
    readonly readsPerSecond: number;
    readonly throttledPerSecond: number;
  }>;
}

export interface CostView {
  /** When the page started counting (ISO-8601). */
  readonly since: string;
  /** Open shards now, of the trade stream and the stats stream together. */
  readonly openShards: number;
  readonly shardHours: number;
  /** PUT payload units Kinesis accepted (null on AWS: the page does not count them there). */
  readonly putPayloadUnits: number | null;
  readonly shardHoursUsd: number;
  readonly putPayloadUnitsUsd: number | null;
  readonly totalUsd: number;
  /** At the present shard count and write rate. */
  readonly perHourUsd: number;
  readonly prices: {
    readonly region: string;
    readonly asOf: string;
    readonly source: string;
    readonly shardHourUsd: number;
    readonly perMillionPutPayloadUnitsUsd: number;
  };
}

export interface NarrationView {
  readonly action: string;
  /** waiting: for what it announced; done: seen (shown a few seconds); timed-out: not seen within 3 minutes. */
  readonly state: 'waiting' | 'done' | 'timed-out';
  /** What happens next, with times in UTC. */
  readonly text: string;
  /** What did happen (done), or what to look at (timed-out); null while waiting. */
  readonly outcome: string | null;
  readonly startedAt: string;
  readonly doneAt: string | null;
}

/** The metrics the AWS console charts for a stream, per shard ("enhanced shard-level monitoring"), by their names. */
export const HISTORY_METRICS = [
  { name: 'IncomingRecords', statistic: 'Sum' },
  { name: 'IncomingBytes', statistic: 'Sum' },
  { name: 'WriteProvisionedThroughputExceeded', statistic: 'Sum' },
  { name: 'ReadProvisionedThroughputExceeded', statistic: 'Sum' },
  { name: 'IteratorAgeMilliseconds', statistic: 'Maximum' },
] as const;
export type HistoryMetricName = (typeof HISTORY_METRICS)[number]['name'];

/**
 * CloudWatch-style history: one point per period (10 s on the embedded stack, CloudWatch's 1 min on AWS), per
 * shard, per metric: the Sum over the period (IteratorAgeMilliseconds: its Maximum), null where nothing was measured.
 */
export interface HistoryView {
  /** Where the numbers come from: the embedded stack's own counters, or CloudWatch (GetMetricData on AWS/Kinesis). */
  readonly source: 'embedded stack' | 'CloudWatch';
  readonly periodSeconds: number;
  /** Each period's start, in seconds since the epoch (UTC). */
  readonly times: readonly number[];
  readonly metrics: Readonly<Record<HistoryMetricName, Readonly<Record<string, ReadonlyArray<number | null>>>>>;
  /** Why something is missing (CloudWatch not readable, shard-level metrics off), or null. */
  readonly note: string | null;
}

/** The shard-limit lesson: per shard, writes against its allowance and what Kinesis refused, over the last seconds. */
export interface ThrottlingView {
  /** False under `pnpm stack --no-shard-limits`: nothing is refused, nothing is counted. */
  readonly shardLimits: boolean;
  /** One shard's write allowance (after --limit-scale). */
  readonly writeRecordsPerSecond: number;
  readonly writeBytesPerSecond: number;
  /** GetRecords calls one shard takes a second (after --limit-scale); absent from an older stack. */
  readonly readCallsPerSecond?: number;
  readonly shards: readonly ShardThrottlingView[];
  /** Over all shards of the stream, per second. */
  readonly refusedPerSecond: number;
  readonly readsThrottledPerSecond: number;
  /** Since the stack started. */
  readonly refusedTotal: number;
  readonly readsThrottledTotal: number;
}

export interface ShardThrottlingView {
  readonly shardId: string;
  readonly recordsInPerSecond: number;
  /** The trades in them (a KPL aggregate holds many). */
  readonly tradesInPerSecond: number;
  readonly bytesInPerSecond: number;
  /** The larger of records/s and bytes/s as a share of the shard's allowance (1 = at the limit). */
  readonly writeShare: number;
  readonly refusedPerSecond: number;
  readonly readsThrottledPerSecond: number;
}

export interface ShardView {
  readonly shardId: string;
  readonly open: boolean;
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** Its hash-key range, as ListShards gives it (decimal strings of the 128-bit MD5 key space). */
  readonly hashKeyRange: { readonly startingHashKey: string; readonly endingHashKey: string };
  /** Where the range starts and how much of the key space it holds, as fractions (0-1), for drawing it. */
  readonly keySpace: { readonly start: number; readonly share: number };
  /**
   * The tutorial's tickers whose MD5 lands in the range (where their trades go under `--partition-key ticker`), in
   * key order, each with where it lands (a fraction of the key space).
   */
  readonly tickers: ReadonlyArray<{ readonly ticker: string; readonly at: number }>;
}

export interface LeaseView {
  readonly shardId: string;
  readonly owner: string | null;
  readonly counter: number;
  readonly checkpoint: string;
  /** How long ago the dashboard saw the checkpoint move (null: not since it started). */
  readonly checkpointAgeMs: number | null;
  /** How long ago the dashboard saw the counter move: a live holder renews every failover/3. */
  readonly counterAgeMs: number;
  readonly expired: boolean;
  /**
   * For a held lease whose counter has stood still past half the failover time (its holder
   * may be dead): how long until it expires; null otherwise.
   */
  readonly expiresInMs: number | null;
  readonly finished: boolean;
  /** The holder's lag and read rate: null unless the lease is held, renewed, and its shard open (no stale numbers). */
  readonly millisBehindLatest: number | null;
  readonly recordsPerSecond: number | null;
  /** How many times in a row its holder's processor has thrown on the batch in hand (kcl retries it in place). */
  readonly processingFailures: number;
}

export interface WorkerView {
  readonly workerId: string;
  readonly leases: number;
  /** False when none of its leases was renewed within half the failover time: it has stopped or died. */
  readonly renewing: boolean;
  /** While not renewing: how long until its first lease expires (0 once expired). */
  readonly expiresInMs: number | null;
  readonly millisBehindLatest: number;
  readonly recordsPerSecond: number;
}

export const LeaseEventKind = {
  TOOK: 'took',
  STOLE: 'stole',
  RELEASED: 'released',
  EXPIRED: 'expired',
  FINISHED: 'finished',
} as const;
export type LeaseEventKind = (typeof LeaseEventKind)[keyof typeof LeaseEventKind];

export interface LeaseEvent {
  /** Wall-clock time the dashboard saw it (ISO-8601). */
  readonly at: string;
  readonly kind: LeaseEventKind;
  readonly shardId: string;
  /** Who has it now (took, stole), or who had it (released, expired, finished). */
  readonly worker: string | null;
  /** Who had it before (took after expiry, stole: the worker that lost it). */
  readonly from: string | null;
}

/** Per-shard read rate over the last minutes, as uPlot wants it: x in seconds, one series per shard. */
export interface RateSeries {
  readonly times: readonly number[];
  readonly perShard: Readonly<Record<string, ReadonlyArray<number | null>>>;
}

export interface SampleView {
  readonly shardId: string;
  readonly trades: number;
  readonly malformed: number;
  readonly outOfRange: number;
  readonly duplicates: number;
  readonly late: boolean;
  readonly final: boolean;
}

/** One line of the aggregator's results (the JSONL contract). */
export interface ResultView {
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly complete: boolean;
  readonly revision: number;
  readonly shards: readonly string[];
  readonly missingShards: readonly string[];
  readonly trades: number;
  readonly malformed: number;
  readonly outOfRange?: number;
  readonly duplicates?: number;
  readonly mostPopularBuy: { readonly ticker: string; readonly count: number } | null;
  readonly mostPopularSell: { readonly ticker: string; readonly count: number } | null;
  readonly largestSell: { readonly ticker: string; readonly quantity: number; readonly tradeId: number } | null;
}

export interface WindowView {
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly result: ResultView | null;
  readonly samples: readonly SampleView[];
  /**
   * What the producers' trade logs say Kinesis acknowledged with event times in the window (and how many answers
   * were lost): beside the count, nothing lost or doubled shows. Null without a trade log.
   */
  readonly acknowledged: { readonly acknowledged: number; readonly unknown: number } | null;
}

export interface FlowView {
  /** Trades read per second, all shards (what the live holders publish on their leases). */
  readonly tradesPerSecond: number;
  /**
   * Records Kinesis accepted per second, all shards, and the trades in them, from the
   * embedded stack's own count (its shard limits must be on); null on AWS or without it.
   */
  readonly acceptedPerSecond: number | null;
  readonly acceptedTradesPerSecond: number | null;
  /** Records Kinesis refused (throttled) per second; null when not known. */
  readonly refusedPerSecond: number | null;
  /** Samples on the stats stream per second, over the last half minute. */
  readonly samplesPerSecond: number;
  /** Windows the aggregator wrote a first result for in the last minute (revisions of one are not more results). */
  readonly resultsPerMinute: number;
}

export interface ProcessView {
  readonly name: string;
  readonly role: 'producer' | 'worker' | 'aggregator';
  readonly running: boolean;
  readonly detail: string;
}

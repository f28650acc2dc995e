import { InvalidConfigError } from './errors.js';
import type { InitialPosition } from './InitialPosition.js';
import type { ProcessingErrorPolicy } from './ProcessingErrors.js';

/** How a worker reads its shards (see SchedulerConfig.retrieval). */
export type Retrieval = { readonly mode: 'polling' } | { readonly mode: 'fan-out'; readonly consumerName?: string };

/** Timings and limits of a worker; the defaults are the Java KCL's where it has one. */
export interface SchedulerConfig {
  /** Names the lease table. */
  readonly applicationName: string;
  readonly streamName: string;
  /** Unique per worker process. */
  readonly workerId: string;
  /** For shards without a lease yet. Default TRIM_HORIZON. */
  readonly initialPosition: InitialPosition;
  /** A lease whose counter has not moved for this long is expired. KCL default 10 s. */
  readonly failoverMs: number;
  /** How often held leases are renewed. KCL default failover / 3. */
  readonly renewIntervalMs: number;
  /** How often leases are balanced (stealing allowed). KCL default 2 × (failover + 25 ms). */
  readonly takeIntervalMs: number;
  /**
   * How often the lease table is scanned for unowned and expired leases between balancing
   * rounds (beyond KCL: released leases are taken within this time, not a take interval).
   */
  readonly leasePollIntervalMs: number;
  readonly shardSyncIntervalMs: number;
  readonly maxLeasesForWorker: number;
  readonly maxLeasesToStealAtOneTime: number;
  /**
   * How records are read: `polling` (GetRecords; the default, shared by every application on the stream: 5 reads and
   * 2 MiB a second per shard) or `fan-out` (enhanced fan-out: SubscribeToShard through a registered stream consumer,
   * named after the application unless `consumerName` says otherwise, with its own 2 MiB a second per shard, pushed as
   * records arrive; billed per consumer-shard-hour on AWS).
   */
  readonly retrieval: Retrieval;
  /** Records per GetRecords (Kinesis allows up to 10 000). */
  readonly maxRecords: number;
  readonly pollMinMs: number;
  readonly pollMaxMs: number;
  readonly parentPollMs: number;
  /** A shard reader with no completed read for this long is unhealthy: its lease is not renewed. Default the failover time. */
  readonly readerStallMs: number;
  /**
   * How long a graceful shutdown waits for the processors to finish (their last call and
   * shutdownRequested), as the Java KCL's graceful shutdown can be bounded. A processor
   * still busy then is left to itself: its lease is given back with its last checkpoint,
   * and `run` resolves naming its shard. Default 20 s.
   */
  readonly shutdownTimeoutMs: number;
  /**
   * When the processor throws (initialize, processRecords, shardEnded): `'retry'` in place (default), `'skip'` the
   * batch after `processingAttempts` attempts as the Java KCL does, or a hook deciding each time (see
   * ProcessingErrorPolicy). The lease stays renewed while a call is retried.
   */
  readonly onProcessingError: ProcessingErrorPolicy;
  /** With `'skip'`: attempts a batch gets before it is skipped. Default 3. */
  readonly processingAttempts: number;
  /** Backoff between attempts: a random half to all of firstMs × 2^(attempt − 1), at most maxMs. Default 250 ms, 30 s. */
  readonly processingBackoffMs: { readonly firstMs: number; readonly maxMs: number };
}

/** What `schedulerConfig` and `createWorker` take: the three names, and any of the other settings (defaults otherwise). */
export type SchedulerSettings = Pick<SchedulerConfig, 'applicationName' | 'streamName' | 'workerId'> &
  Partial<Omit<SchedulerConfig, 'applicationName' | 'streamName' | 'workerId'>>;

const EPSILON_MS = 25;

/**
 * Fills in the defaults; timings derived from the failover time follow it when it is changed.
 * Throws InvalidConfigError (`INVALID_CONFIG`) for a setting that cannot work.
 *
 * @example
 * const config = schedulerConfig({ applicationName: 'App', streamName: 'clicks', workerId: 'w-1', failoverMs: 3000 });
 * config.renewIntervalMs; // 1000: a third of the failover time, as the Java KCL derives it
 */
export function schedulerConfig(settings: SchedulerSettings): SchedulerConfig {
  const failoverMs = settings.failoverMs ?? 10_000;
  const config: SchedulerConfig = {
    initialPosition: { type: 'TRIM_HORIZON' },
    renewIntervalMs: Math.floor(failoverMs / 3),
    takeIntervalMs: 2 * (failoverMs + EPSILON_MS),
    leasePollIntervalMs: Math.min(1000, Math.floor(failoverMs / 3)),
    shardSyncIntervalMs: 60_000,
    maxLeasesForWorker: Number.POSITIVE_INFINITY,
    maxLeasesToStealAtOneTime: 1,
    retrieval: { mode: 'polling' },
    maxRecords: 10_000,
    pollMinMs: 200,
    pollMaxMs: 1000,
    parentPollMs: 1000,
    readerStallMs: failoverMs,
    shutdownTimeoutMs: 20_000,
    onProcessingError: 'retry',
    processingAttempts: 3,
    processingBackoffMs: { firstMs: 250, maxMs: 30_000 },
    ...definedOnly(settings),
    applicationName: settings.applicationName,
    streamName: settings.streamName,
    workerId: settings.workerId,
    failoverMs,
  };
  if (config.renewIntervalMs >= config.failoverMs) {
    throw new InvalidConfigError(
      `renew interval (${config.renewIntervalMs} ms) must be shorter than the failover time (${config.failoverMs} ms)`,
    );
  }
  if (config.retrieval.mode !== 'polling' && config.retrieval.mode !== 'fan-out') {
    throw new InvalidConfigError(
      `retrieval mode ${String((config.retrieval as { mode: unknown }).mode)} is not polling or fan-out`,
    );
  }
  if (config.pollMinMs < 200)
    throw new InvalidConfigError('pollMinMs below 200 ms exceeds Kinesis’ 5 reads per shard per second');
  return config;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

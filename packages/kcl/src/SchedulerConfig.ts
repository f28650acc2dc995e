import type { WorkerOptions } from './createWorker.js';
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
  checkSettings(settings);
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
  if (config.pollMaxMs < config.pollMinMs) {
    throw new InvalidConfigError(`pollMaxMs (${config.pollMaxMs} ms) is below pollMinMs (${config.pollMinMs} ms)`);
  }
  return config;
}

/**
 * Every setting schedulerConfig knows, and the options createWorker takes beside them (for "did you mean"); a name
 * that is not one of theirs does not compile, and the round-trip test catches one left out.
 */
const SETTINGS = [
  'applicationName',
  'streamName',
  'workerId',
  'initialPosition',
  'failoverMs',
  'renewIntervalMs',
  'takeIntervalMs',
  'leasePollIntervalMs',
  'shardSyncIntervalMs',
  'maxLeasesForWorker',
  'maxLeasesToStealAtOneTime',
  'retrieval',
  'maxRecords',
  'pollMinMs',
  'pollMaxMs',
  'parentPollMs',
  'readerStallMs',
  'shutdownTimeoutMs',
  'onProcessingError',
  'processingAttempts',
  'processingBackoffMs',
] as const satisfies readonly (keyof SchedulerConfig)[];
const WORKER_OPTIONS = [
  'processorFactory',
  'kinesisClient',
  'kinesisConfig',
  'dynamodbClient',
  'dynamodbConfig',
  'log',
  'metrics',
] as const satisfies readonly (keyof WorkerOptions)[];
const MILLISECONDS = [
  'failoverMs',
  'renewIntervalMs',
  'takeIntervalMs',
  'leasePollIntervalMs',
  'shardSyncIntervalMs',
  'pollMinMs',
  'pollMaxMs',
  'parentPollMs',
  'readerStallMs',
  'shutdownTimeoutMs',
] as const satisfies readonly (keyof SchedulerConfig)[];

/**
 * Refuses every name given (with a value) that is not one of `known`, all in one INVALID_CONFIG error, each with the
 * known name it most likely meant: a typo would otherwise be ignored and its default used. For createWorker, which
 * checks its own options and the settings together before anything else.
 */
export function checkNames(given: object, known: readonly string[] = [...SETTINGS, ...WORKER_OPTIONS]): void {
  const unknown = Object.entries(given)
    .filter(([name, value]) => value !== undefined && !known.includes(name))
    .map(([name]) => {
      const like = closest(name, [...SETTINGS, ...WORKER_OPTIONS]);
      return `${name}${like ? ` (did you mean ${like}?)` : ''}`;
    });
  if (unknown.length > 0) {
    throw new InvalidConfigError(`unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  }
}

/**
 * Refuses, with one INVALID_CONFIG error naming it, a setting that would fail later and elsewhere: an unknown name (a
 * typo would be ignored and its default used), a missing name, a value of the wrong kind.
 */
function checkSettings(settings: SchedulerSettings): void {
  if (typeof settings !== 'object' || settings === null) throw new InvalidConfigError('settings must be an object');
  const given = settings as Record<string, unknown>;
  checkNames(given, SETTINGS);
  const why = {
    applicationName: 'it names the lease table',
    streamName: 'the stream to read',
    workerId: 'unique per worker process',
  };
  for (const name of ['applicationName', 'streamName', 'workerId'] as const) {
    if (typeof given[name] !== 'string' || given[name] === '') {
      throw new InvalidConfigError(`${name} must be a non-empty string (${why[name]})`);
    }
  }
  for (const name of MILLISECONDS) {
    const value = given[name];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
      throw new InvalidConfigError(`${name} must be a number of milliseconds above 0, not ${show(value)}`);
    }
  }
  wholeNumber(given, 'maxRecords', 1, 10_000);
  wholeNumber(given, 'maxLeasesToStealAtOneTime', 0, Number.MAX_SAFE_INTEGER);
  wholeNumber(given, 'processingAttempts', 1, Number.MAX_SAFE_INTEGER);
  const maxLeases = given.maxLeasesForWorker;
  if (maxLeases !== undefined && !(typeof maxLeases === 'number' && maxLeases >= 1)) {
    throw new InvalidConfigError(`maxLeasesForWorker must be at least 1 (Infinity: no limit), not ${show(maxLeases)}`);
  }
  const position = given.initialPosition as { type?: unknown; timestamp?: unknown } | undefined;
  if (position !== undefined) {
    const known =
      typeof position === 'object' && position !== null && ['TRIM_HORIZON', 'LATEST'].includes(String(position.type));
    const atTimestamp =
      typeof position === 'object' &&
      position !== null &&
      position.type === 'AT_TIMESTAMP' &&
      position.timestamp instanceof Date &&
      !Number.isNaN(position.timestamp.getTime());
    if (!known && !atTimestamp) {
      throw new InvalidConfigError(
        `initialPosition must be { type: 'TRIM_HORIZON' }, { type: 'LATEST' } or { type: 'AT_TIMESTAMP', timestamp: <a Date> }, not ${show(position)}`,
      );
    }
  }
  const retrieval = given.retrieval as { mode?: unknown; consumerName?: unknown } | undefined;
  if (retrieval !== undefined) {
    if (typeof retrieval !== 'object' || retrieval === null) {
      throw new InvalidConfigError(
        `retrieval must be { mode: 'polling' } or { mode: 'fan-out', consumerName?: string }, not ${show(retrieval)}`,
      );
    }
    if (
      retrieval.consumerName !== undefined &&
      (typeof retrieval.consumerName !== 'string' || retrieval.consumerName === '')
    ) {
      throw new InvalidConfigError(
        `retrieval.consumerName must be a non-empty string, not ${show(retrieval.consumerName)}`,
      );
    }
    if (retrieval.consumerName !== undefined && retrieval.mode !== 'fan-out') {
      throw new InvalidConfigError("retrieval.consumerName names a fan-out consumer: give it with mode 'fan-out'");
    }
  }
  const policy = given.onProcessingError;
  if (policy !== undefined && policy !== 'retry' && policy !== 'skip' && typeof policy !== 'function') {
    throw new InvalidConfigError(
      `onProcessingError must be 'retry', 'skip' or a function answering 'retry' | 'skip' | 'stop', not ${show(policy)}`,
    );
  }
  const backoff = given.processingBackoffMs as { firstMs?: unknown; maxMs?: unknown } | undefined;
  if (backoff !== undefined) {
    const { firstMs, maxMs } = typeof backoff === 'object' && backoff !== null ? backoff : { firstMs: NaN, maxMs: NaN };
    if (!(typeof firstMs === 'number' && firstMs > 0 && typeof maxMs === 'number' && maxMs >= firstMs)) {
      throw new InvalidConfigError(
        `processingBackoffMs must be { firstMs > 0, maxMs ≥ firstMs }, not ${show(backoff)}`,
      );
    }
  }
}

function wholeNumber(given: Record<string, unknown>, name: string, least: number, most: number): void {
  const value = given[name];
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= least && (value as number) <= most)) {
    throw new InvalidConfigError(
      `${name} must be a whole number from ${least}${most < Number.MAX_SAFE_INTEGER ? ` to ${most}` : ' up'}, not ${show(value)}`,
    );
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number') return String(value); // NaN and Infinity as themselves (JSON says null)
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The known name a mistyped one most likely meant: the same but for case, or at most two letters apart. */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const same = known.find((candidate) => candidate.toLowerCase() === lower);
  if (same) return same;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

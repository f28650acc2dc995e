import { type Clock, systemClock } from './Clock.js';
import { chooseLeasesToTake } from './chooseLeasesToTake.js';
import { Sentinel } from './ExtendedSequenceNumber.js';
import { LeaseLostError, ThrottledError, TransientError } from './errors.js';
import { type Lease, type LeaseMetrics, type ShardInfo, TransitionKind } from './Lease.js';
import { LeaseExpiryTracker } from './LeaseExpiryTracker.js';
import { describe, LeaseRenewer } from './LeaseRenewer.js';
import type { LeaseStore } from './LeaseStore.js';
import { type Logger, silentLogger } from './Logger.js';
import { type MetricDatum, type Metrics, recordSafely } from './Metrics.js';
import type { ShardRecordProcessorFactory } from './RecordProcessor.js';
import type { SchedulerConfig } from './SchedulerConfig.js';
import { ShardConsumer, type ShardConsumerOutcome } from './ShardConsumer.js';
import { ShardSyncer } from './ShardSyncer.js';
import type { StreamPort } from './StreamPort.js';

/** What a Scheduler works with: the stream, the lease table and the processors; the rest is injectable for tests. */
export interface SchedulerDeps {
  readonly stream: StreamPort;
  readonly store: LeaseStore;
  readonly processorFactory: ShardRecordProcessorFactory;
  readonly clock?: Clock;
  readonly log?: Logger;
  /** Randomness for the choice of a lease to steal and for backoff jitter; Math.random by default. */
  readonly random?: () => number;
  /** Where the worker's metrics go (emfMetrics, openTelemetryMetrics, your own); none by default. */
  readonly metrics?: Metrics;
}

/** How a worker's run ended. */
export interface RunOutcome {
  /** Shards whose processors had not finished when the shutdown timeout ran out (their leases were given back). */
  readonly unfinishedShards: readonly string[];
}

/** How long a start-up step is retried through transient faults before the worker gives up. */
const STARTUP_FAULT_MS = 60_000;

/** What a worker is reading now, by shard (`Scheduler.status()`). */
export interface WorkerStatus {
  readonly workerId: string;
  readonly shards: ReadonlyArray<{
    readonly shardId: string;
    readonly millisBehindLatest: number;
    /** How many times in a row its processor's call in hand has thrown: above 0, the shard is stuck on it. */
    readonly processingFailures: number;
  }>;
}

/**
 * A worker: keeps the lease table in step with the shards, takes and balances leases,
 * renews them while their readers are healthy, and runs one ShardConsumer per lease.
 * `run` resolves after a graceful shutdown: consumers stopped, processors checkpointed,
 * leases released so other workers take them at once. `createWorker` makes one; build it
 * yourself for a stream or lease table of your own (any StreamPort, any LeaseStore).
 *
 * @example
 * import { DynamoLeaseStore, KinesisStreamPort, Scheduler, schedulerConfig } from '@stock-trades/kcl';
 *
 * const config = schedulerConfig({ applicationName: 'click-counter', streamName: 'clicks', workerId: 'counter-1' });
 * const worker = new Scheduler(config, {
 *   stream: new KinesisStreamPort({ streamName: 'clicks' }),
 *   store: new DynamoLeaseStore({ tableName: 'click-counter' }),
 *   processorFactory,
 * });
 * const { unfinishedShards } = await worker.run(stop.signal);
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly renewer: LeaseRenewer;
  private readonly tracker: LeaseExpiryTracker;
  private readonly syncer: ShardSyncer;
  private readonly consumers = new Map<string, { consumer: ShardConsumer; done: Promise<void> }>();
  private readonly stopping = new AbortController();
  private renewing = new AbortController();
  private wake = new AbortController();
  private lastBalanceAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly config: SchedulerConfig,
    private readonly deps: SchedulerDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? silentLogger;
    this.random = deps.random ?? Math.random;
    this.tracker = new LeaseExpiryTracker(config.failoverMs);
    this.syncer = new ShardSyncer(deps.stream, deps.store, config.initialPosition, this.log);
    this.renewer = new LeaseRenewer({
      store: deps.store,
      clock: this.clock,
      log: this.log,
      failoverMs: config.failoverMs,
      onLeaseLost: (leaseKey, reason) => {
        this.log.warn({ leaseKey, reason }, 'lost lease');
        this.measure({ name: 'LostLeases', value: 1, unit: 'Count', operation: 'RenewAllLeases', shardId: leaseKey });
        this.consumers.get(leaseKey)?.consumer.stop('lease-lost');
      },
    });
  }

  get workerId(): string {
    return this.config.workerId;
  }

  /** The shards this worker reads now, each with its lag and how many times in a row its processor has thrown. */
  status(): WorkerStatus {
    return {
      workerId: this.config.workerId,
      shards: [...this.consumers.values()].map(({ consumer }) => ({
        shardId: consumer.shardId,
        millisBehindLatest: consumer.millisBehindLatest,
        processingFailures: consumer.processingFailures,
      })),
    };
  }

  /**
   * Runs until `signal` fires (or shutdown() is called), then stops gracefully: within the
   * shutdown timeout, however long a processor takes.
   */
  async run(signal?: AbortSignal): Promise<RunOutcome> {
    if (signal?.aborted) this.shutdown();
    signal?.addEventListener('abort', () => this.shutdown(), { once: true });
    // The stream first: a worker pointed at a stream that does not exist fails before it creates a lease table for it.
    const shards = await this.whileThrottled('list the shards', () => this.deps.stream.listShards());
    await this.whileThrottled('create the lease table', () => this.deps.store.ensureTable());
    await this.whileThrottled('sync the leases with the shards', () => this.syncer.sync(shards));
    this.log.info(
      { workerId: this.workerId, stream: this.config.streamName, table: this.config.applicationName },
      'worker started',
    );
    const renewLoop = this.renewLoop();
    await Promise.all([this.takeLoop(), this.syncLoop()]);
    const unfinishedShards = await this.drain();
    this.renewing.abort();
    await renewLoop;
    this.deps.stream.dispose?.();
    await Promise.resolve(this.deps.metrics?.flush?.()).catch((error: unknown) =>
      this.log.warn({ error: describe(error) }, 'metrics flush failed'),
    );
    this.log.info({ workerId: this.workerId }, 'worker stopped');
    return { unfinishedShards };
  }

  /**
   * Runs a start-up step again, with backoff, for as long as it fails with throttling or a
   * transient fault (a timeout, a dropped connection, a 5xx) — not when it fails otherwise.
   */
  private async whileThrottled<T>(what: string, step: () => Promise<T>): Promise<T> {
    const startedAt = this.clock.monotonicNow();
    for (let waitMs = 100; ; waitMs = Math.min(5000, waitMs * 2)) {
      try {
        return await step();
      } catch (error) {
        // Throttling is waited out however long it lasts; a fault (nothing answers, say) for a minute at most.
        const faultTooLong =
          error instanceof TransientError && this.clock.monotonicNow() - startedAt + waitMs > STARTUP_FAULT_MS;
        const retryable = error instanceof ThrottledError || (error instanceof TransientError && !faultTooLong);
        if (!retryable || this.stopping.signal.aborted) throw error;
        const how = error instanceof ThrottledError ? 'throttled' : 'a transient fault';
        this.log.warn({ error: describe(error), waitMs }, `${how} trying to ${what}; backing off`);
        await this.clock.sleep(waitMs, this.stopping.signal);
      }
    }
  }

  private measure(datum: MetricDatum): void {
    if (this.deps.metrics) recordSafely(this.deps.metrics, datum);
  }

  /** Starts a graceful stop, as the signal given to `run` does; `run` resolves when it is done. */
  shutdown(): void {
    if (this.stopping.signal.aborted) return;
    this.log.info({ workerId: this.workerId }, 'shutting down: stopping consumers, then releasing leases');
    this.stopping.abort();
  }

  private async renewLoop(): Promise<void> {
    // Per consumer (a lease taken again has a new one): what it had delivered at the last renewal.
    const lastCounts = new WeakMap<ShardConsumer, { delivered: number; at: number }>();
    const metricsOf = (leaseKey: string): LeaseMetrics | undefined => {
      const consumer = this.consumers.get(leaseKey)?.consumer;
      if (!consumer) return undefined;
      const now = this.clock.monotonicNow();
      const last = lastCounts.get(consumer);
      lastCounts.set(consumer, { delivered: consumer.recordsDelivered, at: now });
      const seconds = last ? (now - last.at) / 1000 : 0;
      const recordsPerSecond = last && seconds > 0 ? (consumer.recordsDelivered - last.delivered) / seconds : 0;
      return {
        millisBehindLatest: consumer.millisBehindLatest,
        recordsPerSecond: Math.max(0, recordsPerSecond),
        processingFailures: consumer.processingFailures,
      };
    };
    while (!this.renewing.signal.aborted) {
      await this.renewer.renewAll(
        (leaseKey) => this.consumers.get(leaseKey)?.consumer.isHealthy(this.config.readerStallMs) ?? true,
        metricsOf,
      );
      const held = this.renewer.keys().length;
      this.measure({ name: 'CurrentLeases', value: held, unit: 'Count', operation: 'RenewAllLeases' });
      await this.clock.sleep(this.config.renewIntervalMs, this.renewing.signal);
    }
  }

  private async takeLoop(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.takeRound();
      } catch (error) {
        this.log.warn({ error: describe(error) }, 'lease taking failed; will retry');
      }
      this.wake = new AbortController();
      const wakeOrStop = AbortSignal.any([this.wake.signal, this.stopping.signal]);
      await this.clock.sleep(this.config.leasePollIntervalMs, wakeOrStop);
    }
  }

  private async syncLoop(): Promise<void> {
    for (;;) {
      await this.clock.sleep(this.config.shardSyncIntervalMs, this.stopping.signal);
      if (this.stopping.signal.aborted) return;
      await this.syncer
        .sync()
        .catch((error: unknown) => this.log.warn({ error: describe(error) }, 'shard sync failed'));
    }
  }

  private async takeRound(): Promise<void> {
    const leases = await this.deps.store.listLeases();
    // A counter value is dated from when the scan came back: it may have been written any time before that, and
    // dating it earlier would judge a lease expired before its holder's failover time is up.
    const now = this.clock.monotonicNow();
    const observed = this.tracker.observe(leases, now);
    const allowSteal = now - this.lastBalanceAt >= this.config.takeIntervalMs;
    if (allowSteal) this.lastBalanceAt = now;
    const decision = chooseLeasesToTake(
      observed,
      this.workerId,
      {
        maxLeasesForWorker: this.config.maxLeasesForWorker,
        maxLeasesToStealAtOneTime: this.config.maxLeasesToStealAtOneTime,
        allowSteal,
      },
      this.random,
    );
    for (const lease of decision.take) await this.take(lease, false);
    for (const lease of decision.steal) await this.take(lease, true);
  }

  private async take(lease: Lease, steal: boolean): Promise<void> {
    // A lease we hold whose renewals are late looks expired; it is still ours. And while a consumer of an earlier
    // holding is still winding down (stuck in a read, say), the shard is not taken again: two would process it.
    if (this.stopping.signal.aborted || this.renewer.has(lease.leaseKey) || this.consumers.has(lease.leaseKey)) return;
    try {
      const sentAt = this.clock.monotonicNow();
      const how = steal
        ? TransitionKind.STOLE
        : lease.leaseOwner === undefined
          ? TransitionKind.TOOK
          : TransitionKind.TOOK_EXPIRED;
      const taken = await this.deps.store.takeLease(lease, this.workerId, how);
      const generation = this.renewer.add(taken, sentAt);
      const fields = {
        leaseKey: lease.leaseKey,
        from: lease.leaseOwner ?? null,
        checkpoint: lease.checkpoint.sequenceNumber,
      };
      this.log.info(fields, steal ? 'stole lease' : 'took lease');
      const shardId = lease.leaseKey;
      this.measure({ name: 'TakenLeases', value: 1, unit: 'Count', operation: 'TakeLeases', shardId });
      if (steal) this.measure({ name: 'StolenLeases', value: 1, unit: 'Count', operation: 'TakeLeases', shardId });
      this.startConsumer(taken, generation);
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.log.debug({ leaseKey: lease.leaseKey }, 'another worker took the lease first');
        return;
      }
      throw error;
    }
  }

  private startConsumer(lease: Lease, generation: number): void {
    // A finished shard's lease is given back; one that cannot be is not renewed either, so it expires.
    const letGo = () =>
      void this.renewer.release(lease.leaseKey).catch(() => this.renewer.forget(lease.leaseKey, generation));
    if (lease.checkpoint.sequenceNumber === Sentinel.SHARD_END) {
      letGo();
      return;
    }
    let processor: ReturnType<ShardRecordProcessorFactory>;
    try {
      processor = this.deps.processorFactory(lease.leaseKey);
    } catch (error) {
      this.log.error(
        { leaseKey: lease.leaseKey, error: describe(error) },
        'processor factory failed; letting the lease go',
      );
      letGo();
      return;
    }
    const consumer = new ShardConsumer(lease, {
      stream: this.deps.stream,
      store: this.deps.store,
      renewer: this.renewer,
      processor,
      clock: this.clock,
      log: this.log,
      config: {
        maxRecords: this.config.maxRecords,
        // Fan-out reads wait for the next event themselves: no pause between them.
        poll:
          this.config.retrieval.mode === 'fan-out'
            ? { minMs: 0, maxMs: 0 }
            : { minMs: this.config.pollMinMs, maxMs: this.config.pollMaxMs },
        parentPollMs: this.config.parentPollMs,
        initialTimestamp:
          this.config.initialPosition.type === 'AT_TIMESTAMP' ? this.config.initialPosition.timestamp : undefined,
        processingErrors: {
          policy: this.config.onProcessingError,
          attempts: this.config.processingAttempts,
          backoff: this.config.processingBackoffMs,
        },
      },
      onShardEnd: (shardId, children) => this.onShardEnd(shardId, children),
      generation,
      random: this.random,
      metrics: this.deps.metrics,
    });
    const done = consumer.run().then((outcome) => this.onConsumerDone(lease.leaseKey, outcome, generation));
    this.consumers.set(lease.leaseKey, { consumer, done });
  }

  private async onShardEnd(shardId: string, children: ShardInfo[]): Promise<void> {
    if (children.length > 0) {
      await this.whileThrottled('create the child shards’ leases', () => this.syncer.createChildLeases(children));
      await this.renewer.update(shardId, (lease) =>
        this.deps.store.setChildShards(
          lease,
          children.map((child) => child.shardId),
        ),
      );
    } else {
      await this.syncer.sync();
    }
  }

  private async onConsumerDone(leaseKey: string, outcome: ShardConsumerOutcome, generation: number): Promise<void> {
    this.consumers.delete(leaseKey);
    // The lease may be held again already (taken back after this holding was lost): leave that holding alone.
    if (this.renewer.generationOf(leaseKey) !== generation) return;
    // A consumer that failed while the worker stops is given back too: its processor's last checkpoint stands, and
    // another worker carries on from it at once instead of after the failover time.
    if (outcome === 'shard-ended' || outcome === 'shutdown' || (outcome === 'failed' && this.stopping.signal.aborted)) {
      try {
        await this.renewer.release(leaseKey);
        this.log.info({ leaseKey, reason: outcome }, 'released lease');
      } catch (error) {
        this.log.warn({ leaseKey, error: describe(error) }, 'could not release lease; it will expire instead');
        this.renewer.forget(leaseKey);
      }
      if (outcome === 'shard-ended') this.wake.abort();
      return;
    }
    this.renewer.forget(leaseKey);
  }

  /** Stops every consumer and waits for them, at most the shutdown timeout; returns the shards that did not finish. */
  private async drain(): Promise<string[]> {
    for (const { consumer } of this.consumers.values()) consumer.stop('shutdown');
    const finished = new AbortController();
    const all = Promise.all([...this.consumers.values()].map(({ done }) => done)).then(() => finished.abort());
    await Promise.race([all, this.clock.sleep(this.config.shutdownTimeoutMs, finished.signal)]);
    finished.abort();
    const unfinished = [...this.consumers.keys()];
    for (const leaseKey of unfinished) {
      this.log.error(
        { leaseKey, shutdownTimeoutMs: this.config.shutdownTimeoutMs },
        'processor did not finish within the shutdown timeout: giving its lease back with its last checkpoint',
      );
      this.consumers.delete(leaseKey);
      await this.renewer.release(leaseKey).catch((error: unknown) => {
        this.log.warn({ leaseKey, error: describe(error) }, 'could not release lease; it will expire instead');
        this.renewer.forget(leaseKey);
      });
    }
    return unfinished;
  }
}

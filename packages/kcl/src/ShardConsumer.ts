import { deaggregate, type UserRecord } from '@stock-trades/kpl';
import type { Clock } from './Clock.js';
import { compareExtended, type ExtendedSequenceNumber, isSentinel, Sentinel } from './ExtendedSequenceNumber.js';
import { ExpiredIteratorError, LeaseLostError, ThrottledError, TransientError } from './errors.js';
import type { Lease, ShardInfo } from './Lease.js';
import type { LeaseRenewer } from './LeaseRenewer.js';
import { describe } from './LeaseRenewer.js';
import type { LeaseStore } from './LeaseStore.js';
import type { Logger } from './Logger.js';
import { type MetricName, type Metrics, type MetricUnit, recordSafely } from './Metrics.js';
import { backoffMs, DEFAULT_PROCESSING_ERRORS, decide, type ProcessingErrorSettings } from './ProcessingErrors.js';
import { nextPollDelay, type PollDelayPolicy } from './pollDelay.js';
import type { InitializationInput, ShardRecordProcessor } from './RecordProcessor.js';
import { ShardCheckpointer } from './ShardCheckpointer.js';
import type { IteratorPosition, StreamPort } from './StreamPort.js';

export interface ShardConsumerConfig {
  readonly maxRecords: number;
  readonly poll: PollDelayPolicy;
  /** How often to look whether the parents of a child shard have finished. */
  readonly parentPollMs: number;
  /** For leases whose checkpoint is AT_TIMESTAMP. */
  readonly initialTimestamp?: Date;
  /** What a throwing processor call gets (default: retried in place for as long as the lease is held). */
  readonly processingErrors?: ProcessingErrorSettings;
}

export interface ShardConsumerDeps {
  readonly stream: StreamPort;
  readonly store: LeaseStore;
  readonly renewer: LeaseRenewer;
  readonly processor: ShardRecordProcessor;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config: ShardConsumerConfig;
  /** The holding of the lease this consumer reads for (LeaseRenewer.add's): its writes name it. */
  readonly generation?: number;
  /** At shard end, with the closed shard's children (their leases are created right away). */
  readonly onShardEnd: (shardId: string, children: ShardInfo[]) => Promise<void>;
  /** For the backoff's jitter (tests pin it). */
  readonly random?: () => number;
  /** Where per-shard metrics go (ProcessTask); none by default. */
  readonly metrics?: Metrics;
}

/** Backoff of a call to Kinesis or the lease table that is throttled or fails for now: from 100 ms up to 5 s. */
const CALL_BACKOFF = { firstMs: 100, maxMs: 5000 } as const;

export type ShardConsumerOutcome = 'shard-ended' | 'lease-lost' | 'shutdown' | 'failed';

/**
 * Reads one leased shard and drives its processor: waits for the parents to finish,
 * polls GetRecords (deaggregating KPL records, dropping ones already processed), and
 * ends in exactly one of shardEnded, leaseLost or shutdownRequested.
 */
export class ShardConsumer {
  private readonly stopping = new AbortController();
  private stopReason: 'lease-lost' | 'shutdown' | undefined;
  /** Monotonic time of the last sign of life (a read, or a look at the parents). */
  private lastProgressAt: number;
  private millisBehind = 0;
  /** While the processor has a batch: when its first record reached Kinesis (wall clock). */
  private busy: { oldestArrival: number | undefined } | undefined;
  /** How many times in a row the processor call in hand has thrown (0: none). */
  private failures = 0;
  /** Waiting to call the processor again: no stalled reader either. */
  private retrying = false;
  /** This consumer's checkpointer, once the processor has one. */
  private checkpointer: ShardCheckpointer | undefined;
  private delivered = 0;
  /** The closed shard's children, as the last GetRecords named them. */
  private endChildren: ShardInfo[] = [];

  constructor(
    private readonly lease: Lease,
    private readonly deps: ShardConsumerDeps,
  ) {
    this.lastProgressAt = deps.clock.monotonicNow();
  }

  get shardId(): string {
    return this.lease.leaseKey;
  }

  /**
   * How far behind the tip the reader is, as Kinesis last said. While the processor works on a batch no read is
   * made, so the reader falls behind unseen: then it is at least the age of the batch's first record (what the
   * next GetRecords would report, with a producer still writing). A slow processor shows as growing lag.
   */
  get millisBehindLatest(): number {
    const arrival = this.busy?.oldestArrival;
    if (arrival === undefined) return this.millisBehind;
    return Math.max(this.millisBehind, this.deps.clock.wallNow() - arrival);
  }

  /** How many times in a row the processor's call in hand has thrown: a shard stuck on a batch shows here. */
  get processingFailures(): number {
    return this.failures;
  }

  /** Records handed to the processor so far (KPL user records one by one). */
  get recordsDelivered(): number {
    return this.delivered;
  }

  /**
   * False when no read has completed for `stallMs`: the lease should not be renewed. A processor busy with a batch
   * is not a stalled reader: as in the Java KCL, the lease stays renewed however long processing takes (its lag
   * grows instead; see millisBehindLatest).
   */
  isHealthy(stallMs: number): boolean {
    return this.busy !== undefined || this.retrying || this.deps.clock.monotonicNow() - this.lastProgressAt <= stallMs;
  }

  /** Whether it was stopped because its lease is gone (read afresh: it changes while a call is awaited). */
  private leaseLost(): boolean {
    return this.stopReason === 'lease-lost';
  }

  /** Asks the consumer to end; `lease-lost` skips the processor's checkpoint. */
  stop(reason: 'lease-lost' | 'shutdown'): void {
    this.stopReason ??= reason;
    this.stopping.abort();
  }

  async run(): Promise<ShardConsumerOutcome> {
    const { processor, log } = this.deps;
    const shardId = this.shardId;
    try {
      // A finished shard (its processor's shardEnded done, SHARD_END written) has nothing left to read: read again it
      // would start at TRIM_HORIZON and deliver the whole shard twice. The Scheduler does not take such leases; this
      // holds whatever hands one over.
      if (this.lease.checkpoint.sequenceNumber === Sentinel.SHARD_END) {
        log.warn({ shardId }, 'lease already at SHARD_END: nothing to read; giving it back');
        return 'shard-ended';
      }
      const parents = await this.waitForParents();
      if (!parents) return await this.finishStopped();
      const checkpointer = new ShardCheckpointer(
        shardId,
        this.deps.renewer,
        this.deps.store,
        this.lease.checkpoint,
        this.lease.applicationState,
        this.deps.generation,
      );
      this.checkpointer = checkpointer;
      const initialized = await this.inPlace('initialize', [], () =>
        processor.initialize({
          shardId,
          checkpoint: this.lease.checkpoint,
          applicationState: this.lease.applicationState,
          hashKeyRange: this.lease.hashKeyRange,
          parents,
        }),
      );
      if (initialized === 'stopped') return await this.finishStopped();
      const ended = await this.readLoop(checkpointer);
      if (!ended) return await this.finishStopped(checkpointer);
      // The children's leases first, as the Java KCL does: once SHARD_END is checkpointed nothing would retry them.
      await this.deps.onShardEnd(shardId, this.endChildren);
      checkpointer.atShardEnd = true;
      const childShardIds = this.endChildren.map((child) => child.shardId);
      // Logged before SHARD_END is written: no child can start before this line.
      log.info({ shardId, childShardIds }, 'shard ended; checkpointing SHARD_END');
      // Skipped ('skip'), the processor's own end-of-shard work is given up on; SHARD_END is checkpointed below.
      const ending = await this.inPlace('shardEnded', [], () => processor.shardEnded({ checkpointer, childShardIds }));
      if (ending === 'stopped') return await this.finishStopped(checkpointer);
      if (checkpointer.lastCheckpoint.sequenceNumber !== Sentinel.SHARD_END) {
        await checkpointer.checkpoint();
        log.warn({ shardId }, 'processor did not checkpoint SHARD_END in shardEnded; checkpointed it');
      }
      return 'shard-ended';
    } catch (error) {
      // Stopped while waiting to try a call again: as any stop (leaseLost, or shutdownRequested if it had started).
      if (error instanceof StoppedWhileRetrying) return await this.finishStopped(this.checkpointer);
      if (error instanceof LeaseLostError || this.stopReason === 'lease-lost') {
        await this.safely(() => processor.leaseLost(), 'leaseLost');
        return 'lease-lost';
      }
      log.error({ shardId, error: describe(error) }, 'shard consumer failed; its lease will expire for another worker');
      return 'failed';
    } finally {
      // Whatever the port holds open for this shard (a fan-out subscription) goes with the reader.
      this.deps.stream.release?.(shardId);
    }
  }

  /** The parents once every one is finished (or gone), or undefined if stopped first. */
  private async waitForParents(): Promise<InitializationInput['parents'] | undefined> {
    const parents = this.lease.parentShardIds;
    if (parents.length === 0) return [];
    for (;;) {
      if (this.stopping.signal.aborted) return undefined;
      const pending: string[] = [];
      const finished: Array<InitializationInput['parents'][number]> = [];
      // A parent without a lease is finished only if Kinesis no longer lists it (trimmed past retention); one it
      // still lists has no lease *yet* (the other parent of a merge whose own parents are still being read).
      let listed: Set<string> | undefined;
      for (const parent of parents) {
        const parentLease = await this.whileFresh('read a parent lease', () => this.deps.store.getLease(parent));
        if (!parentLease) {
          listed ??= new Set(
            (await this.whileFresh('list the shards', () => this.deps.stream.listShards())).map(
              (shard) => shard.shardId,
            ),
          );
          if (listed.has(parent)) pending.push(parent);
          else finished.push({ shardId: parent, applicationState: undefined });
        } else if (parentLease.checkpoint.sequenceNumber !== Sentinel.SHARD_END) pending.push(parent);
        else finished.push({ shardId: parent, applicationState: parentLease.applicationState });
      }
      this.lastProgressAt = this.deps.clock.monotonicNow();
      if (pending.length === 0) return finished;
      this.deps.log.debug({ shardId: this.shardId, waitingFor: pending }, 'waiting for parent shards to finish');
      await this.deps.clock.sleep(this.deps.config.parentPollMs, this.stopping.signal);
    }
  }

  /** Reads until the shard ends (true) or the consumer is stopped (false). */
  private async readLoop(checkpointer: ShardCheckpointer): Promise<boolean> {
    const { stream, clock, config, processor } = this.deps;
    const iteratorAt = () =>
      this.whileFresh('get a shard iterator', () =>
        stream.getShardIterator(this.shardId, this.startPosition(checkpointer)),
      );
    let iterator: string | undefined = await iteratorAt();
    let delay = config.poll.minMs;
    let throttledFor = 0;
    while (!this.stopping.signal.aborted) {
      let page: Awaited<ReturnType<StreamPort['getRecords']>>;
      try {
        page = await stream.getRecords(iterator, config.maxRecords);
        throttledFor = 0;
      } catch (error) {
        if (error instanceof ExpiredIteratorError) {
          iterator = await iteratorAt();
          continue;
        }
        if (error instanceof ThrottledError || error instanceof TransientError) {
          // Throttled is not stalled: the reader is working and Kinesis answered, so its lease stays renewed. A
          // transient fault (a timeout, a reset, a 5xx) is retried as well, but is no sign of life: if it lasts past
          // the failover time the lease is no longer renewed, and another worker may try.
          if (error instanceof ThrottledError) this.lastProgressAt = clock.monotonicNow();
          throttledFor = Math.min(5000, Math.max(config.poll.minMs, CALL_BACKOFF.firstMs, throttledFor * 2));
          // Which call it was (GetRecords, or SubscribeToShard with fan-out) is in the error.
          const what = error instanceof ThrottledError ? 'read throttled' : 'read failed for now';
          this.deps.log.warn(
            { shardId: this.shardId, waitMs: throttledFor, error: describe(error) },
            `${what}; backing off`,
          );
          await clock.sleep(throttledFor, this.stopping.signal);
          continue;
        }
        throw error;
      }
      this.lastProgressAt = clock.monotonicNow();
      this.millisBehind = page.millisBehindLatest;
      const { records, outOfRange } = deaggregate(page.records, this.lease.hashKeyRange);
      if (outOfRange > 0) {
        this.deps.log.debug(
          { shardId: this.shardId, outOfRange },
          'dropped KPL user records outside the shard hash range',
        );
      }
      const fresh = records.filter((record) => isAfter(record, checkpointer.lastDelivered));
      const last = fresh.at(-1);
      if (last)
        checkpointer.lastDelivered = { sequenceNumber: last.sequenceNumber, subSequenceNumber: last.subSequenceNumber };
      // Past the failover time since its last write went out, another worker may already hold the lease: stop
      // before handing it anything (a worker frozen mid-read, say, finds its lease gone when it wakes).
      if (!this.deps.renewer.isFresh(this.shardId, this.deps.generation)) {
        throw new LeaseLostError(this.shardId, 'not renewed within the failover time');
      }
      this.delivered += fresh.length;
      this.busy = { oldestArrival: fresh[0]?.approximateArrivalTimestamp?.getTime() };
      try {
        const startedAt = clock.monotonicNow();
        // A batch that throws is given again in place: what the processor checkpointed of it before it threw is not.
        const done = await this.inPlace('processRecords', fresh, (batch) =>
          checkpointer.whileProcessing(() =>
            processor.processRecords({ records: batch, millisBehindLatest: page.millisBehindLatest, checkpointer }),
          ),
        );
        if (done === 'stopped') return false;
        checkpointer.batchDone();
        this.measureBatch(fresh, page.millisBehindLatest, clock.monotonicNow() - startedAt);
        const skippedTo = fresh.at(-1);
        if (done === 'skipped' && skippedTo) {
          await checkpointer.checkpoint({
            sequenceNumber: skippedTo.sequenceNumber,
            subSequenceNumber: skippedTo.subSequenceNumber,
          });
        }
      } finally {
        this.busy = undefined;
        this.lastProgressAt = clock.monotonicNow();
      }
      if (page.nextIterator === undefined) {
        this.endChildren = page.childShards;
        return true;
      }
      iterator = page.nextIterator;
      delay = nextPollDelay(delay, page.records.length > 0, page.millisBehindLatest, config.poll);
      await clock.sleep(delay, this.stopping.signal);
    }
    return false;
  }

  /**
   * A call to Kinesis or the lease table, made again while it is throttled or fails for now (a timeout, a reset, a
   * 5xx), with jittered backoff from 100 ms to 5 s, for as long as the lease is held: throttling is a sign of life (the
   * lease stays renewed), a transient fault is not, so past the failover time the lease is given up and this throws
   * LeaseLostError. Any other error is thrown at once.
   */
  private async whileFresh<T>(what: string, call: () => Promise<T>): Promise<T> {
    const { clock, log, renewer } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ThrottledError || error instanceof TransientError)) throw error;
        if (error instanceof ThrottledError) this.lastProgressAt = clock.monotonicNow();
        const waitMs = backoffMs(CALL_BACKOFF, attempt, this.deps.random ?? Math.random);
        log.warn(
          { shardId: this.shardId, attempt, waitMs, error: describe(error) },
          `could not ${what} for now; trying again`,
        );
        await clock.sleep(waitMs, this.stopping.signal);
        if (this.stopping.signal.aborted) throw new StoppedWhileRetrying();
        if (!renewer.isFresh(this.shardId, this.deps.generation)) {
          throw new LeaseLostError(this.shardId, `not renewed within the failover time while trying to ${what}`);
        }
      }
    }
  }

  /** What a batch handed over and processed counts for, under the Java KCL's ProcessTask names. */
  private measureBatch(records: readonly UserRecord[], millisBehindLatest: number, tookMs: number): void {
    let bytes = 0;
    for (const record of records) bytes += record.data.byteLength;
    this.measure('RecordsProcessed', records.length, 'Count');
    this.measure('DataBytesProcessed', bytes, 'Bytes');
    this.measure('MillisBehindLatest', millisBehindLatest, 'Milliseconds');
    this.measure('RecordProcessor.processRecords.Time', tookMs, 'Milliseconds');
  }

  private measure(name: MetricName, value: number, unit: MetricUnit): void {
    if (this.deps.metrics)
      recordSafely(this.deps.metrics, { name, value, unit, operation: 'ProcessTask', shardId: this.shardId });
  }

  /**
   * Makes a processor call, and makes it again in place while it throws and the policy says so, with jittered
   * backoff; the lease stays renewed meanwhile (see isHealthy). Each attempt of processRecords gets the batch's
   * records after the last checkpoint, so what the processor checkpointed before it threw is never given again.
   * Throws the call's error when the policy says stop, and LeaseLostError once the lease is no longer held.
   */
  private async inPlace(
    during: 'initialize' | 'processRecords' | 'shardEnded',
    records: readonly UserRecord[],
    call: (records: readonly UserRecord[]) => Promise<void> | void,
  ): Promise<'done' | 'skipped' | 'stopped'> {
    const { clock, log, config, renewer } = this.deps;
    const settings = config.processingErrors ?? DEFAULT_PROCESSING_ERRORS;
    const checkpointed = () => this.checkpointer?.lastCheckpoint;
    for (let attempt = 1; ; attempt++) {
      // The first attempt's records all follow what was delivered before, so the checkpoint too: no need to look.
      const from = checkpointed();
      const batch = attempt === 1 || from === undefined ? records : records.filter((record) => isAfter(record, from));
      try {
        await call(batch);
        this.failures = 0;
        return 'done';
      } catch (error) {
        if (error instanceof LeaseLostError || this.leaseLost()) throw error;
        this.failures = attempt;
        this.measure('ProcessingErrors', 1, 'Count');
        const decision = await decide(settings, { shardId: this.shardId, during, error, records: batch, attempt });
        if (decision === 'stop') throw error;
        // A processor that has not initialized cannot be given records: initialize is never skipped.
        if (decision === 'skip' && during !== 'initialize') {
          log.warn(
            { shardId: this.shardId, attempt, records: batch.length, error: describe(error) },
            `${during} threw; skipping it (policy), as the Java KCL does`,
          );
          this.failures = 0;
          this.measure('ProcessingSkips', 1, 'Count');
          return 'skipped';
        }
        const waitMs = backoffMs(settings.backoff, attempt, this.deps.random ?? Math.random);
        log.warn(
          { shardId: this.shardId, attempt, waitMs, error: describe(error) },
          `${during} threw; trying again in place`,
        );
        this.measure('ProcessingRetries', 1, 'Count');
        this.retrying = true;
        try {
          await clock.sleep(waitMs, this.stopping.signal);
        } finally {
          this.retrying = false;
        }
        if (this.stopping.signal.aborted) {
          if (this.leaseLost()) throw new LeaseLostError(this.shardId, 'lost while retrying');
          return 'stopped';
        }
        if (!renewer.isFresh(this.shardId, this.deps.generation)) {
          throw new LeaseLostError(this.shardId, 'not renewed within the failover time');
        }
      }
    }
  }

  /**
   * Where to read from: the initial position for a new lease; otherwise AT the checkpoint's
   * sequence number, so the rest of a half-processed KPL aggregate is read again (what was
   * already delivered is filtered out by sub-sequence number).
   */
  private startPosition(checkpointer: ShardCheckpointer): IteratorPosition {
    const from = checkpointer.lastDelivered;
    if (!isSentinel(from)) return { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: from.sequenceNumber };
    if (from.sequenceNumber === Sentinel.LATEST) return { type: 'LATEST' };
    if (from.sequenceNumber === Sentinel.AT_TIMESTAMP && this.deps.config.initialTimestamp) {
      return { type: 'AT_TIMESTAMP', timestamp: this.deps.config.initialTimestamp };
    }
    return { type: 'TRIM_HORIZON' };
  }

  private async finishStopped(checkpointer?: ShardCheckpointer): Promise<ShardConsumerOutcome> {
    if (this.stopReason === 'lease-lost') {
      await this.safely(() => this.deps.processor.leaseLost(), 'leaseLost');
      return 'lease-lost';
    }
    if (checkpointer) await this.deps.processor.shutdownRequested({ checkpointer });
    return 'shutdown';
  }

  private async safely(call: () => Promise<void> | void, what: string): Promise<void> {
    try {
      await call();
    } catch (error) {
      this.deps.log.error({ shardId: this.shardId, error: describe(error) }, `processor ${what} failed`);
    }
  }
}

/** Internal: the consumer was stopped while it waited to make a call again. */
class StoppedWhileRetrying extends Error {}

/** Whether a record comes after a position (any record does after a sentinel: TRIM_HORIZON, LATEST, …). */
function isAfter(record: UserRecord, position: ExtendedSequenceNumber): boolean {
  return isSentinel(position) || compareExtended(record, position) > 0;
}

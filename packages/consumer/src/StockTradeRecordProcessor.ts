import { parseTrade } from '@stock-trades/core';
import type {
  InitializationInput,
  Logger,
  ProcessRecordsInput,
  RecordProcessorCheckpointer,
  ShardEndedInput,
  ShardRecordProcessor,
  UserRecord,
} from '@stock-trades/kcl';
import { compareExtended, formatExtended } from '@stock-trades/kcl';
import { ShardWindows, type WindowSettings } from './ShardWindows.js';
import type { SampleSink, WindowSample } from './WindowSample.js';

export interface ProcessorSettings extends WindowSettings {
  /** Checkpoint at least this often while windows stay open (a window's close always checkpoints). */
  readonly checkpointIntervalMs: number;
}

export interface ProcessorDeps {
  readonly sink: SampleSink;
  readonly log: Logger;
  readonly now: () => number;
  /** Told of every malformed record (counted in the window's sample and skipped). */
  readonly onMalformed?: (shardId: string, sequenceNumber: string) => void;
  /** Told of every trade outside the event-time bounds (counted as out of range, in no window). */
  readonly onOutOfRange?: (shardId: string, sequenceNumber: string) => void;
  /** Told of every second copy of a trade already counted (counted as a duplicate, in no window). */
  readonly onDuplicate?: (shardId: string, sequenceNumber: string) => void;
  /** Runs before each batch: the lag lesson's pause holds the batch here (resolves at once when not paused). */
  readonly beforeBatch?: () => Promise<void>;
}

/**
 * The tutorial's StockTradeRecordProcessor, per event-time window: counts each shard's
 * trades into windows and emits one sample per closed window (see ShardWindows for how a
 * replay after a crash counts each trade once). Before each emission it makes a
 * conditional write on the lease, so a worker whose lease was taken cannot emit.
 */
export class StockTradeRecordProcessor implements ShardRecordProcessor {
  private windows: ShardWindows | undefined;
  private lastCheckpointAt = 0;
  /** Whether the lease holds where this shard's windows start: whoever holds it next owes them from there. */
  private startSaved = false;

  constructor(
    private readonly shardId: string,
    private readonly settings: ProcessorSettings,
    private readonly deps: ProcessorDeps,
  ) {}

  initialize(input: InitializationInput): void {
    const windows = new ShardWindows({
      shardId: this.shardId,
      settings: this.settings,
      checkpoint: input.checkpoint,
      savedState: input.applicationState,
      hashKeyRange: input.hashKeyRange ?? null,
      parentStates: input.parents.map((parent) => parent.applicationState),
      nowMs: this.deps.now(),
    });
    for (const problem of windows.stateProblems) this.deps.log.warn({ shardId: this.shardId }, problem);
    this.windows = windows;
    this.startSaved = windows.stateProblems.length === 0 && windows.nextWindow !== undefined;
    this.lastCheckpointAt = this.deps.now();
    this.deps.log.info(
      { shardId: this.shardId, checkpoint: formatExtended(input.checkpoint) },
      'processing shard from its checkpoint',
    );
  }

  async processRecords({ records, millisBehindLatest, checkpointer }: ProcessRecordsInput): Promise<void> {
    await this.deps.beforeBatch?.();
    const windows = this.requireWindows();
    for (const record of records) this.count(windows, record);
    const closed = windows.closed(this.deps.now(), millisBehindLatest === 0);
    if (closed.length > 0) {
      await this.send(windows, closed, checkpointer);
      await this.saveProgress(checkpointer);
    } else if (
      (!this.startSaved && windows.nextWindow !== undefined) ||
      this.deps.now() - this.lastCheckpointAt >= this.settings.checkpointIntervalMs
    ) {
      await this.saveProgress(checkpointer);
    }
  }

  leaseLost(): void {
    this.deps.log.info({ shardId: this.shardId }, 'lease lost: dropping open windows; the new owner replays them');
    this.windows = undefined;
  }

  async shardEnded({ checkpointer, childShardIds }: ShardEndedInput): Promise<void> {
    const windows = this.requireWindows();
    while (!windows.ended) {
      await this.send(windows, windows.remaining(this.deps.now(), childShardIds), checkpointer);
    }
    await checkpointer.checkpoint(undefined, { applicationState: windows.state(checkpointer.lastCheckpoint) });
  }

  async shutdownRequested({ checkpointer }: { checkpointer: RecordProcessorCheckpointer }): Promise<void> {
    if (this.windows) await this.saveProgress(checkpointer);
  }

  private count(windows: ShardWindows, record: UserRecord): void {
    const position = { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber };
    const arrivalMs = record.approximateArrivalTimestamp?.getTime() ?? this.deps.now();
    const parsed = parseTrade(record.data);
    if (!parsed.ok) {
      if (windows.add(position, undefined, arrivalMs, arrivalMs) === 'replayed') return;
      this.deps.log.warn(
        { shardId: this.shardId, sequenceNumber: formatExtended(position), reason: parsed.error.message },
        'skipped malformed record',
      );
      this.deps.onMalformed?.(this.shardId, formatExtended(position));
      return;
    }
    const outcome = windows.add(position, parsed.trade, parsed.timestampMs, arrivalMs);
    if (outcome === 'duplicate') {
      this.deps.log.debug(
        { shardId: this.shardId, sequenceNumber: formatExtended(position), tradeId: parsed.trade.id },
        'skipped a second copy of a trade already counted',
      );
      this.deps.onDuplicate?.(this.shardId, formatExtended(position));
      return;
    }
    if (outcome !== 'out-of-range') return;
    this.deps.log.warn(
      {
        shardId: this.shardId,
        sequenceNumber: formatExtended(position),
        timestamp: parsed.trade.timestamp,
        arrival: new Date(arrivalMs).toISOString(),
      },
      'trade timestamp out of range: counted, not put in a window',
    );
    this.deps.onOutOfRange?.(this.shardId, formatExtended(position));
  }

  /**
   * Emits samples behind the fence; their windows leave only once they went out. If the fence or the sending throws,
   * kcl gives the batch again (its records, counted already, are skipped) and the same windows are sent again.
   */
  private async send(
    windows: ShardWindows,
    samples: WindowSample[],
    checkpointer: RecordProcessorCheckpointer,
  ): Promise<void> {
    await this.fence(checkpointer);
    await this.deps.sink.emit(samples);
    windows.sent(samples);
  }

  /** A conditional write that fails (LeaseLostError) if another worker owns the lease now. */
  private async fence(checkpointer: RecordProcessorCheckpointer): Promise<void> {
    await checkpointer.checkpoint(checkpointer.lastCheckpoint);
  }

  private async saveProgress(checkpointer: RecordProcessorCheckpointer): Promise<void> {
    const windows = this.requireWindows();
    const safe = windows.safeCheckpoint();
    const target = compareExtended(safe, checkpointer.lastCheckpoint) > 0 ? safe : checkpointer.lastCheckpoint;
    await checkpointer.checkpoint(target, { applicationState: windows.state(target) });
    this.lastCheckpointAt = this.deps.now();
    if (windows.nextWindow !== undefined) this.startSaved = true;
  }

  private requireWindows(): ShardWindows {
    if (!this.windows) throw new Error(`processor for ${this.shardId} used before initialize`);
    return this.windows;
  }
}

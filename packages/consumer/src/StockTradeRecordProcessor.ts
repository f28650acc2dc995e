import { parseTrade } from '@stock-trades/core';
import type {
  InitializationInput,
  Logger,
  ProcessRecordsInput,
  RecordProcessorCheckpointer,
  ShardEndedInput,
  ShardRecordProcessor,
} from '@stock-trades/kcl';
import { compareExtended, formatExtended } from '@stock-trades/kcl';
import { ShardWindows, type WindowSettings } from './ShardWindows.js';
import type { SampleSink } from './WindowSample.js';

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

  constructor(
    private readonly shardId: string,
    private readonly settings: ProcessorSettings,
    private readonly deps: ProcessorDeps,
  ) {}

  initialize(input: InitializationInput): void {
    this.windows = new ShardWindows(
      this.shardId,
      this.settings,
      input.checkpoint,
      input.applicationState,
      input.hashKeyRange ?? null,
      input.parents.map((parent) => parent.applicationState),
    );
    this.lastCheckpointAt = this.deps.now();
    this.deps.log.info(
      { shardId: this.shardId, checkpoint: formatExtended(input.checkpoint) },
      'processing shard from its checkpoint',
    );
  }

  async processRecords({ records, millisBehindLatest, checkpointer }: ProcessRecordsInput): Promise<void> {
    const windows = this.requireWindows();
    for (const record of records) {
      const parsed = parseTrade(record.data);
      const position = { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber };
      if (!parsed.ok) {
        this.deps.log.warn(
          { shardId: this.shardId, sequenceNumber: formatExtended(position), reason: parsed.error.message },
          'skipped malformed record',
        );
        this.deps.onMalformed?.(this.shardId, formatExtended(position));
      }
      if (parsed.ok) windows.add(position, parsed.trade, parsed.timestampMs);
      else windows.add(position, undefined, record.approximateArrivalTimestamp?.getTime() ?? this.deps.now());
    }
    const closed = windows.takeClosed(this.deps.now(), millisBehindLatest === 0);
    if (closed.length > 0) {
      await this.fence(checkpointer);
      await this.deps.sink.emit(closed);
      await this.saveProgress(checkpointer);
    } else if (this.deps.now() - this.lastCheckpointAt >= this.settings.checkpointIntervalMs) {
      await this.saveProgress(checkpointer);
    }
  }

  leaseLost(): void {
    this.deps.log.info({ shardId: this.shardId }, 'lease lost: dropping open windows; the new owner replays them');
    this.windows = undefined;
  }

  async shardEnded({ checkpointer, childShardIds }: ShardEndedInput): Promise<void> {
    const windows = this.requireWindows();
    const rest = windows.takeAll(this.deps.now(), childShardIds);
    if (rest.length > 0) {
      await this.fence(checkpointer);
      await this.deps.sink.emit(rest);
    }
    await checkpointer.checkpoint(undefined, { applicationState: windows.state(checkpointer.lastCheckpoint) });
  }

  async shutdownRequested({ checkpointer }: { checkpointer: RecordProcessorCheckpointer }): Promise<void> {
    if (this.windows) await this.saveProgress(checkpointer);
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
  }

  private requireWindows(): ShardWindows {
    if (!this.windows) throw new Error(`processor for ${this.shardId} used before initialize`);
    return this.windows;
  }
}

import { parseSample } from '@stock-trades/core';
import {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  type InitializationInput,
  type Logger,
  type ProcessRecordsInput,
  type RecordProcessorCheckpointer,
  type ShardEndedInput,
  type ShardRecordProcessor,
} from '@stock-trades/kcl';
import type { ResultSink } from './ResultSink.js';
import { type BookSettings, type EmittedState, WindowBook } from './WindowBook.js';

export interface AggregatorDeps {
  readonly sink: ResultSink;
  readonly log: Logger;
  readonly now: () => number;
}

/**
 * Reads the stats stream's samples into a WindowBook and emits results as windows
 * complete, time out, or change. The checkpoint stays just before the oldest sample of
 * any window still kept, and the revisions already emitted are saved with it, so after
 * a restart the replay rebuilds those windows without printing them again.
 */
export class AggregatorRecordProcessor implements ShardRecordProcessor {
  private book: WindowBook | undefined;
  private lastProcessed: ExtendedSequenceNumber = { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 };
  private malformed = 0;

  constructor(
    private readonly shardId: string,
    private readonly settings: BookSettings,
    private readonly deps: AggregatorDeps,
  ) {}

  initialize(input: InitializationInput): void {
    this.lastProcessed = input.checkpoint;
    this.book = new WindowBook(this.settings, parseEmitted(input.applicationState));
    this.deps.log.info(
      { shardId: this.shardId, checkpoint: formatExtended(input.checkpoint) },
      'aggregating samples from the checkpoint',
    );
  }

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    const book = this.requireBook();
    for (const record of records) {
      const position = { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber };
      const parsed = parseSample(record.data);
      if (parsed.ok) book.add(parsed.sample, this.deps.now(), this.lastProcessed);
      else {
        this.malformed++;
        this.deps.log.warn(
          { shardId: this.shardId, sequenceNumber: formatExtended(position), reason: parsed.reason },
          'skipped a record that is not a sample',
        );
      }
      this.lastProcessed = position;
    }
    const due = book.due(this.deps.now());
    if (due.length > 0) {
      await checkpointer.checkpoint(checkpointer.lastCheckpoint); // fence: no output from a worker that lost the lease
      await this.deps.sink.emit(due);
      await this.save(checkpointer);
    } else if (records.length > 0) {
      await this.save(checkpointer);
    }
  }

  leaseLost(): void {
    this.book = undefined;
  }

  async shardEnded({ checkpointer }: ShardEndedInput): Promise<void> {
    await this.requireBook();
    await checkpointer.checkpoint();
  }

  async shutdownRequested({ checkpointer }: { checkpointer: RecordProcessorCheckpointer }): Promise<void> {
    if (this.book) await this.save(checkpointer);
    if (this.malformed > 0)
      this.deps.log.info({ malformed: this.malformed }, 'records that were not samples were skipped');
  }

  private async save(checkpointer: RecordProcessorCheckpointer): Promise<void> {
    const book = this.requireBook();
    const oldest = book.oldestResumePoint() as ExtendedSequenceNumber | undefined;
    const safe = oldest ?? this.lastProcessed;
    const target = compareExtended(safe, checkpointer.lastCheckpoint) > 0 ? safe : checkpointer.lastCheckpoint;
    await checkpointer.checkpoint(target, { applicationState: JSON.stringify({ v: 1, emitted: book.emittedState() }) });
  }

  private requireBook(): WindowBook {
    if (!this.book) throw new Error(`aggregator for ${this.shardId} used before initialize`);
    return this.book;
  }
}

function parseEmitted(state: string | undefined): EmittedState {
  try {
    const value = state ? (JSON.parse(state) as { v?: number; emitted?: EmittedState }) : undefined;
    return value?.v === 1 && value.emitted ? value.emitted : {};
  } catch {
    return {};
  }
}

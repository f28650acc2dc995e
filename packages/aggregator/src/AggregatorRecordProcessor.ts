import { parseSample, type WindowSample } from '@stock-trades/core';
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
import { type AddOutcome, type BookSettings, type BookState, type EmittedState, WindowBook } from './WindowBook.js';

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
  private outOfRange = 0;

  constructor(
    private readonly shardId: string,
    private readonly settings: BookSettings,
    private readonly deps: AggregatorDeps,
  ) {}

  initialize(input: InitializationInput): void {
    this.lastProcessed = input.checkpoint;
    const restored = restoreBookState(input.applicationState, this.deps.now() + this.settings.maxAheadMs);
    if (restored.problem) this.deps.log.warn({ shardId: this.shardId }, `${restored.problem}: starting afresh`);
    this.book = new WindowBook(this.settings, restored.state);
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
      const arrivalMs = record.approximateArrivalTimestamp?.getTime() ?? this.deps.now();
      if (parsed.ok) {
        const outcome = book.add(parsed.sample, this.deps.now(), this.lastProcessed, arrivalMs);
        if (outcome !== 'added') this.skipOutOfRange(position, parsed.sample, outcome);
      } else {
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
    if (this.outOfRange > 0)
      this.deps.log.info({ outOfRange: this.outOfRange }, 'samples of windows out of range were skipped');
  }

  private skipOutOfRange(
    position: ExtendedSequenceNumber,
    sample: WindowSample,
    outcome: Exclude<AddOutcome, 'added'>,
  ): void {
    this.outOfRange++;
    this.deps.log.warn(
      {
        shardId: this.shardId,
        sequenceNumber: formatExtended(position),
        sampleShard: sample.shardId,
        window: new Date(sample.windowStart).toISOString(),
      },
      {
        ahead: 'skipped a sample of a window too far ahead of its arrival',
        forgotten: 'skipped a sample of a window already forgotten (older than --retention)',
        'other-length': 'skipped a sample of another window length (a worker with another --window?)',
      }[outcome],
    );
  }

  private async save(checkpointer: RecordProcessorCheckpointer): Promise<void> {
    const book = this.requireBook();
    const oldest = book.oldestResumePoint() as ExtendedSequenceNumber | undefined;
    const safe = oldest ?? this.lastProcessed;
    const target = compareExtended(safe, checkpointer.lastCheckpoint) > 0 ? safe : checkpointer.lastCheckpoint;
    await checkpointer.checkpoint(target, { applicationState: JSON.stringify({ v: 1, ...book.state() }) });
  }

  private requireBook(): WindowBook {
    if (!this.book) throw new Error(`aggregator for ${this.shardId} used before initialize`);
    return this.book;
  }
}

/**
 * The book's saved state, checked: every window a whole number of ms, and nothing
 * forgotten ahead of `latestMs` (a corrupt value there would drop every new sample).
 */
export function restoreBookState(text: string | undefined, latestMs: number): { state: BookState; problem?: string } {
  const fresh: BookState = { emitted: {} };
  if (!text) return { state: fresh };
  let value: { v?: unknown; emitted?: unknown; forgottenUpTo?: unknown };
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return { state: fresh, problem: 'the saved aggregator state is not JSON' };
  }
  if (value?.v !== 1 || typeof value.emitted !== 'object' || value.emitted === null) {
    return { state: fresh, problem: 'the saved aggregator state is not a version-1 state' };
  }
  const emitted = value.emitted as Record<string, unknown>;
  const goodEntry = ([start, entry]: [string, unknown]) =>
    Number.isSafeInteger(Number(start)) &&
    Array.isArray(entry) &&
    Number.isSafeInteger(entry[0]) &&
    typeof entry[1] === 'string';
  if (!Object.entries(emitted).every(goodEntry)) {
    return { state: fresh, problem: 'the saved aggregator state has a window that is not one' };
  }
  const forgottenUpTo = value.forgottenUpTo;
  if (forgottenUpTo === undefined) return { state: { emitted: emitted as EmittedState } };
  if (typeof forgottenUpTo !== 'number' || !Number.isSafeInteger(forgottenUpTo) || forgottenUpTo > latestMs) {
    return { state: fresh, problem: `the saved aggregator state forgot windows up to ${String(forgottenUpTo)}` };
  }
  return { state: { emitted: emitted as EmittedState, forgottenUpTo } };
}

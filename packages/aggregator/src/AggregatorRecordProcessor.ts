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
import type { RejectionCounts, SampleGate } from './SampleGate.js';
import { type AddOutcome, type BookSettings, type BookState, type EmittedState, WindowBook } from './WindowBook.js';

export interface AggregatorDeps {
  readonly sink: ResultSink;
  readonly log: Logger;
  readonly now: () => number;
  /** What decides which samples may be merged, given what was saved with the checkpoint. */
  readonly gate: (restored: { windowMs?: number; rejected?: RejectionCounts }) => SampleGate;
}

/**
 * Reads the stats stream's samples into a WindowBook and emits results as windows
 * complete, time out, or change. The checkpoint stays just before the oldest sample of
 * any window still kept, and the revisions already emitted are saved with it, so after
 * a restart the replay rebuilds those windows without printing them again.
 */
export class AggregatorRecordProcessor implements ShardRecordProcessor {
  private book: WindowBook | undefined;
  private gate: SampleGate | undefined;
  private lastProcessed: ExtendedSequenceNumber = { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 };
  private malformed = 0;
  private outOfRange = 0;
  private duplicates = 0;

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
    this.gate = this.deps.gate(restored.state);
    this.deps.log.info(
      { shardId: this.shardId, checkpoint: formatExtended(input.checkpoint) },
      'aggregating samples from the checkpoint',
    );
  }

  async processRecords({ records, checkpointer }: ProcessRecordsInput): Promise<void> {
    const book = this.requireBook();
    for (const record of records) {
      const position = { sequenceNumber: record.sequenceNumber, subSequenceNumber: record.subSequenceNumber };
      // Given again after this processor threw (kcl retries a batch in place): added already.
      if (compareExtended(position, this.lastProcessed) <= 0) continue;
      const parsed = parseSample(record.data);
      const arrivalMs = record.approximateArrivalTimestamp?.getTime() ?? this.deps.now();
      if (parsed.ok) {
        if (await this.requireGate().admit(parsed.sample, this.deps.now(), formatExtended(position), arrivalMs)) {
          const outcome = book.add(parsed.sample, this.deps.now(), this.lastProcessed, arrivalMs);
          if (outcome === 'duplicate') this.duplicates++;
          else if (outcome !== 'added') this.skipOutOfRange(position, parsed.sample, outcome);
        }
      } else {
        this.malformed++;
        this.deps.log.warn(
          { shardId: this.shardId, sequenceNumber: formatExtended(position), reason: parsed.reason },
          'skipped a record that is not a sample',
        );
      }
      this.lastProcessed = position;
    }
    // A result counts as shown only once written: if the fence or the writing throws, kcl gives the batch again (its
    // samples, added already, are skipped) and the same results are written again.
    const due = book.pending(this.deps.now());
    if (due.length > 0) {
      await checkpointer.checkpoint(checkpointer.lastCheckpoint); // fence: no output from a worker that lost the lease
      await this.deps.sink.emit(due);
      book.sent(due, this.deps.now());
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
    if (this.duplicates > 0)
      this.deps.log.info({ duplicates: this.duplicates }, 'copies of samples already merged were skipped');
    const rejected = this.gate?.rejected ?? {};
    if (Object.keys(rejected).length > 0) this.deps.log.info({ ...rejected }, 'samples were rejected, never merged');
  }

  private skipOutOfRange(
    position: ExtendedSequenceNumber,
    sample: WindowSample,
    outcome: Exclude<AddOutcome, 'added' | 'duplicate'>,
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
    const gate = this.requireGate();
    const state = {
      v: 1,
      ...book.state(),
      ...(gate.windowMs === undefined ? {} : { windowMs: gate.windowMs }),
      ...(Object.keys(gate.rejected).length > 0 ? { rejected: gate.rejected } : {}),
    };
    await checkpointer.checkpoint(target, { applicationState: JSON.stringify(state) });
  }

  private requireGate(): SampleGate {
    if (!this.gate) throw new Error(`aggregator for ${this.shardId} used before initialize`);
    return this.gate;
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
export function restoreBookState(
  text: string | undefined,
  latestMs: number,
): { state: BookState & { windowMs?: number; rejected?: RejectionCounts }; problem?: string } {
  const fresh: BookState = { emitted: {} };
  if (!text) return { state: fresh };
  let value: {
    v?: unknown;
    emitted?: unknown;
    forgottenUpTo?: unknown;
    firstWindow?: unknown;
    windowMs?: unknown;
    rejected?: unknown;
  };
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
  const { forgottenUpTo, firstWindow, windowMs, rejected } = value;
  const time = (entry: unknown) => entry === undefined || (typeof entry === 'number' && Number.isSafeInteger(entry));
  if (!time(forgottenUpTo) || (typeof forgottenUpTo === 'number' && forgottenUpTo > latestMs)) {
    return { state: fresh, problem: `the saved aggregator state forgot windows up to ${String(forgottenUpTo)}` };
  }
  if (!time(firstWindow) || !time(windowMs) || (typeof windowMs === 'number' && windowMs <= 0)) {
    return { state: fresh, problem: 'the saved aggregator state has a first window or window length that is not one' };
  }
  const counts =
    typeof rejected === 'object' &&
    rejected !== null &&
    Object.values(rejected).every((count) => Number.isSafeInteger(count) && (count as number) >= 0)
      ? (rejected as RejectionCounts)
      : undefined;
  return {
    state: {
      emitted: emitted as EmittedState,
      ...(forgottenUpTo === undefined ? {} : { forgottenUpTo: forgottenUpTo as number }),
      ...(firstWindow === undefined ? {} : { firstWindow: firstWindow as number }),
      ...(windowMs === undefined ? {} : { windowMs: windowMs as number }),
      ...(counts ? { rejected: counts } : {}),
    },
  };
}

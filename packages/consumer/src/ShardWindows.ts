import { addTrade, emptySummary, type StockTrade, type TradeSummary, windowStartOf } from '@stock-trades/core';
import {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  type HashKeyRange,
  isSentinel,
} from '@stock-trades/kcl';
import type { WindowSample } from './WindowSample.js';

export interface WindowSettings {
  readonly windowMs: number;
  /** How far past a window's end the shard's event time (or, when caught up, the clock) must be before it closes. */
  readonly latenessMs: number;
}

interface OpenPart {
  readonly summary: TradeSummary;
  readonly first: ExtendedSequenceNumber;
  last: ExtendedSequenceNumber;
  /** The record processed just before this part's first one: a safe place to resume from. */
  readonly resumeAfter: ExtendedSequenceNumber;
}

/** What a processor keeps beside its checkpoint so a replay counts each trade once. */
interface SavedState {
  readonly v: 1;
  /** The next window this shard will emit. */
  readonly next: number | null;
  /** Set when the shard has ended: its last window, which its children report too. */
  readonly final?: number;
  /** windowStart → position up to which the window's records have gone out. */
  readonly marks: Record<string, string>;
}

export type AddOutcome = 'counted' | 'replayed';

/**
 * One shard's tumbling event-time windows. Pure: positions and times come in, samples
 * and a safe checkpoint come out.
 *
 * The checkpoint may only move to just before the oldest record whose window has not
 * gone out; after a crash, the next owner re-reads from there. So that a replayed record
 * of a window that did go out is not counted twice, each emitted window keeps a mark —
 * the position up to which its records have gone out — saved with the checkpoint. A
 * record at or below its window's mark is a replay and is skipped; a record above it,
 * for a window already out, is late and goes out in a further sample of that window.
 */
export class ShardWindows {
  private readonly open = new Map<number, OpenPart>();
  private readonly late = new Map<number, OpenPart>();
  private readonly marks = new Map<number, ExtendedSequenceNumber>();
  private next: number | undefined;
  /** Until a window has gone out, an earlier record moves the first window back instead of being late. */
  private emittedAny = false;
  private finalWindow: number | undefined;
  private watermark = Number.NEGATIVE_INFINITY;
  private lastProcessed: ExtendedSequenceNumber;

  constructor(
    private readonly shardId: string,
    private readonly settings: WindowSettings,
    checkpoint: ExtendedSequenceNumber,
    savedState: string | undefined,
    private readonly hashKeyRange: HashKeyRange | null = null,
    /** The saved states of the shard's finished parents: a child first reports the window its parents ended in. */
    parentStates: ReadonlyArray<string | undefined> = [],
  ) {
    this.lastProcessed = checkpoint;
    const saved = parseState(savedState);
    if (saved) {
      this.next = saved.next ?? undefined;
      this.emittedAny = saved.next !== null;
      for (const [start, position] of Object.entries(saved.marks)) {
        this.marks.set(Number(start), parsePosition(position));
      }
    } else {
      const parentFinals = parentStates.flatMap((state) => parseState(state)?.final ?? []);
      if (parentFinals.length > 0) this.next = Math.min(...parentFinals);
    }
  }

  /**
   * Counts a trade at `position` in the window of `eventMs` (its timestamp), or, with
   * `trade` undefined, a malformed record in the window of `eventMs` (its arrival time).
   */
  add(position: ExtendedSequenceNumber, trade: StockTrade | undefined, eventMs: number): AddOutcome {
    const start = windowStartOf(eventMs, this.settings.windowMs);
    const mark = this.marks.get(start);
    if (mark && compareExtended(position, mark) <= 0) {
      this.lastProcessed = position;
      return 'replayed';
    }
    if (this.next === undefined || (!this.emittedAny && start < this.next)) this.next = start;
    const parts = start < this.next ? this.late : this.open;
    let part = parts.get(start);
    if (!part) {
      part = { summary: emptySummary(), first: position, last: position, resumeAfter: this.lastProcessed };
      parts.set(start, part);
    }
    if (trade) addTrade(part.summary, trade);
    else part.summary.malformed++;
    part.last = position;
    this.lastProcessed = position;
    if (trade && eventMs > this.watermark) this.watermark = eventMs;
    return 'counted';
  }

  /**
   * Takes out every window that has closed — the shard's event time is past its end plus
   * the lateness, or the shard is caught up and the clock is — in order, empty ones
   * included, plus any late parts. Marks are set as if they went out.
   */
  takeClosed(nowMs: number, caughtUp: boolean): WindowSample[] {
    const { windowMs, latenessMs } = this.settings;
    const samples: WindowSample[] = [];
    for (const [start, part] of [...this.late].sort(([a], [b]) => a - b)) {
      samples.push(this.sample(start, part, true));
      this.late.delete(start);
    }
    if (this.next === undefined) {
      if (!caughtUp) return samples;
      this.next = windowStartOf(nowMs, windowMs);
    }
    const horizon = Math.max(this.watermark, caughtUp ? nowMs : Number.NEGATIVE_INFINITY);
    while (this.next + windowMs + latenessMs <= horizon) {
      const part = this.open.get(this.next);
      samples.push(this.sample(this.next, part, false));
      this.open.delete(this.next);
      this.next += windowMs;
    }
    return samples;
  }

  /**
   * For the end of a closed shard: every open window and late part, in order, the last one
   * marked final (an empty final sample when nothing was open) and naming the children.
   */
  takeAll(nowMs: number, childShardIds: readonly string[]): WindowSample[] {
    const samples = this.takeClosed(Number.NEGATIVE_INFINITY, false);
    const { windowMs } = this.settings;
    const opened = [...this.open.keys()].sort((a, b) => a - b);
    const final = Math.max(this.next ?? windowStartOf(nowMs, windowMs), opened.at(-1) ?? Number.NEGATIVE_INFINITY);
    for (let start = this.next ?? final; start <= final; start += windowMs) {
      const sample = this.sample(start, this.open.get(start), false);
      samples.push(start === final ? { ...sample, final: true, childShardIds } : sample);
    }
    this.open.clear();
    this.next = final + windowMs;
    this.finalWindow = final;
    return samples;
  }

  /** Just before the oldest record not yet gone out; the last record processed when all went out. */
  safeCheckpoint(): ExtendedSequenceNumber {
    let safe = this.lastProcessed;
    for (const part of [...this.open.values(), ...this.late.values()]) {
      if (compareExtended(part.resumeAfter, safe) < 0) safe = part.resumeAfter;
    }
    return safe;
  }

  /** The state to save with `checkpoint`: marks not yet behind it, and the next window. */
  state(checkpoint: ExtendedSequenceNumber): string {
    const marks: Record<string, string> = {};
    for (const [start, mark] of this.marks) {
      if (!isSentinel(checkpoint) && compareExtended(mark, checkpoint) <= 0) this.marks.delete(start);
      else marks[start] = formatExtended(mark);
    }
    const saved: SavedState = {
      v: 1,
      next: this.next ?? null,
      marks,
      ...(this.finalWindow === undefined ? {} : { final: this.finalWindow }),
    };
    return JSON.stringify(saved);
  }

  private sample(start: number, part: OpenPart | undefined, late: boolean): WindowSample {
    this.emittedAny = true;
    if (part) {
      const previous = this.marks.get(start);
      if (!previous || compareExtended(part.last, previous) > 0) this.marks.set(start, part.last);
    }
    return {
      shardId: this.shardId,
      windowStart: start,
      windowEnd: start + this.settings.windowMs,
      firstSequenceNumber: part ? formatExtended(part.first) : null,
      lastSequenceNumber: part ? formatExtended(part.last) : null,
      late,
      final: false,
      childShardIds: [],
      hashKeyRange: this.hashKeyRange,
      summary: part?.summary ?? emptySummary(),
    };
  }
}

function parseState(text: string | undefined): SavedState | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as SavedState;
    return value?.v === 1 && typeof value.marks === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

function parsePosition(text: string): ExtendedSequenceNumber {
  const [sequenceNumber = '', sub = '0'] = text.split('/');
  return { sequenceNumber, subSequenceNumber: Number(sub) };
}

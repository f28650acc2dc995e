import {
  addTrade,
  classifyEventTime,
  EventTime,
  type EventTimeBounds,
  emptySummary,
  type StockTrade,
  type TradeSummary,
  windowStartOf,
} from '@stock-trades/core';
import {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  type HashKeyRange,
  isSentinel,
  Sentinel,
} from '@stock-trades/kcl';
import { SeenTrades } from './SeenTrades.js';
import type { WindowSample } from './WindowSample.js';
import { MAX_STATE_AGE_MS, restoreState, type SavedState, STATE_AGE_CAP_MS, type StateBounds } from './windowState.js';

export interface WindowSettings extends EventTimeBounds {
  readonly windowMs: number;
  /** How far past a window's end the shard's event time (or, when caught up, the clock) must be before it closes. */
  readonly latenessMs: number;
  /**
   * Saved windows older than this are not trusted (no record that old is left to replay):
   * the stream's retention period; default a day, Kinesis's default retention; at most a week.
   */
  readonly maxStateAgeMs?: number;
}

export interface ShardWindowsInit {
  readonly shardId: string;
  readonly settings: WindowSettings;
  readonly checkpoint: ExtendedSequenceNumber;
  readonly savedState?: string;
  readonly hashKeyRange?: HashKeyRange | null;
  /** The saved states of the shard's finished parents: a child first reports the window its parents ended in. */
  readonly parentStates?: ReadonlyArray<string | undefined>;
  /** The clock when the shard is taken: saved windows far from it are not trusted. */
  readonly nowMs: number;
}

interface OpenPart {
  readonly summary: TradeSummary;
  readonly first: ExtendedSequenceNumber;
  last: ExtendedSequenceNumber;
  /**
   * A safe place to resume from: before this part's first record, and before the first
   * record of every window of seen trades that was kept when the part opened — a replay
   * must see again whatever its trades were checked against, to decide them the same way.
   */
  readonly resumeAfter: ExtendedSequenceNumber;
}

export type AddOutcome = 'counted' | 'out-of-range' | 'replayed' | 'duplicate';

/** At most this many windows go out per call: a long quiet stretch goes out in steps, and never holds up a stop. */
export const MAX_WINDOWS_PER_TAKE = 500;

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
 *
 * A trade Kinesis stored twice (a producer's retry of a write whose answer was lost) is
 * counted once: its second copy carries the same producer run and id, and is found in
 * the trades seen in its window (see SeenTrades), then counted as a duplicate in the
 * window of its arrival. Those are kept until no copy could arrive in range any more
 * (`maxBehindMs` after the window's end, plus a window), and the checkpoint is held back
 * to the first record of the oldest of them, so a new owner sees them all again.
 *
 * Nothing here does work in proportion to how far a timestamp lies from now: a trade
 * outside the event-time bounds around its arrival is counted as out of range in the
 * window of its arrival; the shard's event time (which closes windows) never runs ahead
 * of the records' arrival; saved state far from now is dropped; and at most
 * MAX_WINDOWS_PER_TAKE windows go out per call.
 */
export class ShardWindows {
  readonly shardId: string;
  /** Why a saved state was not trusted (the processor logs it), if it was not. */
  readonly stateProblems: string[] = [];
  private readonly settings: WindowSettings;
  private readonly hashKeyRange: HashKeyRange | null;
  private readonly open = new Map<number, OpenPart>();
  private readonly late = new Map<number, OpenPart>();
  private readonly marks = new Map<number, ExtendedSequenceNumber>();
  private next: number | undefined;
  /** Until a window has gone out, an earlier record moves the first window back instead of being late. */
  private emittedAny = false;
  private finalWindow: number | undefined;
  private watermark = Number.NEGATIVE_INFINITY;
  private latestArrival = Number.NEGATIVE_INFINITY;
  private readonly seen: SeenTrades;
  private lastProcessed: ExtendedSequenceNumber;
  /**
   * Read from the shard's start: from TRIM_HORIZON, and a shard the stream was created with
   * (a child starts where its parents ended). Its first sample says it had nothing before.
   */
  private readonly fromStart: boolean;

  constructor(init: ShardWindowsInit) {
    this.shardId = init.shardId;
    this.fromStart = init.checkpoint.sequenceNumber === Sentinel.TRIM_HORIZON && (init.parentStates ?? []).length === 0;
    this.settings = init.settings;
    this.hashKeyRange = init.hashKeyRange ?? null;
    this.lastProcessed = init.checkpoint;
    this.seen = new SeenTrades(init.settings.windowMs, init.settings.maxBehindMs + init.settings.windowMs);
    const bounds: StateBounds = {
      windowMs: init.settings.windowMs,
      earliestMs: init.nowMs - Math.min(init.settings.maxStateAgeMs ?? MAX_STATE_AGE_MS, STATE_AGE_CAP_MS),
      latestMs: init.nowMs + init.settings.maxAheadMs + init.settings.windowMs,
    };
    const saved = restoreState(init.savedState, bounds);
    if (saved.problem) this.stateProblems.push(`${saved.problem}: starting its windows afresh`);
    if (init.savedState && !saved.problem) {
      this.next = saved.next;
      this.emittedAny = saved.emitted;
      for (const [start, mark] of saved.marks) this.marks.set(start, mark);
      return;
    }
    const parentFinals = (init.parentStates ?? []).flatMap((state) => {
      const parent = restoreState(state, bounds);
      if (parent.problem) this.stateProblems.push(`a parent's ${parent.problem}: ignored`);
      return parent.final ?? [];
    });
    if (parentFinals.length > 0) this.next = Math.min(...parentFinals);
  }

  /** The next window to go out, once known (the first record, or the clock once caught up, sets it). */
  get nextWindow(): number | undefined {
    return this.next;
  }

  /**
   * Counts a trade at `position` in the window of `eventMs` (its timestamp) — or, when
   * that lies outside the bounds around `arrivalMs`, as out of range in the window of its
   * arrival; when it is a copy of a trade already counted, as a duplicate there — or,
   * with `trade` undefined, a malformed record in the window of its arrival.
   */
  add(position: ExtendedSequenceNumber, trade: StockTrade | undefined, eventMs: number, arrivalMs: number): AddOutcome {
    const { windowMs } = this.settings;
    // Given again after the processor threw (kcl retries a batch in place): counted here already, in a window still
    // open — one that did not go out stays open until `sent` says it did.
    if (compareExtended(position, this.lastProcessed) <= 0) return 'replayed';
    if (arrivalMs > this.latestArrival) {
      this.latestArrival = arrivalMs;
      this.seen.prune(arrivalMs);
    }
    const inRange = trade !== undefined && classifyEventTime(eventMs, arrivalMs, this.settings) === EventTime.IN_RANGE;
    // Noted even when replayed below: a new owner rebuilds what was seen from the records it reads again.
    const duplicate =
      inRange &&
      !this.seen.note(windowStartOf(eventMs, windowMs), SeenTrades.runOf(trade, eventMs), trade.id, this.lastProcessed);
    const start = windowStartOf(inRange && !duplicate ? eventMs : arrivalMs, windowMs);
    const mark = this.marks.get(start);
    if (mark && compareExtended(position, mark) <= 0) {
      this.lastProcessed = position;
      return 'replayed';
    }
    if (this.next === undefined || (!this.emittedAny && start < this.next)) this.next = start;
    const parts = start < this.next ? this.late : this.open;
    let part = parts.get(start);
    if (!part) {
      const seenFrom = this.seen.oldestResumePoint();
      const resumeAfter = seenFrom && compareExtended(seenFrom, this.lastProcessed) < 0 ? seenFrom : this.lastProcessed;
      part = { summary: emptySummary(), first: position, last: position, resumeAfter };
      parts.set(start, part);
    }
    if (duplicate) part.summary.duplicates++;
    else if (inRange) addTrade(part.summary, trade);
    else if (trade) part.summary.outOfRange++;
    else part.summary.malformed++;
    part.last = position;
    this.lastProcessed = position;
    // The shard's event time: never ahead of when the record arrived, so an early timestamp closes no window early.
    if (inRange && !duplicate) this.watermark = Math.max(this.watermark, Math.min(eventMs, arrivalMs));
    if (duplicate) return 'duplicate';
    return trade === undefined || inRange ? 'counted' : 'out-of-range';
  }

  /**
   * The windows that have closed — the shard's event time is past their end plus the
   * lateness, or the shard is caught up and the clock is — in order, empty ones included,
   * plus any late parts; at most MAX_WINDOWS_PER_TAKE of them. They stay open until `sent`
   * is told they went out: samples that could not be sent are given again by the next call.
   */
  closed(nowMs: number, caughtUp: boolean): WindowSample[] {
    const { windowMs, latenessMs } = this.settings;
    const samples = [...this.late].sort(([a], [b]) => a - b).map(([start, part]) => this.sample(start, part, true));
    if (this.next === undefined) {
      if (!caughtUp) return samples;
      this.next = windowStartOf(nowMs, windowMs);
    }
    const horizon = Math.max(this.watermark, caughtUp ? nowMs : Number.NEGATIVE_INFINITY);
    for (
      let start = this.next;
      start + windowMs + latenessMs <= horizon && samples.length < MAX_WINDOWS_PER_TAKE;
      start += windowMs
    ) {
      samples.push(this.sample(start, this.open.get(start), false));
    }
    return samples;
  }

  /**
   * For the end of a closed shard: every late part and open window in order, the last
   * one marked final (an empty final sample when nothing was open) and naming the
   * children. At most MAX_WINDOWS_PER_TAKE per call; like `closed`, they stay open until
   * `sent` is told they went out: call, send and tell until `ended`.
   */
  remaining(nowMs: number, childShardIds: readonly string[]): WindowSample[] {
    const { windowMs } = this.settings;
    if (this.finalWindow === undefined) {
      const opened = Math.max(...this.open.keys(), Number.NEGATIVE_INFINITY);
      this.finalWindow = Math.max(this.next ?? windowStartOf(nowMs, windowMs), opened);
      this.next ??= this.finalWindow;
    }
    // Those closed by the shard's event time first, then the rest up to the final window.
    const samples = this.closed(Number.NEGATIVE_INFINITY, false);
    const final = this.finalWindow;
    const from = samples.findLast((sample) => !sample.late)?.windowEnd ?? this.next ?? final;
    for (let start = from; start <= final && samples.length < MAX_WINDOWS_PER_TAKE; start += windowMs) {
      const sample = this.sample(start, this.open.get(start), false);
      samples.push(start === final ? { ...sample, final: true, childShardIds } : sample);
    }
    return samples;
  }

  /**
   * Samples from `closed` or `remaining` went out (no record was added since): their
   * windows are let go of, and each keeps a mark — the position up to which its records
   * went out — so that a replay of them is skipped.
   */
  sent(samples: readonly WindowSample[]): void {
    for (const sample of samples) {
      const start = sample.windowStart;
      if (!sample.late && start !== this.next) continue;
      const parts = sample.late ? this.late : this.open;
      const part = parts.get(start);
      if (part) {
        const previous = this.marks.get(start);
        if (!previous || compareExtended(part.last, previous) > 0) this.marks.set(start, part.last);
        parts.delete(start);
      }
      if (!sample.late) this.next = start + this.settings.windowMs;
      this.emittedAny = true;
    }
  }

  /** `closed`, told `sent` at once: for a caller whose sending cannot fail. */
  takeClosed(nowMs: number, caughtUp: boolean): WindowSample[] {
    const samples = this.closed(nowMs, caughtUp);
    this.sent(samples);
    return samples;
  }

  /** `remaining`, taken (see takeClosed). */
  takeAll(nowMs: number, childShardIds: readonly string[]): WindowSample[] {
    const samples = this.remaining(nowMs, childShardIds);
    this.sent(samples);
    return samples;
  }

  /** How many windows (open, or late parts) are held in memory now. */
  get heldWindows(): number {
    return this.open.size + this.late.size;
  }

  /** Trade ids held to tell copies from originals, and in how many windows. */
  get heldTradeIds(): { readonly ids: number; readonly windows: number } {
    return { ids: this.seen.heldIds, windows: this.seen.heldWindows };
  }

  /** True once the final sample went out (see remaining). */
  get ended(): boolean {
    return this.finalWindow !== undefined && this.next !== undefined && this.next > this.finalWindow;
  }

  /**
   * Just before the oldest record not yet gone out, or of the oldest window of seen
   * trades still kept; the last record processed when there is neither.
   */
  safeCheckpoint(): ExtendedSequenceNumber {
    let safe = this.lastProcessed;
    const seenFrom = this.seen.oldestResumePoint();
    if (seenFrom && compareExtended(seenFrom, safe) < 0) safe = seenFrom;
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
      ...(this.emittedAny ? {} : { emitted: false as const }),
      marks,
      ...(this.ended ? { final: this.finalWindow } : {}),
    };
    return JSON.stringify(saved);
  }

  private sample(start: number, part: OpenPart | undefined, late: boolean): WindowSample {
    // The first window of a shard read from its start: no record came before it, so no earlier window is owed. Without
    // this, a shard whose first record fell in the window after the others' first (the producer started just before a
    // window's end) left that earlier window waiting for it forever.
    const first = this.fromStart && !this.emittedAny && !late && start === this.next;
    return {
      shardId: this.shardId,
      windowStart: start,
      windowEnd: start + this.settings.windowMs,
      firstSequenceNumber: part ? formatExtended(part.first) : null,
      lastSequenceNumber: part ? formatExtended(part.last) : null,
      late,
      final: false,
      ...(first ? { first: true } : {}),
      childShardIds: [],
      hashKeyRange: this.hashKeyRange,
      summary: part?.summary ?? emptySummary(),
    };
  }
}

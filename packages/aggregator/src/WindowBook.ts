import { createHash } from 'node:crypto';
import {
  emptySummary,
  mergeSummaries,
  reachesFurther,
  stockStats,
  type TradeSummary,
  type WindowSample,
} from '@stock-trades/core';
import type { WindowResult } from './WindowResult.js';
import { type Reporter, windowCoverage } from './windowCoverage.js';

export interface BookSettings {
  /** An incomplete window goes out anyway this long after its first sample arrived. */
  readonly graceMs: number;
  /** A window is forgotten this long after it went out complete (later samples of it are then out of range). */
  readonly retentionMs: number;
  /** A sample whose window starts further than this after its record reached Kinesis is out of range. */
  readonly maxAheadMs: number;
}

/**
 * Why a sample was not added: its window lies too far ahead of its arrival, or was already
 * let go of, or is of another length; or it is a copy of a sample already merged (the stats
 * stream stored it twice, or a replay sent it again) that reaches no further.
 */
export type AddOutcome = 'added' | 'duplicate' | 'ahead' | 'forgotten' | 'other-length';

interface WindowState {
  readonly start: number;
  readonly end: number;
  /** Deduplicated samples by identity (shard, window, first record): the one reaching furthest wins. */
  readonly samples: Map<string, WindowSample>;
  readonly reporters: Map<string, Reporter>;
  readonly firstSeenAt: number;
  /** Opaque position of the record before this window's first sample (for the checkpoint). */
  readonly resumeAfter: unknown;
  emitted: { revision: number; fingerprint: string; complete: boolean; at: number } | undefined;
  dirty: boolean;
}

/** What went out per window, kept with the checkpoint so a replay does not print a window again. */
export type EmittedState = Record<string, [revision: number, fingerprint: string]>;

/** What the book keeps with the checkpoint. */
export interface BookState {
  readonly emitted: EmittedState;
  /** The latest window start forgotten: samples of windows up to it that are not kept are out of range. */
  readonly forgottenUpTo?: number;
  /** The first window any shard reported (not late): no shard owes a report for a window before it. */
  readonly firstWindow?: number;
}

/**
 * The aggregator's windows, as a pure state machine: samples come in, results to emit
 * come out. Results are exact: duplicate samples (a replay after a consumer crash) count
 * once, late samples revise a window, and a window is complete only when every shard
 * open during it has reported (see windowCoverage).
 */
export class WindowBook {
  private readonly windows = new Map<number, WindowState>();
  /** Each shard seen: its range, its last window if it ended, its first if it was read from its start. */
  private readonly shards = new Map<string, { range: Reporter['range']; finalWindow?: number; firstWindow?: number }>();
  /** Revisions already emitted before a restart, for windows that come back in the replay. */
  private readonly restored: Map<number, { revision: number; fingerprint: string }>;

  private forgottenUpTo: number;
  private firstWindow: number;

  constructor(
    private readonly settings: BookSettings,
    state: BookState = { emitted: {} },
  ) {
    this.restored = new Map(
      Object.entries(state.emitted).map(([start, [revision, fingerprint]]) => [
        Number(start),
        { revision, fingerprint },
      ]),
    );
    this.forgottenUpTo = state.forgottenUpTo ?? Number.NEGATIVE_INFINITY;
    this.firstWindow = state.firstWindow ?? Number.POSITIVE_INFINITY;
  }

  /**
   * Adds a sample that reached Kinesis at `arrivalMs`; `resumeAfter` is the position just
   * before it, kept if it opens a window. A sample of a window far ahead of its arrival,
   * or of one already forgotten (which it would start afresh, as a partial result), is
   * not added: nothing it holds can make the book hold more than one window per sample.
   */
  add(sample: WindowSample, nowMs: number, resumeAfter: unknown, arrivalMs: number): AddOutcome {
    let window = this.windows.get(sample.windowStart);
    if (sample.windowStart > arrivalMs + this.settings.maxAheadMs) return 'ahead';
    if (!window && sample.windowStart <= this.forgottenUpTo) return 'forgotten';
    // A worker with another --window in the same application: its samples cannot merge into these windows.
    if (window && window.end !== sample.windowEnd) return 'other-length';
    if (!window) {
      const restored = this.restored.get(sample.windowStart);
      window = {
        start: sample.windowStart,
        end: sample.windowEnd,
        samples: new Map(),
        reporters: new Map(),
        firstSeenAt: nowMs,
        resumeAfter,
        emitted: restored && { ...restored, complete: false, at: nowMs },
        dirty: true,
      };
      this.windows.set(sample.windowStart, window);
    }
    const identity = `${sample.shardId}|${sample.firstSequenceNumber}`;
    const previous = window.samples.get(identity);
    if (previous && !reachesFurther(sample, previous)) return 'duplicate';
    window.samples.set(identity, sample);
    window.dirty = true;
    if (!sample.late) {
      this.firstWindow = Math.min(this.firstWindow, sample.windowStart);
      const known = window.reporters.get(sample.shardId);
      window.reporters.set(sample.shardId, {
        shardId: sample.shardId,
        range: rangeOf(sample),
        final: sample.final || (known?.final ?? false),
        childShardIds: sample.final ? sample.childShardIds : (known?.childShardIds ?? []),
      });
    }
    const shard = this.shards.get(sample.shardId) ?? { range: rangeOf(sample) };
    if (sample.final) shard.finalWindow = sample.windowStart;
    if (sample.first && !sample.late && sample.windowStart < (shard.firstWindow ?? Number.POSITIVE_INFINITY)) {
      // The shard had no record before this window: every window kept from before it has its (empty) report now.
      shard.firstWindow = sample.windowStart;
      for (const earlier of this.windows.values()) if (earlier.start < sample.windowStart) earlier.dirty = true;
    }
    this.shards.set(sample.shardId, shard);
    return 'added';
  }

  /**
   * Results to emit now, oldest window first: a window that became complete, one whose
   * grace period ran out incomplete, and a new revision of any window whose result changed.
   * They count as emitted only once `sent` is told so: results that could not be written
   * are given again by the next call.
   */
  pending(nowMs: number): WindowResult[] {
    const results: WindowResult[] = [];
    for (const window of [...this.windows.values()].sort((a, b) => a.start - b.start)) {
      const graceOver = nowMs - window.firstSeenAt >= this.settings.graceMs;
      if (!window.dirty && (window.emitted || !graceOver)) continue;
      const result = this.resultOf(window);
      if (!window.emitted && !result.complete && !graceOver) continue;
      if (window.emitted?.fingerprint === fingerprintOf(result)) {
        // Changed and changed back (a duplicate that reached further, say): nothing new to show.
        window.dirty = false;
        window.emitted.complete = result.complete;
        continue;
      }
      results.push({ ...result, revision: (window.emitted?.revision ?? 0) + 1 });
    }
    this.forget(nowMs);
    return results;
  }

  /** Results from `pending` were written (no sample was added since): their revisions are the windows' now. */
  sent(results: readonly WindowResult[], nowMs: number): void {
    for (const { revision, ...result } of results) {
      const window = this.windows.get(Date.parse(result.windowStart));
      if (!window) continue;
      window.dirty = false;
      window.emitted = { revision, fingerprint: fingerprintOf(result), complete: result.complete, at: nowMs };
    }
  }

  /** `pending`, told `sent` at once: for a caller whose writing cannot fail. */
  due(nowMs: number): WindowResult[] {
    const results = this.pending(nowMs);
    this.sent(results, nowMs);
    return results;
  }

  /** The opaque position just before the oldest sample of any window still kept. */
  oldestResumePoint(): unknown {
    let oldest: WindowState | undefined;
    for (const window of this.windows.values()) if (!oldest || window.start < oldest.start) oldest = window;
    return oldest?.resumeAfter;
  }

  /** Revision and fingerprint of every window still kept, and how far windows were forgotten, to save with the checkpoint. */
  state(): BookState {
    const emitted: EmittedState = {};
    for (const window of this.windows.values()) {
      if (window.emitted) emitted[window.start] = [window.emitted.revision, window.emitted.fingerprint];
    }
    return {
      emitted,
      ...(Number.isFinite(this.forgottenUpTo) ? { forgottenUpTo: this.forgottenUpTo } : {}),
      ...(Number.isFinite(this.firstWindow) ? { firstWindow: this.firstWindow } : {}),
    };
  }

  get size(): number {
    return this.windows.size;
  }

  private forget(nowMs: number): void {
    for (const [start, window] of this.windows) {
      if (window.emitted?.complete && !window.dirty && nowMs - window.emitted.at >= this.settings.retentionMs) {
        this.windows.delete(start);
        this.restored.delete(start);
        this.forgottenUpTo = Math.max(this.forgottenUpTo, start);
      }
    }
  }

  private resultOf(window: WindowState): Omit<WindowResult, 'revision'> {
    const summary: TradeSummary = mergeSummaries(
      emptySummary(),
      ...[...window.samples.values()].map((sample) => sample.summary),
    );
    // A window before the first any shard reported has only late trades (a consumer that started after it, then
    // read a trade of it): no shard owes it a report, so it is complete with them, not waiting forever.
    const beforeFirst = window.reporters.size === 0 && window.start < this.firstWindow;
    // A shard whose first window (read from its start) comes later reports this one as empty.
    const reporters = new Map(window.reporters);
    for (const [shardId, shard] of this.shards) {
      if (shard.firstWindow !== undefined && shard.firstWindow > window.start && !reporters.has(shardId)) {
        reporters.set(shardId, { shardId, range: shard.range, final: false, childShardIds: [] });
      }
    }
    const coverage = beforeFirst
      ? { complete: true, gaps: [], missingChildren: [] }
      : windowCoverage([...reporters.values()]);
    const stats = stockStats(summary);
    const reported = new Set(reporters.keys());
    const missing = new Set(coverage.missingChildren);
    for (const gap of coverage.gaps) {
      const named = [...this.shards].filter(
        ([shardId, shard]) =>
          !reported.has(shardId) &&
          shard.range !== null &&
          shard.range.start <= gap.end &&
          shard.range.end >= gap.start &&
          (shard.finalWindow === undefined || shard.finalWindow >= window.start),
      );
      if (named.length === 0) missing.add(`hash keys ${gap.start}-${gap.end}`);
      for (const [shardId] of named) missing.add(shardId);
    }
    return {
      windowStart: new Date(window.start).toISOString(),
      windowEnd: new Date(window.end).toISOString(),
      complete: coverage.complete,
      shards: [...reported].sort(),
      missingShards: [...missing].sort(),
      trades: summary.trades,
      malformed: summary.malformed,
      outOfRange: summary.outOfRange,
      duplicates: summary.duplicates,
      mostPopularBuy: stats.mostPopularBuy,
      mostPopularSell: stats.mostPopularSell,
      largestSell: stats.largestSell,
      perTicker: Object.fromEntries(Object.entries(summary.perTicker).sort(([a], [b]) => (a < b ? -1 : 1))),
    };
  }
}

function rangeOf(sample: WindowSample): Reporter['range'] {
  const range = sample.hashKeyRange;
  return range ? { start: BigInt(range.startingHashKey), end: BigInt(range.endingHashKey) } : null;
}

function fingerprintOf(result: Omit<WindowResult, 'revision'>): string {
  return createHash('md5').update(JSON.stringify(result)).digest('hex').slice(0, 16);
}

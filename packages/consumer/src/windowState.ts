import type { ExtendedSequenceNumber } from '@stock-trades/kcl';

/** What a processor keeps beside its checkpoint so a replay counts each trade once. */
export interface SavedState {
  readonly v: 1;
  /** The next window this shard will emit. */
  readonly next: number | null;
  /**
   * false while no window has gone out yet (so an earlier record still moves `next` back
   * instead of being late); left out once one has.
   */
  readonly emitted?: false;
  /** Set when the shard has ended: its last window, which its children report too. */
  readonly final?: number;
  /** windowStart → position up to which the window's records have gone out. */
  readonly marks: Record<string, string>;
}

/** What of a saved state can be trusted, and why the rest was not. */
export interface RestoredState {
  readonly next: number | undefined;
  /** Whether a window has gone out (records before `next` are late). */
  readonly emitted: boolean;
  readonly marks: ReadonlyMap<number, ExtendedSequenceNumber>;
  readonly final: number | undefined;
  /** Set when a state was found and not trusted: one line for the log. */
  readonly problem?: string;
}

export interface StateBounds {
  readonly windowMs: number;
  /** Windows must start no earlier than this… */
  readonly earliestMs: number;
  /** …and no later than this. */
  readonly latestMs: number;
}

/** Saved window state older than this is not trusted, unless told the stream's retention: a day, Kinesis's default. */
export const MAX_STATE_AGE_MS = 24 * 3_600_000;
/** Never trusted however long the stream keeps records (up to a year on AWS): a week of windows is as far as a shard catches up. */
export const STATE_AGE_CAP_MS = 7 * 24 * 3_600_000;

/** The largest time a Date can hold. */
const MAX_DATE_MS = 8.64e15;
const POSITION = /^(\d{1,128})(?:\/(\d{1,9}))?$/;
const EMPTY: RestoredState = { next: undefined, emitted: false, marks: new Map(), final: undefined };

/**
 * Reads a saved state and checks every window in it against the bounds: aligned to the
 * current window length (a state saved by a run with another `--window` is not) and
 * within [earliest, latest]. A state that fails any check is dropped whole, with the
 * reason, so a corrupt or foreign value can never set the windows to 1970 or 2099.
 */
export function restoreState(text: string | undefined, bounds: StateBounds): RestoredState {
  if (!text) return EMPTY;
  let value: Partial<SavedState>;
  try {
    value = JSON.parse(text) as Partial<SavedState>;
  } catch {
    return { ...EMPTY, problem: 'the saved window state is not JSON' };
  }
  if (value?.v !== 1 || typeof value.marks !== 'object' || value.marks === null) {
    return { ...EMPTY, problem: 'the saved window state is not a version-1 state' };
  }
  const bad = (window: unknown) => windowProblem(window, bounds);
  const nextProblem = value.next === null || value.next === undefined ? undefined : bad(value.next);
  if (nextProblem) return { ...EMPTY, problem: `its next window ${nextProblem}` };
  if (value.final !== undefined && bad(value.final)) {
    return { ...EMPTY, problem: `its final window ${bad(value.final)}` };
  }
  const marks = new Map<number, ExtendedSequenceNumber>();
  for (const [start, position] of Object.entries(value.marks)) {
    const problem = bad(Number(start));
    const match = typeof position === 'string' ? POSITION.exec(position) : null;
    if (problem || !match) return { ...EMPTY, problem: `a window mark ${problem ?? 'has no valid position'}` };
    marks.set(Number(start), { sequenceNumber: match[1] ?? '', subSequenceNumber: Number(match[2] ?? 0) });
  }
  const next = value.next ?? undefined;
  return { next, emitted: next !== undefined && value.emitted !== false, marks, final: value.final };
}

/** Why a window start cannot be trusted, or undefined when it can. */
export function windowProblem(window: unknown, bounds: StateBounds): string | undefined {
  if (typeof window !== 'number' || !Number.isSafeInteger(window)) return `is not a time (${String(window)})`;
  const at = Math.abs(window) <= MAX_DATE_MS ? new Date(window).toISOString() : String(window);
  if (window < bounds.earliestMs || window > bounds.latestMs) return `(${at}) is too far from now`;
  if (window % bounds.windowMs !== 0) return `(${at}) does not start a ${bounds.windowMs} ms window`;
  return undefined;
}

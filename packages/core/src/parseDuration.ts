import { InvalidOptionError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** The longest delay a Node timer takes (about 24.8 days); longer ones fire at once, with a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DurationBounds {
  /** Shortest accepted, in ms (default 1: longer than 0). */
  readonly min?: number;
  /** Longest accepted, in ms (default: what a timer can wait). */
  readonly max?: number;
}

/**
 * "250ms", "10s", "1.5m", "2h", or a bare number of seconds, to milliseconds, within
 * `bounds`. `name` is the flag the value came from, for the one-line error.
 */
export function parseDuration(text: string, name: string, bounds: DurationBounds = {}): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new InvalidOptionError(`${name} must be a duration like 500ms, 10s, 5m or 1h, got "${text}"`);
  }
  const [, amount, unit = 's'] = match;
  const ms = Math.round(Number(amount) * (UNIT_MS[unit] ?? 1000));
  const min = bounds.min ?? 1;
  const max = Math.min(bounds.max ?? MAX_TIMER_MS, MAX_TIMER_MS);
  if (!(ms >= min && ms <= max)) {
    const range =
      min === 0 ? `at most ${formatDuration(max)}` : `from ${formatDuration(min)} to ${formatDuration(max)}`;
    throw new InvalidOptionError(`${name} must be ${range}, got "${text}"`);
  }
  return ms;
}

/**
 * 1500 → "1.5s", 90000 → "1.5m", 86400000 → "24h": a duration written back in the largest
 * unit it fills, rounded down to a tenth (2147483647 → "596.5h").
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size) return `${Math.floor((ms / size) * 10) / 10}${unit}`;
  }
  return `${ms}ms`;
}

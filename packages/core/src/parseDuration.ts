import { InvalidOptionError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/**
 * "250ms", "10s", "1.5m", "2h", or a bare number of seconds, to milliseconds.
 * `name` is the flag the value came from, for the error message.
 */
export function parseDuration(text: string, name: string, options: { allowZero?: boolean } = {}): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new InvalidOptionError(`${name} must be a duration like 500ms, 10s, 5m or 1h, got "${text}"`);
  }
  const [, amount, unit = 's'] = match;
  const ms = Math.round(Number(amount) * (UNIT_MS[unit] ?? 1000));
  if (ms < 0 || (ms === 0 && !options.allowZero)) {
    throw new InvalidOptionError(`${name} must be longer than 0, got "${text}"`);
  }
  return ms;
}

import { InvalidOptionError } from './errors.js';

export interface NumberBounds {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** Plain decimal notation: no hex (0x10), binary, exponents, or Infinity, which Number() would take. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/** A flag's text, in decimal, as a number within bounds, or a one-line error naming the flag. */
export function parseNumber(text: string, name: string, bounds: NumberBounds = {}): number {
  const value = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  const kind = bounds.integer ? 'a whole number' : 'a number';
  if (!Number.isFinite(value) || (bounds.integer && !Number.isSafeInteger(value))) {
    throw new InvalidOptionError(`${name} must be ${kind}, got "${text}"`);
  }
  if (bounds.min !== undefined && value < bounds.min) {
    throw new InvalidOptionError(`${name} must be at least ${bounds.min}, got ${value}`);
  }
  if (bounds.max !== undefined && value > bounds.max) {
    throw new InvalidOptionError(`${name} must be at most ${bounds.max}, got ${value}`);
  }
  return value;
}

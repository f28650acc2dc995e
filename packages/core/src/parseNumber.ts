import { InvalidOptionError } from './errors.js';

export interface NumberBounds {
  min?: number;
  max?: number;
  integer?: boolean;
}

/** A flag's text as a number within bounds, or a one-line error naming the flag. */
export function parseNumber(text: string, name: string, bounds: NumberBounds = {}): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
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

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, parseDuration, parseNumber } from '../src/index.js';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['30', 30_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, '--duration')).toBe(ms);
  });

  it.each(['', 'soon', '10 minutes', '-5s', '0s', '1d'])('rejects "%s" naming the flag', (text) => {
    expect(() => parseDuration(text, '--duration')).toThrow(InvalidOptionError);
    expect(() => parseDuration(text, '--duration')).toThrow(/--duration/);
  });
});

describe('parseNumber', () => {
  it('accepts a number within bounds', () => {
    expect(parseNumber('4', '--shards', { integer: true, min: 1, max: 10 })).toBe(4);
    expect(parseNumber('0.5', '--rate', { min: 0.1 })).toBe(0.5);
  });

  it.each([
    ['x', /must be a whole number, got "x"/],
    ['', /must be a whole number/],
    ['2.5', /whole number/],
    ['0', /at least 1/],
    ['11', /at most 10/],
  ])('rejects "%s"', (text, message) => {
    expect(() => parseNumber(text, '--shards', { integer: true, min: 1, max: 10 })).toThrow(message);
  });
});

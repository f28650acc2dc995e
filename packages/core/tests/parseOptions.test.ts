import { describe, expect, it } from 'vitest';
import { InvalidOptionError, parseDuration, parseNumber, parseTimestamp } from '../src/index.js';

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

describe('parseTimestamp', () => {
  it.each([
    '2026-11-26T10:00:00.000Z',
    '2024-02-29T23:59:59.999Z',
    '1970-01-01T00:00:00.000Z',
    '2026-11-26T10:00:00Z',
    '2026-11-26T11:00:00.000+01:00',
  ])('agrees with Date.parse on %s', (text) => {
    expect(parseTimestamp(text)).toBe(Date.parse(text));
  });

  it.each([
    '2026-02-29T10:00:00.000Z',
    '2026-13-01T10:00:00.000Z',
    '2026-11-31T10:00:00.000Z',
    '2026-11-26T24:00:00.000Z',
    '2026-11-26T10:60:00.000Z',
    '2026-11-26T10:00:00.0x0Z',
    'yesterday',
  ])('refuses %s', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });
});

import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  InvalidOptionError,
  parseDuration,
  parseNumber,
  parseStreamName,
  parseTableName,
  parseTimestamp,
} from '../src/index.js';

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

describe('parseDuration bounds', () => {
  it('refuses any duration beyond what a timer can wait, naming the flag and the range', () => {
    expect(() => parseDuration('9999999h', '--failover')).toThrow(
      '--failover must be from 1ms to 596.5h, got "9999999h"',
    );
    expect(parseDuration('596h', '--failover')).toBe(596 * 3_600_000);
  });

  it('keeps a flag within its own bounds, zero only where allowed', () => {
    const window = { min: 1000, max: 3_600_000 };
    expect(parseDuration('1m', '--window', window)).toBe(60_000);
    expect(() => parseDuration('9999999h', '--window', window)).toThrow(
      '--window must be from 1s to 1h, got "9999999h"',
    );
    expect(() => parseDuration('500ms', '--window', window)).toThrow(/from 1s to 1h/);
    expect(parseDuration('0s', '--lateness', { min: 0, max: 600_000 })).toBe(0);
    expect(() => parseDuration('11m', '--lateness', { min: 0, max: 600_000 })).toThrow(
      '--lateness must be at most 10m, got "11m"',
    );
  });

  it.each([
    [1500, '1.5s'],
    [90_000, '1.5m'],
    [86_400_000, '24h'],
    [250, '250ms'],
  ])('writes %d ms back as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
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
    // Number() takes these; a flag in decimal does not.
    ['0x10', /must be a whole number, got "0x10"/],
    ['0b11', /whole number/],
    ['1e1', /whole number/],
    ['Infinity', /whole number/],
  ])('rejects "%s"', (text, message) => {
    expect(() => parseNumber(text, '--shards', { integer: true, min: 1, max: 10 })).toThrow(message);
  });
});

describe('parseStreamName and parseTableName', () => {
  it('take names AWS takes', () => {
    expect(parseStreamName('StockTradeStream', '--stream')).toBe('StockTradeStream');
    expect(parseStreamName('a'.repeat(128), '--stream')).toHaveLength(128);
    expect(parseTableName('App', '--application-name')).toBe('App');
    expect(parseTableName('my_app.v2-test', '--application-name')).toBe('my_app.v2-test');
  });

  it.each([
    ['', /--stream must be a Kinesis stream name: 1-128 letters, digits, "_", "." or "-", got ""/],
    ['bad name!', /got "bad name!"/],
    ['s'.repeat(200), /\(200 characters\)/],
  ])('refuse the stream name "%s" with AWS’s rule', (text, message) => {
    expect(() => parseStreamName(text, '--stream')).toThrow(message);
  });

  it.each([
    ['', /3-255/],
    ['x', /got "x"/],
    ['a'.repeat(300), /\(300 characters\)/],
    ['lease table', /got "lease table"/],
  ])('refuse the application name "%s" with DynamoDB’s rule for table names', (text, message) => {
    expect(() => parseTableName(text, '--application-name')).toThrow(message);
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

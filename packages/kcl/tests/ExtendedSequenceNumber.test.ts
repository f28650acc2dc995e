import { describe, expect, it } from 'vitest';
import {
  compareExtended,
  type ExtendedSequenceNumber,
  formatExtended,
  isSequenceNumber,
  Sentinel,
  sentinel,
} from '../src/ExtendedSequenceNumber.js';

const at = (sequenceNumber: string, subSequenceNumber = 0): ExtendedSequenceNumber => ({
  sequenceNumber,
  subSequenceNumber,
});

describe('compareExtended', () => {
  it('orders TRIM_HORIZON and AT_TIMESTAMP, then LATEST, then real positions, then SHARD_END', () => {
    const ordered = [
      sentinel(Sentinel.TRIM_HORIZON),
      sentinel(Sentinel.LATEST),
      at('0'),
      at('49590338271490256608559692538361571095921575989136588898'),
      sentinel(Sentinel.SHARD_END),
    ];
    for (const [i, a] of ordered.entries()) {
      for (const [j, b] of ordered.entries()) expect(Math.sign(compareExtended(a, b))).toBe(Math.sign(i - j));
    }
    expect(compareExtended(sentinel(Sentinel.AT_TIMESTAMP), sentinel(Sentinel.TRIM_HORIZON))).toBe(0);
    expect(compareExtended(sentinel(Sentinel.AT_TIMESTAMP), sentinel(Sentinel.LATEST))).toBeLessThan(0);
  });

  it('puts SHARD_END after any position, whatever its sub-sequence number', () => {
    expect(compareExtended(sentinel(Sentinel.SHARD_END), at('999', 5))).toBe(1);
    expect(compareExtended(at('999', 5), sentinel(Sentinel.SHARD_END))).toBe(-1);
    expect(compareExtended(sentinel(Sentinel.SHARD_END), sentinel(Sentinel.SHARD_END))).toBe(0);
  });

  it('compares real positions by sequence number first, then by sub-sequence number', () => {
    expect(compareExtended(at('10', 9), at('11', 0))).toBe(-1);
    expect(compareExtended(at('11', 0), at('10', 9))).toBe(1);
    expect(compareExtended(at('10', 2), at('10', 3))).toBeLessThan(0);
    expect(compareExtended(at('10', 3), at('10', 3))).toBe(0);
  });
});

describe('formatExtended', () => {
  it('writes a sub-sequence number only when there is one to write', () => {
    expect(formatExtended(at('42'))).toBe('42');
    expect(formatExtended(at('42', 3))).toBe('42/3');
    expect(formatExtended({ sequenceNumber: 'SHARD_END', subSequenceNumber: 1 })).toBe('SHARD_END');
  });
});

describe('isSequenceNumber', () => {
  it('accepts only the digits Kinesis issues, up to 128 of them', () => {
    expect(isSequenceNumber('49590338271490256608559692538361571095921575989136588898')).toBe(true);
    expect(isSequenceNumber('7')).toBe(true);
    expect(isSequenceNumber('9'.repeat(128))).toBe(true);
    for (const value of ['', 'TRIM_HORIZON', '12a', 'a12', '1 2', '9'.repeat(129)]) {
      expect(isSequenceNumber(value)).toBe(false);
    }
  });
});

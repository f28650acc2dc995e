import { describe, expect, it } from 'vitest';
import { parseSample, sampleToJson, type WindowSample } from '../src/index.js';

const sample: WindowSample = {
  shardId: 'shardId-000000000004',
  windowStart: Date.UTC(2026, 10, 26, 10),
  windowEnd: Date.UTC(2026, 10, 26, 10, 1),
  firstSequenceNumber: '49590338271490256608559692538361571095921575989136588898/3',
  lastSequenceNumber: '49590338271490256608559692538361571095921575989136588999',
  late: false,
  final: true,
  childShardIds: ['shardId-000000000008', 'shardId-000000000009'],
  hashKeyRange: { startingHashKey: '0', endingHashKey: '170141183460469231731687303715884105727' },
  summary: {
    trades: 2,
    malformed: 1,
    outOfRange: 2,
    duplicates: 3,
    perTicker: { KO: { buys: 1, sells: 1, boughtQuantity: 5, soldQuantity: 700 } },
    largestSell: { ticker: 'KO', quantity: 700, tradeId: 12 },
  },
};

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('window samples on the wire', () => {
  it('round-trip through JSON exactly', () => {
    expect(parseSample(bytes(sampleToJson(sample)))).toEqual({ ok: true, sample });
    // A shard's first sample says so; on any other the field is left out (a sample of before it reads the same).
    const first = { ...sample, first: true };
    expect(parseSample(bytes(sampleToJson(first)))).toStrictEqual({ ok: true, sample: first });
    expect(sampleToJson(sample)).not.toHaveProperty('first');
  });

  it.each([
    ['not JSON', '{"v":1,', /not JSON/],
    ['another version', { ...sampleToJson(sample), v: 2 }, /version-1/],
    ['no window', { ...sampleToJson(sample), windowStart: 'soon' }, /window/],
    ['no summary', { ...sampleToJson(sample), trades: 'many' }, /summary/],
    [
      'a bad hash range',
      { ...sampleToJson(sample), hashKeyRange: { startingHashKey: '-1', endingHashKey: 'x' } },
      /hash key range/,
    ],
  ])('refuse %s, saying why', (_, value, reason) => {
    const result = parseSample(bytes(value));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

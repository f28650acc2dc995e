import { describe, expect, it } from 'vitest';
import { checkSample, type KnownShard, type TradeSummary, type WindowSample } from '../src/index.js';

const W = 10_000;
const T0 = Date.UTC(2026, 11, 4, 10);
const LOWER: KnownShard = {
  startingHashKey: '0',
  endingHashKey: '170141183460469231731687303715884105727',
  closed: false,
};
const shards = new Map<string, KnownShard>([
  ['shardId-000000000000', LOWER],
  ['shardId-000000000001', { ...LOWER, closed: true }],
]);
const checks = { windowMs: W, oldestWindowMs: T0 - 86_400_000, shards };

function summary(overrides: Partial<TradeSummary> = {}): TradeSummary {
  return {
    trades: 3,
    malformed: 0,
    outOfRange: 0,
    duplicates: 0,
    perTicker: {
      KO: { buys: 1, sells: 1, boughtQuantity: 10, soldQuantity: 700 },
      GE: { buys: 1, sells: 0, boughtQuantity: 5, soldQuantity: 0 },
    },
    largestSell: { ticker: 'KO', quantity: 700, tradeId: 9 },
    ...overrides,
  };
}

function sample(overrides: Partial<WindowSample> = {}): WindowSample {
  return {
    shardId: 'shardId-000000000000',
    windowStart: T0,
    windowEnd: T0 + W,
    firstSequenceNumber: '1',
    lastSequenceNumber: '2',
    late: false,
    final: false,
    childShardIds: [],
    hashKeyRange: { startingHashKey: LOWER.startingHashKey, endingHashKey: LOWER.endingHashKey },
    summary: summary(),
    ...overrides,
  };
}

describe('checkSample', () => {
  it('takes a sample a consumer could have sent, and an empty one', () => {
    expect(checkSample(sample(), checks)).toBeUndefined();
    const empty = { ...summary(), trades: 0, perTicker: {}, largestSell: null };
    expect(checkSample(sample({ summary: empty, firstSequenceNumber: null }), checks)).toBeUndefined();
    expect(checkSample(sample({ shardId: 'shardId-000000000001', final: true }), checks)).toBeUndefined();
  });

  it.each([
    ['a negative trade count (a forged sample)', { summary: summary({ trades: -1_000_000 }) }, 'counts', /not a count/],
    ['a count that is not whole', { summary: summary({ duplicates: 0.5 }) }, 'counts', /duplicates/],
    ['trades that the tickers do not add up to', { summary: summary({ trades: 4 }) }, 'counts', /add up to 3/],
    [
      'more shares than a million a trade',
      { summary: summary({ perTicker: { GE: { buys: 3, sells: 0, boughtQuantity: 3_000_001, soldQuantity: 0 } } }) },
      'counts',
      /more shares/,
    ],
    ['sells without a largest sell', { summary: summary({ largestSell: null }) }, 'counts', /without a largest/],
    [
      'a largest sell of a ticker with no sells',
      { summary: summary({ largestSell: { ticker: 'GE', quantity: 5, tradeId: 1 } }) },
      'counts',
      /no sells/,
    ],
    [
      'a largest sell bigger than what was sold',
      { summary: summary({ largestSell: { ticker: 'KO', quantity: 701, tradeId: 1 } }) },
      'counts',
      /more shares than KO sold/,
    ],
    ['a window of another length', { windowEnd: T0 + 2 * W }, 'window', /20000 ms window/],
    ['a window not aligned to its length', { windowStart: T0 + 1, windowEnd: T0 + W + 1 }, 'window', /aligned/],
    ['a window of 1970', { windowStart: 0, windowEnd: W }, 'too-old', /1970-01-01/],
    ['a shard the stream does not have', { shardId: 'shardId-000000000099' }, 'shard', /not a shard/],
    [
      'a real shard claiming the whole hash-key space',
      { hashKeyRange: { startingHashKey: '0', endingHashKey: String(2n ** 128n - 1n) } },
      'shard',
      /not that shard's/,
    ],
    ['a final sample of an open shard', { final: true }, 'shard', /has not ended/],
  ])('rejects %s', (_, overrides, reason, detail) => {
    const rejection = checkSample(sample(overrides as Partial<WindowSample>), checks);
    expect(rejection?.reason).toBe(reason);
    expect(rejection?.detail).toMatch(detail);
  });

  it('takes any length while the pipeline’s is not known, and any shard while the shards are not', () => {
    expect(checkSample(sample({ windowEnd: T0 + 2 * W }), { ...checks, windowMs: undefined })).toBeUndefined();
    expect(checkSample(sample({ shardId: 'other' }), { ...checks, shards: undefined })).toBeUndefined();
  });
});

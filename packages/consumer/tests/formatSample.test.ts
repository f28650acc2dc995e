import { emptySummary } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { formatSample } from '../src/index.js';

describe('formatSample', () => {
  it('prints the tutorial’s lines for a shard and a window', () => {
    const summary = {
      trades: 7,
      malformed: 1,
      outOfRange: 0,
      duplicates: 0,
      perTicker: {
        AMZN: { buys: 3, sells: 1, boughtQuantity: 30, soldQuantity: 5 },
        AAPL: { buys: 3, sells: 0, boughtQuantity: 9, soldQuantity: 0 },
        XOM: { buys: 0, sells: 2, boughtQuantity: 0, soldQuantity: 8100 },
      },
      largestSell: { ticker: 'XOM', quantity: 8000, tradeId: 12 },
    };
    const text = formatSample({
      shardId: 'shardId-000000000001',
      windowStart: Date.UTC(2026, 10, 26, 10, 0),
      windowEnd: Date.UTC(2026, 10, 26, 10, 1),
      firstSequenceNumber: '1',
      lastSequenceNumber: '9',
      late: false,
      final: false,
      childShardIds: [],
      hashKeyRange: null,
      summary,
    });
    expect(text.split('\n')).toEqual([
      '****** Shard shardId-000000000001 stats for last 1 minute (10:00:00–10:01:00 UTC) ******',
      'Most popular stock being bought: AAPL, 3 buys.',
      'Most popular stock being sold: XOM, 2 sells.',
      'Largest sell order: 8000 shares of XOM.',
      'Trades: 7 (1 malformed records skipped).',
      '*'.repeat(88),
      '',
    ]);
  });

  it('says none for an empty window', () => {
    const text = formatSample({
      shardId: 's',
      windowStart: 0,
      windowEnd: 10_000,
      firstSequenceNumber: null,
      lastSequenceNumber: null,
      late: false,
      final: false,
      childShardIds: [],
      hashKeyRange: null,
      summary: emptySummary(),
    });
    expect(text).toContain('Most popular stock being bought: none, 0 buys.');
    expect(text).toContain('Largest sell order: none.');
    expect(text).toContain('stats for last 10 seconds');
  });
});

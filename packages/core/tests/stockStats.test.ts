import { describe, expect, it } from 'vitest';
import { addTrade, emptySummary, mergeSummaries, stockStats, type TradeSummary } from '../src/index.js';
import { aTrade } from './helpers/tradeFactory.js';

function summaryOf(trades: Parameters<typeof aTrade>[0][]): TradeSummary {
  const summary = emptySummary();
  trades.forEach((overrides, index) => {
    addTrade(summary, aTrade({ id: index + 1, ...overrides }));
  });
  return summary;
}

describe('stockStats', () => {
  it('finds the most popular stock bought and sold by number of trades, not shares', () => {
    const stats = stockStats(
      summaryOf([
        { tickerSymbol: 'AMZN', quantity: 1 },
        { tickerSymbol: 'AMZN', quantity: 1 },
        { tickerSymbol: 'GOOG', quantity: 9000 },
        { tickerSymbol: 'XOM', tradeType: 'SELL', quantity: 10 },
      ]),
    );
    expect(stats.mostPopularBuy).toEqual({ ticker: 'AMZN', count: 2 });
    expect(stats.mostPopularSell).toEqual({ ticker: 'XOM', count: 1 });
    expect(stats.largestSell).toEqual({ ticker: 'XOM', quantity: 10, tradeId: 4 });
    expect(stats.trades).toBe(4);
  });

  it('breaks ties by ticker symbol, ascending, whatever the arrival order', () => {
    const a = stockStats(summaryOf([{ tickerSymbol: 'MSFT' }, { tickerSymbol: 'AAPL' }]));
    const b = stockStats(summaryOf([{ tickerSymbol: 'AAPL' }, { tickerSymbol: 'MSFT' }]));
    expect(a.mostPopularBuy).toEqual({ ticker: 'AAPL', count: 1 });
    expect(b.mostPopularBuy).toEqual(a.mostPopularBuy);
    const sells = stockStats(
      summaryOf([
        { tickerSymbol: 'T', tradeType: 'SELL', quantity: 500 },
        { tickerSymbol: 'KO', tradeType: 'SELL', quantity: 500 },
      ]),
    );
    expect(sells.largestSell?.ticker).toBe('KO');
  });

  it('gives nulls for an empty window', () => {
    expect(stockStats(emptySummary())).toEqual({
      mostPopularBuy: null,
      mostPopularSell: null,
      largestSell: null,
      trades: 0,
      malformed: 0,
      outOfRange: 0,
      duplicates: 0,
    });
  });
});

describe('mergeSummaries', () => {
  const parts = [
    summaryOf([{ tickerSymbol: 'AMZN' }, { tickerSymbol: 'KO', tradeType: 'SELL', quantity: 700 }]),
    summaryOf([
      { tickerSymbol: 'KO', tradeType: 'SELL', quantity: 700, id: 1 },
      { tickerSymbol: 'AMZN', quantity: 5 },
    ]),
    summaryOf([{ tickerSymbol: 'T', tradeType: 'SELL', quantity: 9000 }]),
  ];

  it('equals the summary of all the trades at once, in any order and grouping', () => {
    const ab_c = mergeSummaries(
      mergeSummaries(parts[0] ?? emptySummary(), parts[1] ?? emptySummary()),
      parts[2] ?? emptySummary(),
    );
    const a_bc = mergeSummaries(
      parts[0] ?? emptySummary(),
      mergeSummaries(parts[1] ?? emptySummary(), parts[2] ?? emptySummary()),
    );
    const cba = mergeSummaries(...[...parts].reverse());
    expect(a_bc).toEqual(ab_c);
    expect(cba).toEqual(ab_c);
    expect(ab_c.trades).toBe(5);
    expect(ab_c.perTicker.AMZN).toEqual({ buys: 2, sells: 0, boughtQuantity: 21, soldQuantity: 0 });
    expect(ab_c.largestSell).toEqual({ ticker: 'T', quantity: 9000, tradeId: 1 });
  });

  it('does not change its inputs', () => {
    const before = JSON.stringify(parts);
    mergeSummaries(...parts);
    expect(JSON.stringify(parts)).toBe(before);
  });
});

import type { StockTrade } from '@stock-trades/core';

let nextId = 1;

/** A valid trade, each with an id of its own (two trades are never copies of each other); override any field. */
export function aTrade(overrides: Partial<StockTrade> = {}): StockTrade {
  return {
    tickerSymbol: 'AMZN',
    tradeType: 'BUY',
    price: 395.87,
    quantity: 16,
    id: nextId++,
    timestamp: '2026-11-26T10:00:00.000Z',
    ...overrides,
  };
}

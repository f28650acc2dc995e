import type { StockTrade } from '@stock-trades/core';

/** A valid trade; override any field. */
export function aTrade(overrides: Partial<StockTrade> = {}): StockTrade {
  return {
    tickerSymbol: 'AMZN',
    tradeType: 'BUY',
    price: 395.87,
    quantity: 16,
    id: 3,
    timestamp: '2026-11-26T10:00:00.000Z',
    ...overrides,
  };
}

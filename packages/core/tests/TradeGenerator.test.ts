import { describe, expect, it } from 'vitest';
import { MAX_PRICE_DEVIATION, MAX_QUANTITY, PROBABILITY_SELL, TUTORIAL_STOCK_PRICES } from '../src/index.js';
import { TradeGenerator } from '../src/TradeGenerator.js';

const SAMPLE = 20_000;
const meanPrice = new Map<string, number>(TUTORIAL_STOCK_PRICES.map((stock) => [stock.tickerSymbol, stock.price]));

function generate(seed: number, count = SAMPLE) {
  const generator = new TradeGenerator({ seed, now: () => Date.UTC(2026, 10, 26, 10) });
  return Array.from({ length: count }, () => generator.next());
}

describe('TradeGenerator', () => {
  const trades = generate(42);

  it('draws from exactly the tutorial’s 25 tickers', () => {
    // Assess
    const seen = new Set(trades.map((trade) => trade.tickerSymbol));
    expect(TUTORIAL_STOCK_PRICES).toHaveLength(25);
    expect([...seen].sort()).toEqual([...meanPrice.keys()].sort());
  });

  it('prices each trade within 20 % of its stock’s mean, rounded to cents', () => {
    for (const trade of trades) {
      const mean = meanPrice.get(trade.tickerSymbol) ?? Number.NaN;
      // Rounding to cents may step a hair past the band's edge.
      expect(trade.price).toBeGreaterThanOrEqual(mean * (1 - MAX_PRICE_DEVIATION) - 0.005);
      expect(trade.price).toBeLessThanOrEqual(mean * (1 + MAX_PRICE_DEVIATION) + 0.005);
      expect(Math.round(trade.price * 100) / 100).toBe(trade.price);
    }
    // The band is used, not just its middle.
    const deviations = trades.map((trade) => trade.price / (meanPrice.get(trade.tickerSymbol) ?? 1) - 1);
    expect(Math.min(...deviations)).toBeLessThan(-0.19);
    expect(Math.max(...deviations)).toBeGreaterThan(0.19);
  });

  it('makes about 40 % of trades sells', () => {
    const sells = trades.filter((trade) => trade.tradeType === 'SELL').length / trades.length;
    // 20 000 draws: the standard error is 0.35 %, so 1.5 % is more than four of them.
    expect(sells).toBeGreaterThan(PROBABILITY_SELL - 0.015);
    expect(sells).toBeLessThan(PROBABILITY_SELL + 0.015);
  });

  it('draws whole quantities from 1 to 10000', () => {
    const quantities = trades.map((trade) => trade.quantity);
    expect(quantities.every((quantity) => Number.isInteger(quantity))).toBe(true);
    expect(Math.min(...quantities)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...quantities)).toBeLessThanOrEqual(MAX_QUANTITY);
    expect(Math.min(...quantities)).toBeLessThan(50);
    expect(Math.max(...quantities)).toBeGreaterThan(MAX_QUANTITY - 50);
  });

  it('numbers trades 1, 2, 3, … and stamps them with the clock', () => {
    expect(trades.map((trade) => trade.id)).toEqual(Array.from({ length: SAMPLE }, (_, index) => index + 1));
    expect(new Set(trades.map((trade) => trade.timestamp))).toEqual(new Set(['2026-11-26T10:00:00.000Z']));
  });

  it('repeats a run exactly with the same seed, and not with another', () => {
    expect(generate(42, 500)).toEqual(trades.slice(0, 500));
    expect(generate(43, 500)).not.toEqual(trades.slice(0, 500));
  });

  it('makes the same trades whether or not random partition keys are drawn', () => {
    // Prepare
    const plain = new TradeGenerator({ seed: 7, now: () => 0 });
    const withKeys = new TradeGenerator({ seed: 7, now: () => 0 });
    // Act
    const a = Array.from({ length: 100 }, () => plain.next());
    const b = Array.from({ length: 100 }, () => {
      withKeys.randomKey();
      return withKeys.next();
    });
    // Assess
    expect(b).toEqual(a);
    expect(withKeys.randomKey()).toMatch(/^[0-9a-f]{16}$/);
  });
});

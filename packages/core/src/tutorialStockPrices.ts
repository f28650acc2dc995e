/** The tutorial's 25 stocks and the mean price each trades around (StockTradeGenerator.java). */
export const TUTORIAL_STOCK_PRICES = [
  { tickerSymbol: 'AAPL', price: 119.72 },
  { tickerSymbol: 'XOM', price: 91.56 },
  { tickerSymbol: 'GOOG', price: 527.83 },
  { tickerSymbol: 'BRK.A', price: 223999.88 },
  { tickerSymbol: 'MSFT', price: 42.36 },
  { tickerSymbol: 'WFC', price: 54.21 },
  { tickerSymbol: 'JNJ', price: 99.78 },
  { tickerSymbol: 'WMT', price: 85.91 },
  { tickerSymbol: 'CHL', price: 66.96 },
  { tickerSymbol: 'GE', price: 24.64 },
  { tickerSymbol: 'NVS', price: 102.46 },
  { tickerSymbol: 'PG', price: 85.05 },
  { tickerSymbol: 'JPM', price: 57.82 },
  { tickerSymbol: 'RDS.A', price: 66.72 },
  { tickerSymbol: 'CVX', price: 110.43 },
  { tickerSymbol: 'PFE', price: 33.07 },
  { tickerSymbol: 'FB', price: 74.44 },
  { tickerSymbol: 'VZ', price: 49.09 },
  { tickerSymbol: 'PTR', price: 111.08 },
  { tickerSymbol: 'BUD', price: 120.39 },
  { tickerSymbol: 'ORCL', price: 43.4 },
  { tickerSymbol: 'KO', price: 41.23 },
  { tickerSymbol: 'T', price: 34.64 },
  { tickerSymbol: 'DIS', price: 101.73 },
  { tickerSymbol: 'AMZN', price: 370.56 },
] as const;

/** A price is the mean moved by up to this fraction either way. */
export const MAX_PRICE_DEVIATION = 0.2;
/** Quantities are drawn from 1 to this many shares. */
export const MAX_QUANTITY = 10_000;
/** Share of trades that are sells. */
export const PROBABILITY_SELL = 0.4;

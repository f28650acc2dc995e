import { en, Faker } from '@faker-js/faker';
import { type StockTrade, TradeType } from './StockTrade.js';
import { MAX_PRICE_DEVIATION, MAX_QUANTITY, PROBABILITY_SELL, TUTORIAL_STOCK_PRICES } from './tutorialStockPrices.js';

export interface TradeGeneratorOptions {
  /** Same seed, same trades (prices, types, quantities, tickers). Random when absent. */
  seed?: number;
  /** First trade id; ids then count up by one. Default 1, as in the tutorial. */
  firstId?: number;
  /** Event time of each trade; default the wall clock. */
  now?: () => number;
  /** Stamped on every trade (see StockTrade.producerId); none when absent. */
  producerId?: string;
}

/**
 * The tutorial's StockTradeGenerator: a random stock of the 25, price = its mean
 * ± up to 20 % rounded to cents, 40 % sells, 1-10000 shares, ids from a counter.
 */
export class TradeGenerator {
  private readonly faker: Faker;
  /** A source of its own, so the partition-key mode never changes the trades a seed makes. */
  private readonly keyFaker: Faker;
  private readonly now: () => number;
  private readonly producerId: string | undefined;
  private nextId: number;

  constructor(options: TradeGeneratorOptions = {}) {
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    this.faker = new Faker({ locale: [en] });
    this.faker.seed(seed);
    this.keyFaker = new Faker({ locale: [en] });
    this.keyFaker.seed([seed, 1]);
    this.now = options.now ?? Date.now;
    this.nextId = options.firstId ?? 1;
    this.producerId = options.producerId;
  }

  next(): StockTrade {
    const stock = this.faker.helpers.arrayElement(TUTORIAL_STOCK_PRICES);
    const deviation = (this.faker.number.float({ min: 0, max: 1 }) - 0.5) * 2 * MAX_PRICE_DEVIATION;
    const price = Math.round(stock.price * (1 + deviation) * 100) / 100;
    const tradeType = this.faker.number.float({ min: 0, max: 1 }) < PROBABILITY_SELL ? TradeType.SELL : TradeType.BUY;
    const quantity = this.faker.number.int({ min: 1, max: MAX_QUANTITY });
    const id = this.nextId++;
    return {
      tickerSymbol: stock.tickerSymbol,
      tradeType,
      price,
      quantity,
      id,
      timestamp: new Date(this.now()).toISOString(),
      ...(this.producerId === undefined ? {} : { producerId: this.producerId }),
    };
  }

  /** A random partition key, repeatable with the seed (for `--partition-key random`). */
  randomKey(): string {
    return this.keyFaker.string.hexadecimal({ length: 16, casing: 'lower', prefix: '' });
  }
}

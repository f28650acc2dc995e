export const TradeType = {
  BUY: 'BUY',
  SELL: 'SELL',
} as const;
export type TradeType = (typeof TradeType)[keyof typeof TradeType];

/**
 * One trade, with the tutorial's JSON fields plus the event time it happened
 * (`timestamp`, ISO-8601 UTC), which the consumer's windows are built on.
 */
export interface StockTrade {
  readonly tickerSymbol: string;
  readonly tradeType: TradeType;
  /** Price per share in dollars, rounded to cents. */
  readonly price: number;
  /** Number of shares, 1 or more. */
  readonly quantity: number;
  /** Unique per producer run, counting up from 1. */
  readonly id: number;
  readonly timestamp: string;
  /**
   * The producer run that made it (random per run; absent in trades from other producers).
   * With `id` it names the trade: a copy Kinesis stored twice carries both, and is counted once.
   */
  readonly producerId?: string;
}

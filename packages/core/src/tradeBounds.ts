/**
 * What a trade may hold, documented and checked at every stage (docs/reference.md): a
 * quantity of at most a million shares keeps every sum exact — a window would need nine
 * billion trades before a total passed 2^53 — and a price of at most a million dollars,
 * above any share ever quoted.
 */
export const TRADE_BOUNDS = {
  maxTickerLength: 16,
  maxQuantity: 1_000_000,
  maxPrice: 1_000_000,
} as const;

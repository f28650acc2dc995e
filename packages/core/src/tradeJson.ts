import { MalformedTradeError } from './errors.js';
import { parseTimestamp } from './parseTimestamp.js';
import { type StockTrade, TradeType } from './StockTrade.js';
import { TRADE_BOUNDS } from './tradeBounds.js';

/** A parsed trade comes with its timestamp in ms since the epoch, already computed. */
export type ParseTradeResult =
  | { ok: true; trade: StockTrade; timestampMs: number }
  | { ok: false; error: MalformedTradeError };

const MAX_TICKER_LENGTH = TRADE_BOUNDS.maxTickerLength;
/** A producer run's id: 1-64 letters, digits, '-' or '_'. */
const PRODUCER_ID = /^[A-Za-z0-9_-]{1,64}$/;
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The trade as the bytes a Kinesis record carries: UTF-8 JSON, fields in a fixed order. */
export function serializeTrade(trade: StockTrade): Uint8Array {
  return new TextEncoder().encode(tradeToJson(trade));
}

export function tradeToJson(trade: StockTrade): string {
  const { tickerSymbol, tradeType, price, quantity, id, timestamp, producerId } = trade;
  return JSON.stringify({ tickerSymbol, tradeType, price, quantity, id, timestamp, producerId });
}

/** Parses record bytes into a trade; never throws: bad data comes back as an error naming what is wrong. */
export function parseTrade(data: Uint8Array | string): ParseTradeResult {
  let text: string;
  try {
    text = typeof data === 'string' ? data : decoder.decode(data);
  } catch {
    return fail(undefined, 'record is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(undefined, `record is not JSON: ${preview(text)}`);
  }
  return validateTrade(value);
}

/** Checks that a parsed JSON value has the shape of a trade. */
export function validateTrade(value: unknown): ParseTradeResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(undefined, `record is not a JSON object: ${preview(JSON.stringify(value))}`);
  }
  const record = value as Record<string, unknown>;
  const { tickerSymbol, tradeType, price, quantity, id, timestamp, producerId } = record;
  if (typeof tickerSymbol !== 'string' || tickerSymbol.length === 0 || tickerSymbol.length > MAX_TICKER_LENGTH) {
    return fail(
      'tickerSymbol',
      `tickerSymbol must be a string of 1-${MAX_TICKER_LENGTH} characters, got ${show(tickerSymbol)}`,
    );
  }
  if (tradeType !== TradeType.BUY && tradeType !== TradeType.SELL) {
    return fail('tradeType', `tradeType must be "BUY" or "SELL", got ${show(tradeType)}`);
  }
  if (typeof price !== 'number' || !Number.isFinite(price) || price <= 0 || price > TRADE_BOUNDS.maxPrice) {
    return fail('price', `price must be a positive number up to ${TRADE_BOUNDS.maxPrice}, got ${show(price)}`);
  }
  if (
    typeof quantity !== 'number' ||
    !Number.isSafeInteger(quantity) ||
    quantity < 1 ||
    quantity > TRADE_BOUNDS.maxQuantity
  ) {
    return fail(
      'quantity',
      `quantity must be a whole number from 1 to ${TRADE_BOUNDS.maxQuantity}, got ${show(quantity)}`,
    );
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    return fail('id', `id must be a non-negative whole number, got ${show(id)}`);
  }
  const timestampMs = typeof timestamp === 'string' ? parseTimestamp(timestamp) : Number.NaN;
  if (typeof timestamp !== 'string' || Number.isNaN(timestampMs)) {
    return fail('timestamp', `timestamp must be an ISO-8601 date-time, got ${show(timestamp)}`);
  }
  if (producerId !== undefined && (typeof producerId !== 'string' || !PRODUCER_ID.test(producerId))) {
    return fail('producerId', `producerId must be 1-64 letters, digits, "-" or "_", got ${show(producerId)}`);
  }
  // The parsed object itself when it has just the trade's fields (the hot path); a copy without the extras otherwise.
  const trade = hasOnlyTradeFields(record, producerId !== undefined)
    ? (record as unknown as StockTrade)
    : { tickerSymbol, tradeType, price, quantity, id, timestamp, ...(producerId === undefined ? {} : { producerId }) };
  return { ok: true, trade, timestampMs };
}

const TRADE_FIELD_COUNT = 6;

function hasOnlyTradeFields(record: Record<string, unknown>, withProducer: boolean): boolean {
  let count = 0;
  for (const _ in record) count++;
  return count === TRADE_FIELD_COUNT + (withProducer ? 1 : 0);
}

function fail(field: string | undefined, message: string): ParseTradeResult {
  return { ok: false, error: new MalformedTradeError(field, message) };
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : preview(JSON.stringify(value));
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

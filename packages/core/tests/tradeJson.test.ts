import { describe, expect, it } from 'vitest';
import { MalformedTradeError, parseTrade, serializeTrade, tradeToJson } from '../src/index.js';
import { aTrade } from './helpers/tradeFactory.js';

describe('trade JSON', () => {
  it('round-trips a trade through record bytes', () => {
    const trade = aTrade({ tradeType: 'SELL', price: 0.01, quantity: 10_000, id: 0 });
    expect(parseTrade(serializeTrade(trade))).toEqual({ ok: true, trade, timestampMs: Date.parse(trade.timestamp) });
  });

  it('writes the tutorial’s fields in its order, then the timestamp, then the producer run when there is one', () => {
    expect(tradeToJson(aTrade({ id: 3 }))).toBe(
      '{"tickerSymbol":"AMZN","tradeType":"BUY","price":395.87,"quantity":16,"id":3,"timestamp":"2026-11-26T10:00:00.000Z"}',
    );
    expect(tradeToJson(aTrade({ id: 3, producerId: 'Zq3_x-9A' }))).toBe(
      '{"tickerSymbol":"AMZN","tradeType":"BUY","price":395.87,"quantity":16,"id":3,"timestamp":"2026-11-26T10:00:00.000Z","producerId":"Zq3_x-9A"}',
    );
  });

  it('round-trips the producer run, and refuses one that is not a short name', () => {
    const trade = aTrade({ producerId: 'Zq3_x-9A' });
    expect(parseTrade(serializeTrade(trade))).toMatchObject({ ok: true, trade });
    for (const producerId of ['', 'a b', 'x'.repeat(65), 42]) {
      const result = parseTrade(JSON.stringify({ ...aTrade(), producerId }));
      expect(result).toMatchObject({ ok: false, error: { field: 'producerId' } });
    }
  });

  it('ignores fields it does not know', () => {
    const trade = aTrade({ producerId: 'run1' });
    const result = parseTrade(JSON.stringify({ ...trade, venue: 'XNAS' }));
    expect(result).toEqual({ ok: true, trade, timestampMs: Date.UTC(2026, 10, 26, 10) });
  });

  const malformed: Array<[string, Uint8Array | string, string | undefined, RegExp]> = [
    ['bytes that are not UTF-8', new Uint8Array([0xff, 0xfe, 0x7b]), undefined, /not valid UTF-8/],
    ['text that is not JSON', '{"tickerSymbol":', undefined, /not JSON/],
    ['a JSON array', '[1,2]', undefined, /not a JSON object/],
    ['JSON null', 'null', undefined, /not a JSON object/],
    ['a missing ticker', JSON.stringify({ ...aTrade(), tickerSymbol: undefined }), 'tickerSymbol', /got nothing/],
    ['an empty ticker', JSON.stringify({ ...aTrade(), tickerSymbol: '' }), 'tickerSymbol', /tickerSymbol/],
    ['a numeric ticker', JSON.stringify({ ...aTrade(), tickerSymbol: 7 }), 'tickerSymbol', /got 7/],
    ['an unknown trade type', JSON.stringify({ ...aTrade(), tradeType: 'HOLD' }), 'tradeType', /"HOLD"/],
    ['a lower-case trade type', JSON.stringify({ ...aTrade(), tradeType: 'buy' }), 'tradeType', /"buy"/],
    ['a price as text', JSON.stringify({ ...aTrade(), price: '12.5' }), 'price', /positive number/],
    ['a negative price', JSON.stringify({ ...aTrade(), price: -1 }), 'price', /got -1/],
    ['a zero quantity', JSON.stringify({ ...aTrade(), quantity: 0 }), 'quantity', /from 1 to 1000000/],
    // Sums of quantities this large are no longer exact in a double.
    ['a quantity of 2^53 - 1', JSON.stringify({ ...aTrade(), quantity: 2 ** 53 - 1 }), 'quantity', /from 1 to 1000000/],
    ['a price over a million', JSON.stringify({ ...aTrade(), price: 1_000_000.01 }), 'price', /up to 1000000/],
    ['a fractional quantity', JSON.stringify({ ...aTrade(), quantity: 1.5 }), 'quantity', /whole number/],
    ['a negative id', JSON.stringify({ ...aTrade(), id: -4 }), 'id', /non-negative/],
    [
      'an id past 2^53',
      '{"tickerSymbol":"T","tradeType":"BUY","price":1,"quantity":1,"id":9007199254740993,"timestamp":"2026-11-26T10:00:00Z"}',
      'id',
      /whole number/,
    ],
    ['a missing timestamp', JSON.stringify({ ...aTrade(), timestamp: undefined }), 'timestamp', /ISO-8601/],
    [
      'a timestamp that is no date',
      JSON.stringify({ ...aTrade(), timestamp: 'yesterday' }),
      'timestamp',
      /"yesterday"/,
    ],
  ];

  it.each(malformed)('rejects %s, naming what is wrong', (_, data, field, message) => {
    // Act
    const result = parseTrade(data);
    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBeInstanceOf(MalformedTradeError);
    expect(result.error.code).toBe('MALFORMED_TRADE');
    expect(result.error.field).toBe(field);
    expect(result.error.message).toMatch(message);
  });

  it('keeps a long bad value out of the message', () => {
    const result = parseTrade(JSON.stringify({ ...aTrade(), tickerSymbol: 'X'.repeat(500) }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message.length).toBeLessThan(150);
  });
});

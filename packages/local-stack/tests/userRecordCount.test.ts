import { RecordAggregator } from '@stock-trades/kpl';
import { describe, expect, it } from 'vitest';
import { userRecordCount } from '../src/proxy/userRecordCount.js';

describe('userRecordCount', () => {
  it('counts the user records of a KPL aggregate, as the consumer will unpack them', () => {
    const aggregator = new RecordAggregator();
    for (let index = 0; index < 137; index++) aggregator.add(`key-${index % 5}`, Buffer.from(`{"id":${index}}`));
    const aggregate = aggregator.flush();
    expect(aggregate).toBeDefined();
    expect(userRecordCount(Buffer.from(aggregate?.data ?? []))).toBe(137);
  });

  it('counts a plain record, or anything that is not a whole aggregate, as one', () => {
    expect(userRecordCount(Buffer.from('{"tickerSymbol":"AMZN"}'))).toBe(1);
    expect(userRecordCount(Buffer.alloc(0))).toBe(1);
    const magicAndJunk = Buffer.concat([Buffer.from([0xf3, 0x89, 0x9a, 0xc2]), Buffer.alloc(40, 0xff)]);
    expect(userRecordCount(magicAndJunk)).toBe(1);
  });
});

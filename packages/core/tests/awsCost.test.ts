import { describe, expect, it } from 'vitest';
import { estimateKinesisCost, formatUsd, KINESIS_LIST_PRICES, putPayloadUnits } from '../src/index.js';

describe('the AWS cost estimate', () => {
  it('bills one PUT payload unit per started 25 KB of a record, and at least one', () => {
    expect(putPayloadUnits(0)).toBe(1);
    expect(putPayloadUnits(300)).toBe(1);
    expect(putPayloadUnits(25 * 1024)).toBe(1);
    expect(putPayloadUnits(25 * 1024 + 1)).toBe(2);
    expect(putPayloadUnits(1024 * 1024)).toBe(41);
  });

  it('prices shard-hours and PUT payload units at the dated us-east-1 list prices', () => {
    expect(KINESIS_LIST_PRICES).toMatchObject({ region: 'us-east-1', shardHourUsd: 0.015 });
    // The tutorial's demo for an hour: 4 + 1 shards, 200 trades a second in records of one unit each.
    const hour = estimateKinesisCost({ shardHours: 5, putPayloadUnits: 200 * 3600 });
    expect(hour.shardHoursUsd).toBeCloseTo(0.075, 10);
    expect(hour.putPayloadUnitsUsd).toBeCloseTo(0.01008, 10);
    expect(hour.totalUsd).toBeCloseTo(0.08508, 10);
    expect(formatUsd(hour.totalUsd)).toBe('$0.0851');
    expect(formatUsd(12.345)).toBe('$12.35');
    // A short demo's few thousand units: not "$0.0000", as if free.
    expect(formatUsd(estimateKinesisCost({ shardHours: 0, putPayloadUnits: 2492 }).totalUsd)).toBe('< $0.0001');
    expect(formatUsd(0)).toBe('$0.0000');
  });
});

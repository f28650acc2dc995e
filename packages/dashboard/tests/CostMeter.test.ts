import { describe, expect, it } from 'vitest';
import { CostMeter } from '../src/CostMeter.js';
import { trafficCounts, trafficReport } from './helpers/shardTraffic.js';

const T0 = Date.UTC(2026, 11, 4, 9);
const HOUR = 3_600_000;
const counts = (payloadUnitsIn: number) => trafficCounts({ recordsIn: payloadUnitsIn, payloadUnitsIn });
const report = (trades: number, stats: number, other = 0) =>
  trafficReport({
    Trades: { 'shard-0': counts(trades / 2), 'shard-1': counts(trades / 2) },
    Stats: { 'shard-0': counts(stats) },
    Other: { 'shard-0': counts(other) },
  });

describe('CostMeter', () => {
  it('adds up shard-hours as the open shards change, and the PUT payload units of both streams since it began', () => {
    const meter = new CostMeter(['Trades', 'Stats']);
    meter.observeTraffic(report(1000, 10), T0); // written before the page watched: not counted
    meter.observeOpenShards(5, T0);
    meter.observeOpenShards(9, T0 + HOUR / 2); // resharded 4 → 8 half an hour in
    meter.observeTraffic(report(1000 + 360_000, 10 + 360, 99_999), T0 + HOUR / 2);
    const view = meter.view(T0 + HOUR, true);
    // 5 shards for half an hour, then 9 for another half.
    expect(view?.shardHours).toBeCloseTo(7, 10);
    expect(view?.putPayloadUnits).toBe(360_360);
    expect(view?.shardHoursUsd).toBeCloseTo(7 * 0.015, 10);
    expect(view?.putPayloadUnitsUsd).toBeCloseTo(0.36036 * 0.014, 10);
    expect(view?.totalUsd).toBeCloseTo(7 * 0.015 + 0.36036 * 0.014, 10);
    // Per hour now: 9 shards, and 360,360 units in the last half hour (200.2 a second).
    expect(view?.perHourUsd).toBeCloseTo(9 * 0.015 + ((360_360 * 2) / 1e6) * 0.014, 10);
    expect(view?.since).toBe(new Date(T0).toISOString());
    expect(view?.openShards).toBe(9);
  });

  it('takes a stack restarted under it as counting again from zero', () => {
    const meter = new CostMeter(['Trades', 'Stats']);
    meter.observeOpenShards(5, T0);
    meter.observeTraffic(report(0, 0), T0);
    meter.observeTraffic(report(600, 6), T0 + 1000);
    meter.observeTraffic(report(100, 1), T0 + 2000); // the stack started again
    expect(meter.view(T0 + 2000, true)?.putPayloadUnits).toBe(707);
  });

  it('on AWS counts shard-hours only, and shows nothing before it knows the shards', () => {
    const meter = new CostMeter(['Trades', 'Stats']);
    expect(meter.view(T0, false)).toBeNull();
    meter.observeOpenShards(2, T0);
    const view = meter.view(T0 + HOUR, false);
    expect(view).toMatchObject({ shardHours: 2, putPayloadUnits: null, putPayloadUnitsUsd: null });
    expect(view?.totalUsd).toBeCloseTo(0.03, 10);
    expect(view?.perHourUsd).toBeCloseTo(0.03, 10);
  });
});

import type { ShardTrafficCounts } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { ThrottlingWatch } from '../src/ThrottlingWatch.js';
import { trafficCounts, trafficReport } from './helpers/shardTraffic.js';

const counts = trafficCounts;
const report = (shards: Record<string, ShardTrafficCounts>, other: Record<string, ShardTrafficCounts> = {}) =>
  trafficReport({ Trades: shards, Other: other });

describe('ThrottlingWatch', () => {
  it('shows nothing until the stack has reported', () => {
    expect(new ThrottlingWatch('Trades').view(['shard-0'])).toBeNull();
  });

  it('turns the growing counters into rates over the last seconds, per shard, against the allowance', () => {
    const watch = new ThrottlingWatch('Trades');
    watch.observe(report({ 'shard-0': counts({ recordsIn: 5000, userRecordsIn: 5000, recordsRefused: 100 }) }), 0);
    watch.observe(
      report(
        {
          // 2,000 more records in 2 s, holding 800,000 trades (KPL aggregates of 400).
          'shard-0': counts({
            recordsIn: 7000,
            userRecordsIn: 805_000,
            bytesIn: 300_000,
            recordsRefused: 500,
            readsThrottled: 4,
          }),
        },
        { 'shard-0': counts({ recordsRefused: 9999 }) }, // another stream: not this one's lesson
      ),
      2000,
    );

    const view = watch.view(['shard-0', 'shard-1']);

    expect(view?.shards).toEqual([
      {
        shardId: 'shard-0',
        recordsInPerSecond: 1000,
        tradesInPerSecond: 400_000,
        bytesInPerSecond: 150_000,
        writeShare: 1,
        refusedPerSecond: 200,
        readsThrottledPerSecond: 2,
      },
      {
        shardId: 'shard-1',
        recordsInPerSecond: 0,
        tradesInPerSecond: 0,
        bytesInPerSecond: 0,
        writeShare: 0,
        refusedPerSecond: 0,
        readsThrottledPerSecond: 0,
      },
    ]);
    expect(view).toMatchObject({ refusedPerSecond: 200, readsThrottledPerSecond: 2, refusedTotal: 500 });
  });

  it('measures over about five seconds, so throttling that stopped leaves the panel soon after', () => {
    const watch = new ThrottlingWatch('Trades');
    watch.observe(report({ 'shard-0': counts({ recordsRefused: 0 }) }), 0);
    watch.observe(report({ 'shard-0': counts({ recordsRefused: 1000 }) }), 1000);
    for (let second = 2; second <= 8; second++) {
      watch.observe(report({ 'shard-0': counts({ recordsRefused: 1000 }) }), second * 1000);
    }
    expect(watch.view(['shard-0'])?.refusedPerSecond).toBe(0);
    expect(watch.view(['shard-0'])?.refusedTotal).toBe(1000);
  });

  it('keeps a closed shard on the panel only while it still has traffic', () => {
    const watch = new ThrottlingWatch('Trades');
    watch.observe(report({ parent: counts({ recordsIn: 10 }), child: counts() }), 0);
    watch.observe(report({ parent: counts({ recordsIn: 10 }), child: counts({ recordsIn: 50 }) }), 1000);
    expect(watch.view(['child'])?.shards.map((shard) => shard.shardId)).toEqual(['child']);
  });
});

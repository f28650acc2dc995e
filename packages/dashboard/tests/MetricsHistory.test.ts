import type { ShardTrafficCounts } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { HISTORY_SPAN_MS, LOCAL_PERIOD_MS, MetricsHistory } from '../src/MetricsHistory.js';
import type { LeaseView } from '../src/types.js';
import { trafficCounts, trafficReport } from './helpers/shardTraffic.js';

const counts = trafficCounts;
const report = (shards: Record<string, ShardTrafficCounts>) =>
  trafficReport({ Trades: shards, Other: { 'shard-9': counts({ recordsIn: 1e6 }) } });
const lease = (shardId: string, millisBehindLatest: number | null): LeaseView => ({
  shardId,
  owner: millisBehindLatest === null ? null : 'worker-1',
  counter: 1,
  checkpoint: 'TRIM_HORIZON',
  checkpointAgeMs: null,
  counterAgeMs: 0,
  expired: false,
  expiresInMs: null,
  finished: false,
  millisBehindLatest,
  recordsPerSecond: millisBehindLatest === null ? null : 10,
  processingFailures: 0,
});
/** A time at the start of a period, well past the epoch. */
const T0 = 1_800_000_000_000;

describe('MetricsHistory', () => {
  it('sums what each shard’s counters grew by into the period of the later report, under CloudWatch’s names', () => {
    const history = new MetricsHistory('Trades');
    history.observeTraffic(report({ 'shard-0': counts({ recordsIn: 500, bytesIn: 9000 }) }), T0 + 1000);
    history.observeTraffic(
      report({ 'shard-0': counts({ recordsIn: 800, bytesIn: 12_000, recordsRefused: 7, readsThrottled: 2 }) }),
      T0 + 4000,
    );
    history.observeTraffic(
      report({
        'shard-0': counts({ recordsIn: 1000, bytesIn: 15_000, recordsRefused: 7, readsThrottled: 2 }),
        'shard-1': counts({ recordsIn: 40 }),
      }),
      T0 + LOCAL_PERIOD_MS + 1000,
    );
    const view = history.view(T0 + LOCAL_PERIOD_MS + 2000);
    expect(view.source).toBe('embedded stack');
    expect(view.periodSeconds).toBe(LOCAL_PERIOD_MS / 1000);
    expect(view.times).toHaveLength(HISTORY_SPAN_MS / LOCAL_PERIOD_MS);
    expect(view.times.slice(-2)).toEqual([T0 / 1000, (T0 + LOCAL_PERIOD_MS) / 1000]);
    // The first report only sets where counting starts: the 500 before it are not this history's.
    expect(view.metrics.IncomingRecords['shard-0']?.slice(-2)).toEqual([300, 200]);
    expect(view.metrics.IncomingBytes['shard-0']?.slice(-2)).toEqual([3000, 3000]);
    expect(view.metrics.WriteProvisionedThroughputExceeded['shard-0']?.slice(-2)).toEqual([7, 0]);
    expect(view.metrics.ReadProvisionedThroughputExceeded['shard-0']?.slice(-2)).toEqual([2, 0]);
    // A shard first seen later counts from zero; before it was seen, periods with a report show none (0).
    expect(view.metrics.IncomingRecords['shard-1']?.slice(-2)).toEqual([0, 40]);
    // Periods with no report are gaps, not zeros; another stream's traffic is not this one's.
    expect(view.metrics.IncomingRecords['shard-0']?.[0]).toBeNull();
    expect(Object.keys(view.metrics.IncomingRecords)).toEqual(['shard-0', 'shard-1']);
    expect(view.note).toBeNull();
  });

  it('takes a counter that went back (a restarted stack) as counting again from zero', () => {
    const history = new MetricsHistory('Trades');
    history.observeTraffic(report({ 'shard-0': counts({ recordsIn: 5000 }) }), T0);
    history.observeTraffic(report({ 'shard-0': counts({ recordsIn: 30 }) }), T0 + 1000);
    expect(history.view(T0 + 1000).metrics.IncomingRecords['shard-0']?.at(-1)).toBe(30);
  });

  it('keeps the largest lag a live holder published in each period, and none for a lease without one', () => {
    const history = new MetricsHistory('Trades');
    history.observeLag([lease('shard-0', 1200), lease('shard-1', null)], T0 + 1000);
    history.observeLag([lease('shard-0', 4000)], T0 + 2000);
    history.observeLag([lease('shard-0', 300)], T0 + 3000);
    const view = history.view(T0 + 3000);
    expect(view.metrics.IteratorAgeMilliseconds['shard-0']?.at(-1)).toBe(4000);
    expect(view.metrics.IteratorAgeMilliseconds['shard-1']).toBeUndefined();
    // Without a traffic report, only the lag is known, and the page is told why.
    expect(view.metrics.IncomingRecords['shard-0']?.at(-1)).toBeNull();
    expect(view.note).toMatch(/Only IteratorAgeMilliseconds/);
  });

  it('forgets what is older than 15 minutes', () => {
    const history = new MetricsHistory('Trades');
    history.observeTraffic(report({ 'shard-0': counts({ recordsIn: 0 }) }), T0);
    history.observeTraffic(report({ 'shard-0': counts({ recordsIn: 10 }) }), T0 + 1000);
    history.observeTraffic(report({ 'shard-0': counts({ recordsIn: 10 }) }), T0 + HISTORY_SPAN_MS + 1000);
    const view = history.view(T0 + HISTORY_SPAN_MS + 1000);
    expect(view.metrics.IncomingRecords['shard-0']?.filter((value) => value !== null)).toEqual([0]);
  });
});

import type { ReaderTraffic, ShardTrafficReport } from '@stock-trades/core';
import { describe, expect, it } from 'vitest';
import { ReadersWatch } from '../src/ReadersWatch.js';

const LIMITS = { shardLimits: true, writeRecordsPerSecond: 1000, writeBytesPerSecond: 1 << 20, readCallsPerSecond: 5 };

function report(readers: ReaderTraffic[]): ShardTrafficReport {
  return { ...LIMITS, streams: {}, readers: { Trades: readers, Other: [reader('Elsewhere', 'polling', 1, 0, 99)] } };
}

function reader(
  application: string,
  mode: ReaderTraffic['mode'],
  reads: number,
  readsThrottled: number,
  recordsOut: number,
  shardId = 'shardId-000000000000',
): ReaderTraffic {
  return {
    application,
    mode,
    shards: { [shardId]: { reads, readsThrottled, recordsOut, bytesOut: recordsOut * 100 } },
  };
}

describe('ReadersWatch', () => {
  it('gives each application of the stream its mode, rates over the last seconds, and throttled share', () => {
    const watch = new ReadersWatch('Trades');
    watch.observe(report([reader('Processor', 'polling', 10, 0, 1000), reader('Audit', 'fan-out', 4, 0, 1000)]), 0);
    watch.observeConsumers([{ name: 'Audit', status: 'ACTIVE', createdAt: '2026-12-05T02:00:00.000Z' }]);
    // Over 5 s: Processor 15 reads and 5 refused; Audit 10 events, none refused.
    watch.observe(report([reader('Processor', 'polling', 25, 5, 2500), reader('Audit', 'fan-out', 14, 0, 3500)]), 5000);
    const view = watch.view(5000);
    expect(view).toMatchObject({ counted: true, readCallsPerSecond: 5, consumersError: null });
    expect(view.applications.map((app) => app.application)).toEqual(['Audit', 'Processor']);
    expect(view.applications[1]).toEqual({
      application: 'Processor',
      mode: 'polling',
      consumerStatus: null,
      recordsPerSecond: 300,
      bytesPerSecond: 30_000,
      readsPerSecond: 3,
      throttledPerSecond: 1,
      throttledShare: 0.25,
      recordsTotal: 2500,
      throttledTotal: 5,
      shards: [
        {
          shardId: 'shardId-000000000000',
          recordsPerSecond: 300,
          bytesPerSecond: 30_000,
          readsPerSecond: 3,
          throttledPerSecond: 1,
        },
      ],
    });
    expect(view.applications[0]).toMatchObject({
      mode: 'fan-out',
      consumerStatus: 'ACTIVE',
      recordsPerSecond: 500,
      throttledShare: 0,
    });
  });

  it('drops an application a minute after its last read, but keeps a registered consumer', () => {
    const watch = new ReadersWatch('Trades');
    watch.observeConsumers([{ name: 'Audit', status: 'ACTIVE', createdAt: null }]);
    const stopped = [reader('Processor', 'polling', 10, 0, 10), reader('Audit', 'fan-out', 4, 0, 10)];
    watch.observe(report(stopped), 0);
    watch.observe(report(stopped), 30_000);
    expect(watch.view(30_000).applications).toHaveLength(2);
    watch.observe(report(stopped), 61_000);
    expect(watch.view(61_000).applications.map((app) => [app.application, app.recordsPerSecond])).toEqual([
      ['Audit', 0],
    ]);
    // Deregistered: it goes too.
    watch.observeConsumers([]);
    expect(watch.view(61_000).applications).toEqual([]);
  });

  it('says why the consumers could not be listed, and that nothing is counted before the stack reports', () => {
    const watch = new ReadersWatch('Trades');
    watch.observeConsumers(new Error('AccessDeniedException'));
    expect(watch.view(0)).toEqual({
      counted: false,
      readCallsPerSecond: null,
      consumers: [],
      consumersError: 'ListStreamConsumers failed: AccessDeniedException',
      applications: [],
    });
  });

  it('knows when the consumers listed are behind the readers counted: a fan-out reader not listed, or not ACTIVE', () => {
    const watch = new ReadersWatch('Trades');
    expect(watch.consumersBehind()).toBe(false);
    watch.observe(report([reader('Processor', 'polling', 1, 0, 10)]), 0);
    // Polling readers have no consumer to list.
    expect(watch.consumersBehind()).toBe(false);
    watch.observe(report([reader('Processor', 'polling', 2, 0, 20), reader('Audit', 'fan-out', 1, 0, 10)]), 1000);
    expect(watch.consumersBehind()).toBe(true);
    watch.observeConsumers([{ name: 'Audit', status: 'CREATING', createdAt: null }]);
    expect(watch.consumersBehind()).toBe(true);
    watch.observeConsumers(new Error('throttled'));
    expect(watch.consumersBehind()).toBe(true);
    watch.observeConsumers([{ name: 'Audit', status: 'ACTIVE', createdAt: null }]);
    expect(watch.consumersBehind()).toBe(false);
    // Another stream's fan-out readers are not this panel's.
    watch.observe(
      { ...LIMITS, streams: {}, readers: { Trades: [], Other: [reader('Elsewhere', 'fan-out', 1, 0, 1)] } },
      2000,
    );
    expect(watch.consumersBehind()).toBe(false);
  });

  it('keeps showing the consumers it listed when a later listing fails, and says that it failed', () => {
    const watch = new ReadersWatch('Trades');
    watch.observe(report([reader('Audit', 'fan-out', 4, 0, 10)]), 0);
    watch.observeConsumers([{ name: 'Audit', status: 'ACTIVE', createdAt: null }]);
    watch.observeConsumers(new Error('Request timed out'));
    const view = watch.view(1000);
    expect(view.consumers).toEqual([{ name: 'Audit', status: 'ACTIVE', createdAt: null }]);
    expect(view.consumersError).toBe('ListStreamConsumers failed: Request timed out');
    expect(view.applications[0]?.consumerStatus).toBe('ACTIVE');
    watch.observeConsumers([]);
    expect(watch.view(1000)).toMatchObject({ consumers: [], consumersError: null });
  });
});

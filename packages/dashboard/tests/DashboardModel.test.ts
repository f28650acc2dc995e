import { createHash } from 'node:crypto';
import { emptySummary, TUTORIAL_STOCK_PRICES, type WindowSample } from '@stock-trades/core';
import { aLease } from '@stock-trades/kcl/testing';
import { describe, expect, it } from 'vitest';
import { DashboardModel } from '../src/index.js';

const WALL = Date.UTC(2026, 11, 2, 10);
const settings = { target: 'local' as const, stream: 'S', statsStream: 'Stats', failoverMs: 10_000, actions: true };

function sample(shardId: string, trades: number, part: Partial<WindowSample> = {}): WindowSample {
  return {
    shardId,
    windowStart: WALL,
    windowEnd: WALL + 10_000,
    firstSequenceNumber: '100',
    lastSequenceNumber: String(100 + trades),
    late: false,
    final: false,
    childShardIds: [],
    hashKeyRange: null,
    summary: {
      ...emptySummary(),
      trades,
      perTicker: trades > 0 ? { KO: { buys: trades, sells: 0, boughtQuantity: trades, soldQuantity: 0 } } : {},
    },
    ...part,
  };
}

describe('DashboardModel', () => {
  it('places each open shard on the key space and lists the tickers whose MD5 lands in its range', () => {
    const model = new DashboardModel(settings);
    const top = 2n ** 128n - 1n;
    const quarter = 2n ** 126n;
    model.observeShards([
      { shardId: 'a', parentShardIds: [], hashKeyRange: { startingHashKey: '0', endingHashKey: String(quarter - 1n) } },
      {
        shardId: 'b',
        parentShardIds: [],
        hashKeyRange: { startingHashKey: String(quarter), endingHashKey: String(top) },
      },
    ]);
    const [a, b] = model.view(WALL).shards;
    expect(a?.keySpace).toEqual({ start: 0, share: 0.25 });
    expect(b?.keySpace).toEqual({ start: 0.25, share: 0.75 });
    const md5 = (ticker: string) => BigInt(`0x${createHash('md5').update(ticker).digest('hex')}`);
    const tickers = TUTORIAL_STOCK_PRICES.map((stock) => stock.tickerSymbol);
    expect(a?.tickers.map((entry) => entry.ticker).sort()).toEqual(tickers.filter((t) => md5(t) < quarter).sort());
    expect(b?.tickers.map((entry) => entry.ticker).sort()).toEqual(tickers.filter((t) => md5(t) >= quarter).sort());
    // In key order, each where its hash lands.
    const at = b?.tickers.map((entry) => entry.at) ?? [];
    expect(at).toEqual([...at].sort((x, y) => x - y));
    expect(Math.min(...at)).toBeGreaterThanOrEqual(0.25);
  });

  it('keeps one point a second per shard of what each holder reads, and sums the flow', () => {
    const model = new DashboardModel(settings);
    const metrics = (recordsPerSecond: number) => ({ millisBehindLatest: 0, recordsPerSecond });
    model.observeLeases([aLease('a', { leaseOwner: 'w1', metrics: metrics(10) }), aLease('b')], 0, WALL);
    model.observeLeases([aLease('a', { leaseOwner: 'w1', metrics: metrics(12) }), aLease('b')], 400, WALL + 400);
    model.observeLeases(
      [aLease('a', { leaseOwner: 'w1', metrics: metrics(14) }), aLease('b', { leaseOwner: 'w2', metrics: metrics(5) })],
      1000,
      WALL + 1000,
    );
    const view = model.view(WALL + 1000);
    // b had no holder at first: no point then, not a 0 as if someone read nothing.
    expect(view.rates).toEqual({ times: [WALL / 1000, WALL / 1000 + 1], perShard: { a: [10, 14], b: [null, 5] } });
    expect(view.flow.tradesPerSecond).toBe(19);
    expect(view.workers.map((worker) => [worker.workerId, worker.leases])).toEqual([
      ['w1', 1],
      ['w2', 1],
    ]);
  });

  it('counts a replayed sample once per window, beside the aggregator’s latest revision', () => {
    const model = new DashboardModel(settings);
    model.observeSamples([sample('a', 3), sample('a', 5), sample('a', 3), sample('b', 2)], WALL);
    model.observeResults(
      [
        { ...result(), revision: 1, trades: 6 },
        { ...result(), revision: 2, trades: 7 },
      ],
      WALL,
    );
    const [window] = model.view(WALL).windows;
    expect(window?.samples.map((entry) => [entry.shardId, entry.trades])).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
    expect(window?.result).toMatchObject({ revision: 2, trades: 7 });
  });

  it('shows no sample the aggregator would reject, and its count of those it did', () => {
    const model = new DashboardModel(settings);
    const range = { startingHashKey: '0', endingHashKey: String(2n ** 128n - 1n) };
    model.observeShards([{ shardId: 'a', parentShardIds: [], hashKeyRange: range }]);
    const forged = { ...sample('a', 3), summary: { ...sample('a', 3).summary, trades: -1_000_000 } };
    model.observeSamples(
      [sample('a', 3), forged, sample('zz', 9), sample('a', 1, { windowStart: 0, windowEnd: 10_000 })],
      WALL,
    );
    // The next shard list still has no zz: its sample was not a shard's.
    model.observeShards([{ shardId: 'a', parentShardIds: [], hashKeyRange: range }]);
    expect(
      model.view(WALL).windows.map((window) => window.samples.map((entry) => [entry.shardId, entry.trades])),
    ).toEqual([[['a', 3]]]);
    const state = JSON.stringify({ v: 1, emitted: {}, rejected: { counts: 2, shard: 1 } });
    model.observeAggregatorLeases([aLease('shardId-000000000000', { applicationState: state })], 0, WALL);
    expect(model.view(WALL).rejectedSamples).toEqual({ counts: 2, shard: 1 });
  });

  it('shows the sample of a shard that appears in the next shard list (a reshard’s child)', () => {
    const model = new DashboardModel(settings);
    const range = { startingHashKey: '0', endingHashKey: String(2n ** 128n - 1n) };
    model.observeShards([{ shardId: 'a', parentShardIds: [], hashKeyRange: range }]);
    model.observeSamples([sample('b', 4)], WALL);
    expect(model.view(WALL).windows).toEqual([]);
    model.observeShards([
      { shardId: 'a', parentShardIds: [], hashKeyRange: range, endingSequenceNumber: '9' },
      { shardId: 'b', parentShardIds: ['a'], hashKeyRange: range },
    ]);
    expect(model.view(WALL).windows[0]?.samples.map((entry) => [entry.shardId, entry.trades])).toEqual([['b', 4]]);
  });

  it('counts each window once in results per minute, however often the table is scanned and the window revised', () => {
    const model = new DashboardModel(settings);
    const at = (seconds: number) => WALL + seconds * 1000;
    const revision = (start: number, revision: number) => ({
      ...result(),
      windowStart: new Date(WALL + start * 10_000).toISOString(),
      windowEnd: new Date(WALL + (start + 1) * 10_000).toISOString(),
      revision,
      trades: 1,
    });
    model.observeResults([revision(0, 1)], at(0)); // there before the page: not counted
    const all = [revision(0, 1)];
    // A new window every 10 s for 10 minutes, the table scanned (and returning everything) every 2 s.
    for (let second = 2; second <= 600; second += 2) {
      if (second % 10 === 0) all.push(revision(second / 10, 1));
      // A late sample revises the window before: still one window's result, not another.
      if (second % 10 === 4) all.push(revision(second / 10 - 1.4, 2));
      model.observeResults(all, at(second));
    }
    expect(model.view(at(600)).flow.resultsPerMinute).toBe(6);
    // Windows trimmed from the page do not come back with the next scan.
    expect(model.view(at(600)).windows).toHaveLength(12);
  });

  it('shows a dead worker as not renewing, with the time until its leases expire, and no figures once they have', () => {
    const model = new DashboardModel(settings);
    const metrics = { millisBehindLatest: 0, recordsPerSecond: 50 };
    model.observeLeases([aLease('a', { leaseOwner: 'w1', leaseCounter: 1, metrics })], 0, WALL);
    expect(model.view(WALL).workers).toMatchObject([
      { workerId: 'w1', renewing: true, expiresInMs: null, recordsPerSecond: 50 },
    ]);
    model.observeLeases([aLease('a', { leaseOwner: 'w1', leaseCounter: 1, metrics })], 7000, WALL + 7000);
    expect(model.view(WALL + 7000).workers).toMatchObject([{ workerId: 'w1', renewing: false, expiresInMs: 3000 }]);
    model.observeLeases([aLease('a', { leaseOwner: 'w1', leaseCounter: 1, metrics })], 11_000, WALL + 11_000);
    const dead = model.view(WALL + 11_000);
    expect(dead.workers).toMatchObject([{ workerId: 'w1', renewing: false, expiresInMs: 0, recordsPerSecond: 0 }]);
    expect(dead.flow.tradesPerSecond).toBe(0);
  });

  it('shows disconnected with the reason until a read works again', () => {
    const model = new DashboardModel(settings);
    model.disconnected('connect ECONNREFUSED 127.0.0.1:4568');
    expect(model.view(WALL).status).toMatchObject({ connected: false, error: 'connect ECONNREFUSED 127.0.0.1:4568' });
    model.connected();
    expect(model.view(WALL).status.connected).toBe(true);
  });
});

function result() {
  return {
    windowStart: new Date(WALL).toISOString(),
    windowEnd: new Date(WALL + 10_000).toISOString(),
    complete: true,
    shards: ['a', 'b'],
    missingShards: [],
    malformed: 0,
    mostPopularBuy: null,
    mostPopularSell: null,
    largestSell: null,
  };
}

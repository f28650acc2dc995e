import { serializeTrade } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import { type CallFault, FakeRecordsPort, fakeTime } from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';
import { BatchSender, type PendingRecord, RetryableWriteError } from '../src/index.js';

const policy = { maxAttempts: 4, retryForMs: 60_000, baseDelayMs: 100, maxDelayMs: 1000 };

function pendingTrades(count: number): PendingRecord[] {
  return Array.from({ length: count }, (_, index) => {
    const trade = aTrade({ id: index + 1 });
    return { trades: [{ trade, partitionKey: 'AMZN' }], entry: { data: serializeTrade(trade), partitionKey: 'AMZN' } };
  });
}

function senderFor(port: FakeRecordsPort) {
  const time = fakeTime();
  const sender = new BatchSender({
    write: (entries) => port.putRecords('StockTradeStream', entries),
    policy,
    sleep: time.sleep,
    now: time.now,
    random: () => 0.999,
  });
  return { sender, time };
}

describe('BatchSender', () => {
  it('re-sends only the entries that failed, and stores each trade once', async () => {
    // Prepare
    const port = new FakeRecordsPort([
      { kind: 'failEntries', indexes: [1, 3, 4] },
      { kind: 'failEntries', indexes: [0] },
    ]);
    const { sender } = senderFor(port);
    // Act
    const result = await sender.send(pendingTrades(6));
    // Assess
    expect(port.calls.map((call) => call.length)).toEqual([6, 3, 1]);
    expect(port.storedIds().sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.delivered.map((item) => item.pending.trades[0]?.trade.id ?? 0).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(result.undelivered).toEqual([]);
    expect(result.retriedRecords).toBe(4);
  });

  it('paces every attempt, so entries sent again are charged to the rate limiter as well', async () => {
    const port = new FakeRecordsPort([{ kind: 'failEntries', indexes: [1, 3] }, { kind: 'throttle' }]);
    const time = fakeTime();
    const paced: number[] = [];
    const sender = new BatchSender({
      write: (entries) => port.putRecords('StockTradeStream', entries),
      policy,
      sleep: time.sleep,
      random: () => 0.999,
      pace: async (entries) => void paced.push(entries.length),
    });

    await sender.send(pendingTrades(5));

    expect(paced).toEqual(port.calls.map((call) => call.length));
    expect(paced).toEqual([5, 2, 2]);
  });

  it('retries a throttled call whole, backing off exponentially with jitter', async () => {
    const faults: CallFault[] = [{ kind: 'throttle' }, { kind: 'throttle' }, { kind: 'throttle' }];
    const port = new FakeRecordsPort(faults);
    const { sender, time } = senderFor(port);

    const result = await sender.send(pendingTrades(3));

    expect(port.calls).toHaveLength(4);
    expect(port.storedIds()).toEqual([1, 2, 3]);
    expect(result.delivered).toHaveLength(3);
    // random() = 0.999 sits at the top of each full-jitter window: 100, 200, 400 ms.
    expect(time.sleeps).toEqual([99, 199, 399]);
  });

  it('gives up on a record after its attempts, reporting it undelivered and never stored', async () => {
    const port = new FakeRecordsPort([], { kind: 'failIds', ids: new Set([2]) });
    const { sender } = senderFor(port);

    const result = await sender.send(pendingTrades(3));

    expect(port.calls).toHaveLength(policy.maxAttempts);
    expect(port.storedIds()).toEqual([1, 3]);
    expect(result.undelivered.map((item) => item.trades[0]?.trade.id)).toEqual([2]);
    expect(result.failure).toMatch(/gave up after 4 attempts.*ProvisionedThroughputExceeded/);
    expect(result.fatal).toBeUndefined();
  });

  it('retries for as long as its time budget allows, however many attempts that takes, and no longer', async () => {
    // An outage: every call fails for 20 s of (fake) time, then the service is back.
    const time = fakeTime();
    const outageEndsAt = time.now() + 20_000;
    const port = new FakeRecordsPort([]);
    const sender = (retryForMs: number) =>
      new BatchSender({
        write: async (entries) => {
          if (time.now() < outageEndsAt) throw new RetryableWriteError('connect ECONNREFUSED');
          return port.putRecords('StockTradeStream', entries);
        },
        policy: { maxAttempts: 1000, retryForMs, baseDelayMs: 100, maxDelayMs: 1000 },
        sleep: time.sleep,
        now: time.now,
        random: () => 0.999,
      });

    const shortBudget = await sender(10_000).send(pendingTrades(2));
    expect(shortBudget.undelivered).toHaveLength(2);
    expect(shortBudget.failure).toMatch(/gave up after \d+ attempts in 9 s: it was retried for 10 s .*ECONNREFUSED/);
    // Refused connections never reached Kinesis: surely not stored, so "undelivered", not "unknown".
    expect(shortBudget.unknown).toEqual([]);
    expect(port.storedIds()).toEqual([]);

    const ridesItOut = await sender(60_000).send(pendingTrades(2));
    expect(ridesItOut.undelivered).toEqual([]);
    expect(port.storedIds()).toEqual([1, 2]);
  });

  it('reports records given up on after a lost answer as unknown, apart from those surely refused', async () => {
    // Call 1 stores everything but its answer is lost; later calls refuse trade 2 and time out on the rest.
    const port = new FakeRecordsPort([{ kind: 'timeoutAfterStore' }], { kind: 'failIds', ids: new Set([4]) });
    const { sender } = senderFor(port);

    const result = await sender.send(pendingTrades(4));

    // Every trade is in the stream (the first call stored them); 1-3 were acknowledged by the retry (stored twice).
    expect(result.delivered.map((item) => item.pending.trades[0]?.trade.id)).toEqual([1, 2, 3]);
    expect(port.storedIds().sort((a, b) => a - b)).toEqual([1, 1, 2, 2, 3, 3, 4]);
    // 4 was refused by every later attempt, but the first may have stored it (it did): unknown, not undelivered.
    expect(result.unknown.map((item) => item.trades[0]?.trade.id)).toEqual([4]);
    expect(result.undelivered).toEqual([]);
  });

  it('stops at once on an error retrying cannot fix, keeping what was already delivered', async () => {
    const denied = new Error('Kinesis refused to put records: AccessDeniedException');
    const port = new FakeRecordsPort([
      { kind: 'failEntries', indexes: [0] },
      { kind: 'fatal', error: denied },
    ]);
    const { sender } = senderFor(port);

    const result = await sender.send(pendingTrades(2));

    expect(port.calls).toHaveLength(2);
    expect(result.delivered.map((item) => item.pending.trades[0]?.trade.id)).toEqual([2]);
    expect(result.undelivered.map((item) => item.trades[0]?.trade.id)).toEqual([1]);
    expect(result.fatal).toBe(denied);
  });
});

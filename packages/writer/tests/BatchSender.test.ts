import { serializeTrade } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import { type CallFault, FakeRecordsPort, fakeTime } from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';
import { BatchSender, type PendingRecord } from '../src/index.js';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

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

import { FakeRecordsPort, fakeTime } from '@stock-trades/testkit';
import { DEFAULT_RETRY_POLICY } from '@stock-trades/writer';
import { describe, expect, it } from 'vitest';
import { parseProducerOptions } from '../src/cli.js';
import {
  type ProducerOptions,
  runProducer,
  TradeLogFailedError,
  type TradeLogLine,
  UnacknowledgedTradesError,
} from '../src/index.js';

const base: ProducerOptions = {
  stream: 'StockTradeStream',
  mode: 'batched',
  count: 1200,
  seed: 1,
  partitionKey: 'ticker',
  lingerMs: 50,
  maxInFlight: 4,
  retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 5 },
};

type Acknowledged = Extract<TradeLogLine, { status: 'acknowledged' }>;

function deps(port: FakeRecordsPort, status: () => string | undefined = () => 'ACTIVE') {
  const time = fakeTime();
  const lines: TradeLogLine[] = [];
  const log: Acknowledged[] = [];
  return {
    log,
    lines,
    time,
    deps: {
      port,
      streamStatus: async () => status(),
      now: time.now,
      sleep: time.sleep,
      random: () => 0.5,
      tradeLog: {
        write: (written: readonly TradeLogLine[]) => {
          lines.push(...written);
          log.push(...written.filter((line): line is Acknowledged => line.status === 'acknowledged'));
        },
        flushed: async () => {},
        unloggedIds: [],
      },
    },
  };
}

describe('runProducer', () => {
  it('delivers every trade exactly once through partial failures and throttling, and logs each after its ack', async () => {
    // Prepare: a partial failure, a throttled call, another partial failure, then clean calls.
    const port = new FakeRecordsPort([
      { kind: 'failEntries', indexes: [0, 10, 499] },
      { kind: 'throttle' },
      { kind: 'failEntries', indexes: [5] },
    ]);
    const { deps: d, log } = deps(port);
    // Act
    const stats = await runProducer({ ...base, rate: undefined }, d);
    // Assess
    const ids = port.storedIds().sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 1200 }, (_, index) => index + 1));
    expect(log.map((line) => line.trade.id).sort((a, b) => a - b)).toEqual(ids);
    const stored = new Map(port.stored.map((record) => [record.sequenceNumber, record.shardId]));
    for (const line of log) expect(stored.get(line.sequenceNumber)).toBe(line.shardId);
    expect(stats.delivered).toBe(1200);
    expect(stats.notAcknowledged).toBe(0);
    expect(stats.retriedRecords).toBeGreaterThan(0);
  });

  it('paces trades at --rate and lets a batch linger no longer than --linger', async () => {
    const port = new FakeRecordsPort();
    const { deps: d, time } = deps(port);

    await runProducer({ ...base, rate: 100, count: 50, lingerMs: 50 }, d);

    // 50 trades at 100/s take half a second of (fake) time; batches leave every ~50 ms.
    expect(time.now() - Date.UTC(2026, 10, 26, 10)).toBeGreaterThanOrEqual(490);
    expect(port.calls.length).toBeGreaterThanOrEqual(9);
    expect(Math.max(...port.calls.map((call) => call.length))).toBeLessThanOrEqual(6);
    expect(port.storedIds()).toHaveLength(50);
  });

  it('reports trades every attempt of which was refused as not delivered, and fails with their number', async () => {
    const port = new FakeRecordsPort([], { kind: 'failIds', ids: new Set([7, 8, 9]) });
    const { deps: d, log, lines } = deps(port);

    const run = runProducer({ ...base, count: 100, rate: undefined }, d);

    await expect(run).rejects.toThrow(UnacknowledgedTradesError);
    await expect(run).rejects.toThrow(
      /^3 trades were not delivered: gave up after 5 attempts in \d+ s: its 5 attempts/,
    );
    expect(log).toHaveLength(97);
    expect(log.some((line) => [7, 8, 9].includes(line.trade.id))).toBe(false);
    expect(lines.filter((line) => line.status === 'not-delivered').map((line) => line.trade.id)).toEqual([7, 8, 9]);
  });

  it('logs a trade acknowledged after a lost answer once, though Kinesis stored it twice', async () => {
    // Kinesis takes the first call, but its answer never comes back (a stall, a timeout): the retry stores it again.
    const port = new FakeRecordsPort([{ kind: 'timeoutAfterStore' }]);
    const { deps: d, log } = deps(port);

    const stats = await runProducer({ ...base, count: 20, rate: undefined, lingerMs: 0 }, d);

    expect(port.storedIds().filter((id) => id === 1)).toHaveLength(2);
    expect(log.map((line) => line.trade.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(stats).toMatchObject({ delivered: 20, unknown: 0, notDelivered: 0 });
  });

  it('calls a trade given up on after a lost answer unknown, never "not delivered": Kinesis may have it', async () => {
    // Every call times out; the first of them did store its records.
    const port = new FakeRecordsPort([{ kind: 'timeoutAfterStore' }], { kind: 'timeout' });
    const { deps: d, lines } = deps(port);

    const run = runProducer(
      { ...base, count: 10, rate: undefined, retryPolicy: { ...base.retryPolicy, maxAttempts: 3 } },
      d,
    );

    await expect(run).rejects.toThrow(
      /^10 trades of unknown fate \(Kinesis may have stored them; logged "status": "unknown"\): gave up/,
    );
    await expect(run).rejects.not.toThrow(/not delivered/);
    expect(lines.map((line) => line.status)).toEqual(Array(10).fill('unknown'));
    expect(port.storedIds().sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const error = (await run.catch((caught: unknown) => caught)) as UnacknowledgedTradesError;
    expect(error.stats?.summaryText('S')).toMatch(/Not acknowledged: 10 unknown .*, 0 not delivered/);
  });

  it('stops sending once the trade log cannot be written, and names the acknowledged trades it could not log', async () => {
    const port = new FakeRecordsPort();
    const { deps: d } = deps(port);
    let writes = 0;
    const logged: number[] = [];
    const unlogged: number[] = [];
    let broken: Error | undefined;
    const tradeLog = {
      write: (lines: readonly TradeLogLine[]) => {
        // The disk fills during the third write: that write and every later one fail.
        if (++writes >= 3) broken ??= new Error('--trade-log t.jsonl could not be written: no space left (ENOSPC)');
        for (const line of lines) if (line.status === 'acknowledged') (broken ? unlogged : logged).push(line.trade.id);
      },
      flushed: async () => {
        if (broken) throw broken;
      },
      unloggedIds: unlogged,
    };

    const run = runProducer({ ...base, count: 5000, rate: 1000, maxInFlight: 1 }, { ...d, tradeLog });

    await expect(run).rejects.toThrow(TradeLogFailedError);
    await expect(run).rejects.toThrow(/ENOSPC\): stopped sending; \d+ trades Kinesis acknowledged are not in the log/);
    // Nothing was sent after the failure was known: what Kinesis has is what was logged plus what was in flight.
    const error = (await run.catch((caught: unknown) => caught)) as TradeLogFailedError;
    expect(error.unloggedIds.length).toBeGreaterThan(0);
    expect(port.storedIds().sort((a, b) => a - b)).toEqual([...logged, ...error.unloggedIds].sort((a, b) => a - b));
    expect(error.stats?.unsent).toBeGreaterThan(0);
    expect(error.stats?.generated).toBe(port.storedIds().length + (error.stats?.unsent ?? 0));
  });

  it('stops producing on a fatal error and counts everything not acknowledged', async () => {
    const port = new FakeRecordsPort([{ kind: 'fatal', error: new Error('stream StockTradeStream was deleted') }]);
    const { deps: d } = deps(port);

    const run = runProducer({ ...base, count: 5000, rate: undefined }, d);

    await expect(run).rejects.toThrow(/not delivered: stream StockTradeStream was deleted/);
    await expect(run).rejects.toThrow(UnacknowledgedTradesError);
    expect(port.storedIds().length).toBeLessThan(5000);
  });

  it('stops when the signal fires and still delivers what was made', async () => {
    const port = new FakeRecordsPort();
    const { deps: d } = deps(port);
    const controller = new AbortController();
    let produced = 0;

    const stats = await runProducer(
      { ...base, count: undefined, rate: 1000 },
      {
        ...d,
        signal: controller.signal,
        onProgress: (current) => {
          produced = current.generated;
          if (produced >= 300) controller.abort();
        },
      },
    );

    expect(stats.generated).toBeGreaterThanOrEqual(300);
    expect(stats.delivered).toBe(stats.generated);
    expect(port.storedIds()).toHaveLength(stats.generated);
  });

  it('puts one trade at a time, 100 ms apart, in tutorial mode', async () => {
    const port = new FakeRecordsPort();
    const { deps: d, time } = deps(port);
    const said: string[] = [];

    await runProducer({ ...base, mode: 'tutorial', count: 3 }, { ...d, say: (line) => said.push(line) });

    expect(port.calls.map((call) => call.length)).toEqual([1, 1, 1]);
    expect(time.sleeps).toEqual([100, 100]);
    expect(said[0]).toMatch(/^Putting trade: ID 1: (BUY|SELL) \d+ shares of \S+ for \$\d+\.\d{2}$/);
  });

  it('refuses a stream that does not exist or is not ACTIVE', async () => {
    await expect(runProducer(base, deps(new FakeRecordsPort(), () => undefined).deps)).rejects.toThrow(
      /does not exist: create it first with `pnpm create-stream`/,
    );
    await expect(runProducer(base, deps(new FakeRecordsPort(), () => 'UPDATING').deps)).rejects.toThrow(/is UPDATING/);
  });
});

describe('runProducer --shard-rate-limit', () => {
  /**
   * Runs 2,000 trades at --rate max on one shard, noting when (fake clock) each call's
   * records were accepted; returns how many a shard scaled to 10 % of AWS's limits (100
   * records a second, a one-second bucket, as `pnpm stack --limit-scale 0.1`) would refuse.
   */
  async function refusedByATenthShard(shardRateLimit: number | undefined) {
    const port = new FakeRecordsPort([], undefined, 1);
    const { deps: d, time } = deps(port);
    const original = port.putRecords.bind(port);
    const calls: Array<{ at: number; records: number }> = [];
    port.putRecords = async (stream, entries) => {
      calls.push({ at: time.now(), records: entries.length });
      return original(stream, entries);
    };
    const started = time.now();
    await runProducer({ ...base, count: 2000, rate: undefined, shardRateLimit }, d);
    let level = 100;
    let at = started;
    let refused = 0;
    for (const call of calls) {
      level = Math.min(100, level + ((call.at - at) / 1000) * 100);
      at = call.at;
      const accepted = Math.min(call.records, Math.floor(level));
      level -= accepted;
      refused += call.records - accepted;
    }
    return { refused, seconds: (time.now() - started) / 1000, largestCall: Math.max(...calls.map((c) => c.records)) };
  }

  it('keeps within the given share of a shard, in calls no bigger than half a second of it', async () => {
    const tenth = await refusedByATenthShard(0.1);
    expect(tenth.refused).toBe(0);
    expect(tenth.largestCall).toBeLessThanOrEqual(50);
    expect(tenth.seconds).toBeGreaterThanOrEqual(19); // 2,000 records at 100 a second, after a burst of 50

    const full = await refusedByATenthShard(undefined); // the whole of a real shard: far over a tenth of one
    expect(full.refused).toBeGreaterThan(1000);
  });

  it('takes the share as a percentage from 1 to 100, or none with --no-shard-rate-limit', () => {
    const raw = {
      mode: 'batched' as const,
      partitionKey: 'ticker' as const,
      stream: 'S',
      aggregate: false,
      linger: '50',
      maxAttempts: '10',
      giveUpAfter: '60s',
    };
    expect(parseProducerOptions({ ...raw, shardRateLimit: '100' }).shardRateLimit).toBe(1);
    expect(parseProducerOptions({ ...raw, shardRateLimit: '10' }).shardRateLimit).toBe(0.1);
    expect(parseProducerOptions({ ...raw, shardRateLimit: false }).shardRateLimit).toBe(false);
    for (const bad of ['0', '150', 'half'])
      expect(() => parseProducerOptions({ ...raw, shardRateLimit: bad })).toThrow(/--shard-rate-limit/);
  });
});

describe('runProducer --aggregate', () => {
  it('packs many trades per record, only trades of one shard together, and logs each with its sub-sequence number', async () => {
    const port = new FakeRecordsPort();
    const { deps: d, log } = deps(port);

    await runProducer({ ...base, count: 2000, rate: undefined, aggregate: true }, d);

    expect(port.stored.length).toBeLessThan(40);
    expect(port.consumedIds().sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, index) => index + 1));
    expect(log).toHaveLength(2000);
    const positions = new Set(log.map((line) => `${line.sequenceNumber}/${line.subSequenceNumber}`));
    expect(positions.size).toBe(2000);
  });

  it.each(['ticker', 'random'] as const)(
    'sends again the trades a reshard routed into the wrong shard (%s keys), so a consumer sees every trade once',
    async (partitionKey) => {
      // Prepare: the stream is resharded 4 → 8 after the first call; the producer's shard map is then stale.
      const port = new FakeRecordsPort();
      const original = port.putRecords.bind(port);
      let calls = 0;
      port.putRecords = async (stream, entries) => {
        if (++calls === 2) port.reshard(8);
        return original(stream, entries);
      };
      const { deps: d, log } = deps(port);
      // Act
      await runProducer({ ...base, count: 3000, rate: 1000, aggregate: true, partitionKey }, d);
      // Assess
      const consumed = port.consumedIds().sort((a, b) => a - b);
      expect(consumed).toEqual(Array.from({ length: 3000 }, (_, index) => index + 1));
      expect(log.map((line) => line.trade.id).sort((a, b) => a - b)).toEqual(consumed);
    },
  );
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localClients, localTargetEnv, StreamAdmin } from '@stock-trades/aws';
import { ShardWindows, StockTradeRecordProcessor } from '@stock-trades/consumer';
import { DEFAULT_EVENT_TIME_BOUNDS, parseTrade, serializeTrade } from '@stock-trades/core';
import { TradeGenerator } from '@stock-trades/core/generator';
import { DynamoLeaseStore, type KinesisRecord, type ShardRecordProcessor, systemClock } from '@stock-trades/kcl';
import { deaggregate, RecordAggregator } from '@stock-trades/kpl';
import { startLocalStack } from '@stock-trades/local-stack';
import { runProducer } from '@stock-trades/producer';
import { startCommand, waitFor } from '@stock-trades/testkit';
import { DEFAULT_RETRY_POLICY, KinesisRecordsPort } from '@stock-trades/writer';
import { benchWorker } from './benchPipeline.js';

const FULL_RANGE = { startingHashKey: '0', endingHashKey: (2n ** 128n - 1n).toString() };

/** (a) in-process path vs parse-only, (b) put-to-process latency at 200 trades/s, (c) takeover times. */
export async function benchConsumer(): Promise<object> {
  console.log('consumer:');
  const inProcess = benchInProcessPath();
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
  try {
    const latency = await benchLatency(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    const takeover = await benchTakeover(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    return { inProcess, latency, takeover };
  } finally {
    await stack.stop();
  }
}

/**
 * (a) Records/s of the consumer's in-process path — deaggregate + parse + window stats,
 * one GetRecords page at a time — against a bare decode + JSON.parse loop over the same
 * trades, measured alternately in one process. Once with plain records, once with KPL
 * aggregates (where deaggregation also checks an MD5 over every byte).
 */
export function benchInProcessPath() {
  const count = 100_000;
  const generator = new TradeGenerator({ seed: 1, now: () => Date.UTC(2026, 10, 26, 10), producerId: 'bench-run' });
  const trades = Array.from({ length: count }, () => generator.next());
  const bytes = trades.map((trade) => serializeTrade(trade));
  const plain: KinesisRecord[] = bytes.map((data, index) => ({
    sequenceNumber: String(index + 1),
    partitionKey: 'AMZN',
    data,
  }));
  const aggregates: KinesisRecord[] = [];
  const aggregator = new RecordAggregator();
  const push = (aggregate: { partitionKey: string; data: Uint8Array } | undefined) => {
    if (aggregate)
      aggregates.push({
        sequenceNumber: String(aggregates.length + 1),
        partitionKey: aggregate.partitionKey,
        data: aggregate.data,
      });
  };
  for (const [index, data] of bytes.entries()) push(aggregator.add(trades[index]?.tickerSymbol ?? '', data));
  push(aggregator.flush());
  const decoder = new TextDecoder();

  const parseOnly = () => {
    let sink = 0;
    for (const data of bytes) sink += (JSON.parse(decoder.decode(data)) as { quantity: number }).quantity;
    return sink;
  };
  const fullPath = (records: KinesisRecord[], pageSize: number) => () => {
    const windows = new ShardWindows({
      shardId: 'shard',
      settings: { windowMs: 60_000, latenessMs: 0, ...DEFAULT_EVENT_TIME_BOUNDS },
      checkpoint: { sequenceNumber: 'TRIM_HORIZON', subSequenceNumber: 0 },
      nowMs: Date.now(),
    });
    let processed = 0;
    for (let page = 0; page < records.length; page += pageSize) {
      const { records: users } = deaggregate(records.slice(page, page + pageSize), FULL_RANGE);
      for (const user of users) {
        const parsed = parseTrade(user.data);
        if (parsed.ok) {
          const arrivalMs = user.approximateArrivalTimestamp?.getTime() ?? parsed.timestampMs;
          windows.add(user, parsed.trade, parsed.timestampMs, arrivalMs);
        }
      }
      processed += users.length;
    }
    return processed;
  };
  // A GetRecords page: up to 10 000 plain records, or (10 MB a call) about 10 aggregates of 50 KB here.
  const plainPath = fullPath(plain, 4000);
  const aggregatedPath = fullPath(aggregates, 10);
  const rate = (run: () => number) => {
    const started = performance.now();
    run();
    return count / ((performance.now() - started) / 1000);
  };
  const rates = { parseOnly: [] as number[], plain: [] as number[], aggregated: [] as number[] };
  for (let round = 0; round < 9; round++) {
    const parse = rate(parseOnly);
    const plainRate = rate(plainPath);
    const aggregatedRate = rate(aggregatedPath);
    if (round < 2) continue; // warm-up
    rates.parseOnly.push(parse);
    rates.plain.push(plainRate);
    rates.aggregated.push(aggregatedRate);
  }
  const parseOnlyPerSecond = median(rates.parseOnly);
  const plainPerSecond = median(rates.plain);
  const aggregatedPerSecond = median(rates.aggregated);
  const pct = (value: number) => `${((value / parseOnlyPerSecond) * 100).toFixed(0)} %`;
  console.log(
    `  (a) parse only ${Math.round(parseOnlyPerSecond)} records/s; full path, plain records ${Math.round(plainPerSecond)} = ${pct(plainPerSecond)}; full path, KPL aggregates ${Math.round(aggregatedPerSecond)} = ${pct(aggregatedPerSecond)} (goal ≥ 50 %)`,
  );
  return {
    records: count,
    aggregates: aggregates.length,
    parseOnlyPerSecond,
    plainPerSecond,
    aggregatedPerSecond,
    plainRatio: plainPerSecond / parseOnlyPerSecond,
    aggregatedRatio: aggregatedPerSecond / parseOnlyPerSecond,
    goal: 'full path >= 50% of parse-only',
  };
}

/** (b) Latency from PutRecords (the record's arrival time) and from the trade's creation to its processing. */
export async function benchLatency(
  kinesisEndpoint: string,
  dynamodbEndpoint: string,
  retrieval: 'polling' | 'fan-out' = 'polling',
) {
  const clients = localClients(kinesisEndpoint, dynamodbEndpoint);
  const stream = retrieval === 'polling' ? 'BenchLatency' : 'BenchLatencyFanOut';
  const app = `${stream}App`;
  const streams = new StreamAdmin(clients);
  await streams.create(stream, { capacity: 'PROVISIONED', shards: 4 });
  await streams.waitUntilActive(stream);
  const fromPut: number[] = [];
  const fromCreation: number[] = [];
  let measuring = false;
  const stop = new AbortController();
  const scheduler = benchWorker(clients, retrieval, { applicationName: app, streamName: stream }, (shardId) =>
    timed(
      new StockTradeRecordProcessor(
        shardId,
        { windowMs: 60_000, latenessMs: 1000, checkpointIntervalMs: 10_000, ...DEFAULT_EVENT_TIME_BOUNDS },
        {
          sink: { emit: async () => {} },
          log: { debug() {}, info() {}, warn() {}, error() {} },
          now: Date.now,
        },
      ),
    ),
  );
  function timed(processor: ShardRecordProcessor): ShardRecordProcessor {
    return {
      initialize: (input) => processor.initialize(input),
      processRecords: async (input) => {
        const now = Date.now();
        if (measuring) {
          for (const record of input.records) {
            if (record.approximateArrivalTimestamp) fromPut.push(now - record.approximateArrivalTimestamp.getTime());
            const parsed = parseTrade(record.data);
            if (parsed.ok) fromCreation.push(now - Date.parse(parsed.trade.timestamp));
          }
        }
        await processor.processRecords(input);
      },
      leaseLost: () => processor.leaseLost(),
      shardEnded: (input) => processor.shardEnded(input),
      shutdownRequested: (input) => processor.shutdownRequested(input),
    };
  }
  const running = scheduler.run(stop.signal);
  await waitFor('the worker to hold 4 leases', () => scheduler.status().shards.length === 4, 30_000);
  const produce = (seconds: number) =>
    runProducer(
      {
        stream,
        mode: 'batched',
        rate: 200,
        durationMs: seconds * 1000,
        partitionKey: 'ticker',
        lingerMs: 50,
        maxInFlight: 4,
        retryPolicy: DEFAULT_RETRY_POLICY,
      },
      {
        port: new KinesisRecordsPort(clients),
        streamStatus: async () => 'ACTIVE',
        now: Date.now,
        sleep: systemClock.sleep,
      },
    );
  await produce(5); // warm-up: polling settles to the rate of arrivals
  measuring = true;
  await produce(30);
  await systemClock.sleep(2000);
  measuring = false;
  stop.abort();
  await running;
  clients.destroy();
  const summary = (values: number[]) => ({
    samples: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
  });
  const put = summary(fromPut);
  const created = summary(fromCreation);
  console.log(
    `  (b) ${retrieval}, 200 trades/s, 4 shards: put → processed p50 ${put.p50} ms, p99 ${put.p99} ms (goal p50 ≤ 250, p99 ≤ 1000); created → processed p50 ${created.p50} ms, p99 ${created.p99} ms`,
  );
  return {
    retrieval,
    rate: 200,
    shards: 4,
    putToProcessMs: put,
    createdToProcessMs: created,
    goal: 'p50 <= 250 ms, p99 <= 1000 ms',
  };
}

/** (c) How long until the surviving worker owns a stopped worker's shards, with the default timings. */
async function benchTakeover(kinesisEndpoint: string, dynamodbEndpoint: string) {
  const clients = localClients(kinesisEndpoint, dynamodbEndpoint);
  const dir = mkdtempSync(join(tmpdir(), 'bench-takeover-'));
  const env = localTargetEnv(kinesisEndpoint, dynamodbEndpoint);
  try {
    const measure = async (how: 'SIGKILL' | 'SIGINT') => {
      const stream = `BenchTakeover${how}`;
      const app = `${stream}App`;
      const streams = new StreamAdmin(clients);
      await streams.create(stream, { capacity: 'PROVISIONED', shards: 4 });
      await streams.waitUntilActive(stream);
      const args = (id: string) => [
        '--worker-id',
        id,
        '--stream',
        stream,
        '--application-name',
        app,
        '--quiet',
        '--log-format',
        'json',
        '--no-stats-stream',
      ];
      const a = startCommand('consumer', args('A'), env, join(dir, `${how}-A.log`));
      const b = startCommand('consumer', args('B'), env, join(dir, `${how}-B.log`));
      const store = new DynamoLeaseStore({ tableName: app, dynamodbClient: clients.dynamodb });
      const owners = async () => (await store.listLeases().catch(() => [])).map((lease) => lease.leaseOwner);
      await waitFor(
        '2 leases each',
        async () => {
          const held = await owners();
          return (
            held.length === 4 &&
            held.filter((owner) => owner === 'A').length === 2 &&
            held.filter((owner) => owner === 'B').length === 2
          );
        },
        90_000,
        250,
      );
      a.child.kill(how);
      const from = Date.now();
      await waitFor('B to own all 4', async () => (await owners()).every((owner) => owner === 'B'), 60_000, 25);
      const ms = Date.now() - from;
      b.child.kill('SIGINT');
      await Promise.all([a.exited, b.exited]);
      return ms;
    };
    const killMs = await measure('SIGKILL');
    const stopMs = await measure('SIGINT');
    console.log(
      `  (c) default timings (failover 10 s, renew 3.3 s): after kill -9 ${killMs} ms (bound 13 333 ms); after a clean stop ${stopMs} ms (goal ≤ 2 000 ms)`,
    );
    return { failoverMs: 10_000, renewIntervalMs: 3333, afterKillMs: killMs, afterCleanStopMs: stopMs };
  } finally {
    clients.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type AwsClients, localClients, StreamAdmin } from '@stock-trades/aws';
import { serializeTrade } from '@stock-trades/core';
import { TradeGenerator } from '@stock-trades/core/generator';
import { systemClock } from '@stock-trades/kcl';
import { deaggregate, RecordAggregator } from '@stock-trades/kpl';
import { findFreePort } from '@stock-trades/local-stack';
import { DEFAULT_LINGER_MS, DEFAULT_MAX_IN_FLIGHT, type ProducerOptions, runProducer } from '@stock-trades/producer';
import { startCommand, waitFor } from '@stock-trades/testkit';
import { DEFAULT_RETRY_POLICY, KinesisRecordsPort } from '@stock-trades/writer';

const SECONDS = 8;
const MIB = 1024 * 1024;

/**
 * The producer against the shard limits, side by side in one run with a raw loop on the
 * same stack: PutRecords as fast as it goes, no backoff, counting what Kinesis accepted.
 * With limits on, 1 shard: records/s with plain records, trade bytes/s with --aggregate.
 * With limits off: --aggregate --rate max against a raw loop of pre-built ~45 KB aggregates.
 */
export async function benchLimits(): Promise<object> {
  const on = await withStack(true, async (clients, fresh) => {
    console.log('limits on, 1 shard: the producer vs a raw no-backoff PutRecords loop');
    const rawPlain = await rawLoop(clients, await fresh(), plainBatch);
    const plain = await producer(clients, await fresh(), false);
    const rawAggregated = await rawLoop(clients, await fresh(), aggregatedBatch);
    const aggregated = await producer(clients, await fresh(), true);
    const aggregatedRandomKeys = await producer(clients, await fresh(), true, 'random');
    report('plain records/s', plain.recordsPerSecond, rawPlain.recordsPerSecond, 1000);
    reportThrottled(plain, rawPlain);
    report('aggregated trade MiB/s', aggregated.bytesPerSecond / MIB, rawAggregated.bytesPerSecond / MIB, 1);
    reportThrottled(aggregated, rawAggregated);
    console.log(
      `  with --partition-key random: producer ${(aggregatedRandomKeys.bytesPerSecond / MIB).toFixed(2)} trade MiB/s, ${pct(aggregatedRandomKeys.throttledShareAfterFirstSecond)} throttled after the first second (each distinct key rides in its aggregate's key table)`,
    );
    return { rawPlain, plain, rawAggregated, aggregated, aggregatedRandomKeys };
  });
  // kinesis-local takes fewer plain records into one shard than a real shard's 1,000 a second: halve the shard (as
  // `pnpm stack --limit-scale 0.5`) and tell the producer (`--shard-rate-limit 50`), so the limit is what binds.
  const half = await withStack(
    true,
    async (clients, fresh) => {
      console.log("limits on x 0.5, 1 shard (500 records/s: within the emulator's reach), plain records");
      const rawPlainHalf = await rawLoop(clients, await fresh(), plainBatch);
      const plainHalf = await producer(clients, await fresh(), false, 'ticker', 0.5);
      report('plain records/s', plainHalf.recordsPerSecond, rawPlainHalf.recordsPerSecond, 500);
      reportThrottled(plainHalf, rawPlainHalf);
      return { rawPlain: rawPlainHalf, plain: plainHalf };
    },
    0.5,
  );
  const off = await withStack(false, async (clients, fresh) => {
    console.log('limits off, 1 shard: what the emulator itself takes with plain records');
    const rawPlainOneShard = await rawLoop(clients, await fresh(), plainBatch);
    console.log(`  plain records/s: raw loop ${rawPlainOneShard.recordsPerSecond.toFixed(0)}`);
    console.log('limits off, 4 shards: producer --aggregate --rate max vs a raw loop of pre-built ~45 KB records');
    const raw = await rawLoop(clients, await fresh(4), aggregatedBatch);
    const aggregated = await producer(clients, await fresh(4), true);
    report('trades/s', aggregated.tradesPerSecond, raw.tradesPerSecond, undefined);
    return { rawPlainOneShard, raw, aggregated };
  });
  return {
    limitsOn: on,
    limitsHalved: half,
    limitsOff: off,
    goals: [
      'limits on, 1 shard: producer >= 90% of 1,000 records/s (plain) and of 1 MiB/s (aggregate), < 1% throttled',
      "limits x 0.5 (within the emulator's reach), 1 shard: producer --shard-rate-limit 50 >= 90% of 500 records/s (plain), < 1% throttled",
      'limits off: producer --aggregate >= 90% of a raw loop of pre-built aggregates',
    ],
  };
}

type Fresh = (shards?: number) => Promise<string>;

/**
 * `pnpm stack` in a process of its own, as a user runs it: in this process, the producer's
 * work would delay the proxy's bookkeeping and bunch its arrivals (a burst the limits refuse).
 */
async function withStack<T>(
  shardLimits: boolean,
  run: (clients: AwsClients, fresh: Fresh) => Promise<T>,
  limitScale = 1,
): Promise<T> {
  const [kinesisPort, dynamodbPort] = [await findFreePort(), await findFreePort()];
  const logDir = mkdtempSync(join(tmpdir(), 'bench-limits-'));
  const args = [
    ...['--kinesis-port', String(kinesisPort), '--dynamodb-port', String(dynamodbPort)],
    ...['--limit-scale', String(limitScale)],
  ];
  const stack = startCommand(
    'local-stack',
    shardLimits ? args : [...args, '--no-shard-limits'],
    {},
    join(logDir, 'stack.log'),
  );
  const clients = localClients(`http://127.0.0.1:${kinesisPort}`, `http://127.0.0.1:${dynamodbPort}`);
  await waitFor(
    'pnpm stack to answer',
    async () =>
      await new StreamAdmin(clients).describe('none').then(
        () => true,
        () => false,
      ),
    120_000,
    250,
  );
  const streams = new StreamAdmin(clients);
  let count = 0;
  // kinesis-local slows down as a stream fills: every measurement gets a fresh one.
  const fresh: Fresh = async (shards = 1) => {
    const name = `Limits-${count++}`;
    await streams.create(name, { capacity: 'PROVISIONED', shards });
    await streams.waitUntilActive(name);
    return name;
  };
  try {
    return await run(clients, fresh);
  } finally {
    clients.destroy();
    stack.child.kill('SIGINT');
    await stack.exited;
    rmSync(logDir, { recursive: true, force: true });
  }
}

interface Measured {
  readonly recordsPerSecond: number;
  readonly tradesPerSecond: number;
  /** Trade data (serialized trades) per second. */
  readonly bytesPerSecond: number;
  /** Share of PutRecords entries answered ProvisionedThroughputExceeded. */
  readonly throttledShare: number;
  /** The same, among the entries sent after the first second (the goal's measure: the first burst is free). */
  readonly throttledShareAfterFirstSecond: number;
}

/** A batch of PutRecords entries and how many trades and trade bytes they carry. */
type BatchMaker = (generator: TradeGenerator) => {
  entries: Array<{ Data: Uint8Array; PartitionKey: string }>;
  trades: number;
  bytes: number;
};

const plainBatch: BatchMaker = (generator) => {
  const entries = Array.from({ length: 500 }, () => {
    const trade = generator.next();
    return { Data: serializeTrade(trade), PartitionKey: trade.tickerSymbol };
  });
  return { entries, trades: 500, bytes: entries.reduce((sum, entry) => sum + entry.Data.length, 0) };
};

const aggregatedBatch: BatchMaker = (generator) => {
  const entries: Array<{ Data: Uint8Array; PartitionKey: string }> = [];
  let trades = 0;
  let bytes = 0;
  while (entries.length < 20) {
    const aggregator = new RecordAggregator(45_000);
    for (let record: ReturnType<RecordAggregator['add']>; !record; ) {
      const trade = generator.next();
      const data = serializeTrade(trade);
      trades++;
      bytes += data.length;
      record = aggregator.add(trade.tickerSymbol, data);
      if (record) entries.push({ Data: record.data, PartitionKey: record.partitionKey });
    }
  }
  return { entries, trades, bytes };
};

/** Calls under way at once in the raw loop: as many as the producer keeps in flight. */
const RAW_CONCURRENCY = DEFAULT_MAX_IN_FLIGHT;

/** PutRecords as fast as it goes for SECONDS, no backoff, resending nothing: what does the stack accept? */
async function rawLoop(clients: AwsClients, stream: string, make: BatchMaker): Promise<Measured> {
  const generator = new TradeGenerator({ seed: 3 });
  const batches = Array.from({ length: 8 }, () => make(generator));
  let sent = 0;
  let accepted = 0;
  let trades = 0;
  let bytes = 0;
  let sentLater = 0;
  let failedLater = 0;
  const started = performance.now();
  const loop = async (offset: number) => {
    for (let index = offset; performance.now() - started < SECONDS * 1000; index += RAW_CONCURRENCY) {
      const batch = batches[index % batches.length];
      if (!batch) break;
      const answer = await clients.kinesisSingleAttempt
        .send(new PutRecordsCommand({ StreamName: stream, Records: batch.entries }))
        .catch(() => undefined);
      const sentAt = performance.now();
      sent += batch.entries.length;
      const failed = answer ? (answer.FailedRecordCount ?? 0) : batch.entries.length;
      if (sentAt - started > 1000) {
        sentLater += batch.entries.length;
        failedLater += failed;
      }
      accepted += batch.entries.length - failed;
      const share = (batch.entries.length - failed) / batch.entries.length;
      trades += batch.trades * share;
      bytes += batch.bytes * share;
    }
  };
  await Promise.all(Array.from({ length: RAW_CONCURRENCY }, (_, offset) => loop(offset)));
  const seconds = (performance.now() - started) / 1000;
  return {
    recordsPerSecond: accepted / seconds,
    tradesPerSecond: trades / seconds,
    bytesPerSecond: bytes / seconds,
    throttledShare: sent > 0 ? (sent - accepted) / sent : 0,
    throttledShareAfterFirstSecond: sentLater > 0 ? failedLater / sentLater : 0,
  };
}

/** The producer as a user runs it (`--rate max`, its default partition keys: the ticker, as in the tutorial). */
async function producer(
  clients: AwsClients,
  stream: string,
  aggregate: boolean,
  partitionKey: ProducerOptions['partitionKey'] = 'ticker',
  shardRateLimit = 1,
): Promise<Measured> {
  const options: ProducerOptions = {
    stream,
    mode: 'batched',
    seed: 3,
    partitionKey,
    aggregate,
    shardRateLimit,
    durationMs: SECONDS * 1000,
    lingerMs: DEFAULT_LINGER_MS,
    maxInFlight: DEFAULT_MAX_IN_FLIGHT,
    retryPolicy: DEFAULT_RETRY_POLICY,
  };
  const port = new KinesisRecordsPort(clients);
  let entries = 0;
  let entriesLater = 0;
  let refusedLater = 0;
  let tradeBytes = 0;
  const started = performance.now();
  const counting = {
    ...port,
    listShards: (name: string) => port.listShards(name),
    putRecord: port.putRecord.bind(port),
    putRecords: async (name: string, batch: Parameters<typeof port.putRecords>[1]) => {
      const later = performance.now() - started > 1000;
      entries += batch.length;
      const outcomes = await port.putRecords(name, batch);
      outcomes.forEach((outcome, index) => {
        const entry = batch[index];
        if (!outcome.ok || !entry) return;
        // The trade data it carried: the inner records of an aggregate, or the record itself.
        const inner = deaggregate([{ sequenceNumber: '0', partitionKey: entry.partitionKey, data: entry.data }]);
        for (const record of inner.records) tradeBytes += record.data.length;
      });
      if (later) {
        entriesLater += batch.length;
        refusedLater += outcomes.filter((outcome) => !outcome.ok).length;
      }
      return outcomes;
    },
  };
  const stats = await runProducer(options, {
    port: counting,
    streamStatus: async () => 'ACTIVE',
    now: Date.now,
    sleep: systemClock.sleep,
  });
  const seconds = stats.elapsedMs / 1000;
  const kinesisRecords = entries - stats.retriedRecords;
  return {
    recordsPerSecond: kinesisRecords / seconds,
    tradesPerSecond: stats.delivered / seconds,
    bytesPerSecond: tradeBytes / seconds,
    throttledShare: entries > 0 ? stats.retriedRecords / entries : 0,
    throttledShareAfterFirstSecond: entriesLater > 0 ? refusedLater / entriesLater : 0,
  };
}

function report(what: string, producer: number, raw: number, limit: number | undefined): void {
  const ofLimit = limit === undefined ? '' : `; producer = ${pct(producer / limit)} of the shard's ${limit}`;
  console.log(
    `  ${what}: producer ${producer.toFixed(producer < 10 ? 2 : 0)}, raw loop ${raw.toFixed(raw < 10 ? 2 : 0)} (producer/raw ${pct(producer / raw)}${ofLimit})`,
  );
}

function reportThrottled(producer: Measured, raw: Measured): void {
  console.log(
    `    throttled entries after the first second: producer ${pct(producer.throttledShareAfterFirstSecond)}, raw loop ${pct(raw.throttledShareAfterFirstSecond)}`,
  );
}

function pct(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

import { type AwsClients, localClients, readShardTraffic, StreamAdmin } from '@stock-trades/aws';
import { type ShardRecordProcessor, systemClock } from '@stock-trades/kcl';
import { startLocalStack } from '@stock-trades/local-stack';
import { waitFor } from '@stock-trades/testkit';
import { benchWorker, produceInProcess } from './benchPipeline.js';
import { benchLatency, percentile } from './consumerBench.js';

type Retrieval = 'polling' | 'fan-out';
const SHARDS = 4;
const BACKLOG = 20_000;
const TWO_APPS_SECONDS = 20;
const DRAIN_ROUNDS = 3;

/**
 * `pnpm bench fanout`, on one embedded stack, polling and enhanced fan-out side by side: put →
 * processed latency at 200 trades/s; two applications on one stream (records each reads a second,
 * and the share of its reads Kinesis refused, as the stack counted them); the drain of a
 * 20,000-record backlog by a new application, alternating, three rounds each.
 */
export async function benchFanOut(): Promise<object> {
  console.log('fanout:');
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
  try {
    const polling = await benchLatency(stack.kinesisEndpoint, stack.dynamodbEndpoint, 'polling');
    const fanOut = await benchLatency(stack.kinesisEndpoint, stack.dynamodbEndpoint, 'fan-out');
    const ratio = fanOut.putToProcessMs.p50 / polling.putToProcessMs.p50;
    console.log(
      `  fan-out / polling, put → processed p50: ${ratio.toFixed(2)} (goal: fan-out p50 <= 100 ms and below polling's)`,
    );
    const twoApps = {
      polling: await benchTwoApplications(stack.kinesisEndpoint, stack.dynamodbEndpoint, 'polling'),
      fanOut: await benchTwoApplications(stack.kinesisEndpoint, stack.dynamodbEndpoint, 'fan-out'),
    };
    const drain = await benchDrain(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    return {
      polling,
      fanOut,
      p50Ratio: ratio,
      goal: 'fan-out p50 <= 100 ms, below polling',
      goalMet: fanOut.putToProcessMs.p50 <= 100 && fanOut.putToProcessMs.p50 < polling.putToProcessMs.p50,
      twoApplications: twoApps,
      drain,
    };
  } finally {
    await stack.stop();
  }
}

interface Running {
  /** Kinesis records each shard's processor was handed (KPL aggregates are undone: user records). */
  readonly processed: () => number;
  readonly latencies: number[];
  readonly leases: () => number;
  stop(): Promise<void>;
}

/** One application: a Scheduler of its own, its own SDK clients (sending its name as their app id), counting what it is handed. */
function runApplication(
  endpoints: { kinesis: string; dynamodb: string },
  stream: string,
  application: string,
  retrieval: Retrieval,
  measuring: () => boolean,
): Running {
  const clients: AwsClients = localClients(endpoints.kinesis, endpoints.dynamodb, { appId: application });
  let processed = 0;
  const latencies: number[] = [];
  const processor = (): ShardRecordProcessor => ({
    initialize: () => {},
    processRecords: ({ records }) => {
      processed += records.length;
      if (!measuring()) return;
      const now = Date.now();
      for (const record of records) {
        if (record.approximateArrivalTimestamp) latencies.push(now - record.approximateArrivalTimestamp.getTime());
      }
    },
    leaseLost: () => {},
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: () => {},
  });
  const scheduler = benchWorker(clients, retrieval, { applicationName: application, streamName: stream }, processor);
  const stopping = new AbortController();
  const running = scheduler.run(stopping.signal);
  return {
    processed: () => processed,
    latencies,
    leases: () => scheduler.status().shards.length,
    stop: async () => {
      stopping.abort();
      await running;
      clients.destroy();
    },
  };
}

async function createStream(clients: AwsClients, stream: string): Promise<void> {
  const streams = new StreamAdmin(clients);
  await streams.create(stream, { capacity: 'PROVISIONED', shards: SHARDS });
  await streams.waitUntilActive(stream);
}

/** Two applications reading one stream at 200 trades/s, both polling or both through fan-out. */
async function benchTwoApplications(kinesis: string, dynamodb: string, retrieval: Retrieval) {
  const clients = localClients(kinesis, dynamodb);
  const stream = retrieval === 'polling' ? 'BenchTwoAppsPolling' : 'BenchTwoAppsFanOut';
  await createStream(clients, stream);
  let measuring = false;
  const names = ['Processor', 'Audit'].map((name) => `${name}${retrieval === 'polling' ? 'Polling' : 'FanOut'}`);
  const apps = names.map((name) => runApplication({ kinesis, dynamodb }, stream, name, retrieval, () => measuring));
  try {
    await waitFor('both applications to hold every lease', () => apps.every((app) => app.leases() === SHARDS), 60_000);
    await produceInProcess(clients, stream, { rate: 200, seconds: 5 }); // warm-up
    const counted = async () => (await readShardTraffic(kinesis))?.readers?.[stream] ?? [];
    const before = await counted();
    const started = Date.now();
    measuring = true;
    await produceInProcess(clients, stream, { rate: 200, seconds: TWO_APPS_SECONDS });
    await systemClock.sleep(2000);
    measuring = false;
    const seconds = (Date.now() - started) / 1000;
    const after = await counted();
    const result = names.map((name, index) => {
      const sum = (readers: typeof after) => {
        const reader = readers.find((entry) => entry.application === name && entry.mode === retrieval);
        return Object.values(reader?.shards ?? {}).reduce(
          (acc, shard) => ({
            reads: acc.reads + shard.reads,
            throttled: acc.throttled + shard.readsThrottled,
            records: acc.records + shard.recordsOut,
          }),
          { reads: 0, throttled: 0, records: 0 },
        );
      };
      const [now, then] = [sum(after), sum(before)];
      const reads = now.reads - then.reads;
      const throttled = now.throttled - then.throttled;
      const latencies = apps[index]?.latencies ?? [];
      return {
        application: name,
        recordsReadPerSecond: Math.round((now.records - then.records) / seconds),
        readsPerSecond: Math.round((reads / seconds) * 10) / 10,
        throttledShare: reads + throttled > 0 ? Math.round((throttled / (reads + throttled)) * 1000) / 1000 : 0,
        putToProcessMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
      };
    });
    for (const app of result) {
      console.log(
        `  two applications, ${retrieval}, 200 trades/s: ${app.application} reads ${app.recordsReadPerSecond} records/s in ${app.readsPerSecond} reads/s, ${(app.throttledShare * 100).toFixed(1)} % refused; put → processed p50 ${app.putToProcessMs.p50} ms, p99 ${app.putToProcessMs.p99} ms`,
      );
    }
    return { retrieval, rate: 200, shards: SHARDS, seconds: TWO_APPS_SECONDS, applications: result };
  } finally {
    await Promise.all(apps.map((app) => app.stop()));
    clients.destroy();
  }
}

/** A 20,000-record backlog read from TRIM_HORIZON by a new application: start → all, and the rate once reading. */
async function benchDrain(kinesis: string, dynamodb: string) {
  const clients = localClients(kinesis, dynamodb);
  const stream = 'BenchDrain';
  await createStream(clients, stream);
  await produceInProcess(clients, stream, { count: BACKLOG });
  const rounds: Record<Retrieval, Array<{ allMs: number; firstMs: number; recordsPerSecond: number }>> = {
    polling: [],
    'fan-out': [],
  };
  try {
    for (let round = 0; round < DRAIN_ROUNDS; round++) {
      // Alternating which goes first, so neither always meets a warmer stack.
      const order: Retrieval[] = round % 2 === 0 ? ['polling', 'fan-out'] : ['fan-out', 'polling'];
      for (const retrieval of order) {
        const name = `Drain${retrieval === 'polling' ? 'Polling' : 'FanOut'}${round}`;
        const started = Date.now();
        let first = 0;
        const app = runApplication({ kinesis, dynamodb }, stream, name, retrieval, () => false);
        try {
          await waitFor('the first record', () => app.processed() > 0, 60_000, 5);
          first = Date.now();
          await waitFor(`all ${BACKLOG} records`, () => app.processed() >= BACKLOG, 120_000, 5);
        } finally {
          await app.stop();
        }
        const done = Date.now();
        const measured = {
          allMs: done - started,
          firstMs: first - started,
          recordsPerSecond: Math.round(BACKLOG / Math.max(0.001, (done - first) / 1000)),
        };
        rounds[retrieval].push(measured);
        console.log(
          `  drain, round ${round + 1}, ${retrieval}: ${BACKLOG} records in ${measured.allMs} ms (first after ${measured.firstMs} ms; ${measured.recordsPerSecond} records/s once reading)`,
        );
      }
    }
  } finally {
    clients.destroy();
  }
  const median = (values: number[]) => percentile(values, 50);
  const summary = (retrieval: Retrieval) => ({
    allMs: median(rounds[retrieval].map((round) => round.allMs)),
    firstMs: median(rounds[retrieval].map((round) => round.firstMs)),
    recordsPerSecond: median(rounds[retrieval].map((round) => round.recordsPerSecond)),
  });
  const [polling, fanOut] = [summary('polling'), summary('fan-out')];
  console.log(
    `  drain, medians: polling ${polling.allMs} ms (${polling.recordsPerSecond}/s), fan-out ${fanOut.allMs} ms (${fanOut.recordsPerSecond}/s); fan-out / polling, start → all: ${(fanOut.allMs / polling.allMs).toFixed(2)}`,
  );
  return {
    backlog: BACKLOG,
    shards: SHARDS,
    rounds,
    polling,
    fanOut,
    allRatio: fanOut.allMs / polling.allMs,
  };
}

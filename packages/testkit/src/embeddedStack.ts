import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AwsClients, localClients, localTargetEnv, readAllRecords, StreamAdmin } from '@stock-trades/aws';
import { DynamoLeaseStore, type Lease } from '@stock-trades/kcl';
import {
  type FaultPlan,
  type LocalStackOptions,
  type RunningLocalStack,
  startLocalStack,
} from '@stock-trades/local-stack';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type CommandProcess, startCommand, waitFor } from './processes.js';
import {
  expectedPerShardWindow,
  mismatches,
  observedPerShardWindow,
  type ResultLine,
  readJsonLines,
  type SampleLine,
  type TradeLogLine,
} from './samples.js';

/**
 * For one test file: the embedded stack on free ports, a scratch folder, and every
 * process the tests start, all stopped and removed afterwards.
 */
export function useEmbeddedStack(options: Omit<LocalStackOptions, 'kinesisPort' | 'dynamodbPort'> = {}) {
  let stack: RunningLocalStack | undefined;
  let clients: AwsClients | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'consumer-it-'));
  const processes: CommandProcess[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ ...options, kinesisPort: 0, dynamodbPort: 0 });
    clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  });
  // A test that failed leaves what its processes warned about in the output: on a shared CI machine that is often
  // the only trace of a failure that does not repeat.
  afterEach((context) => {
    if (context.task.result?.state === 'fail') process.stderr.write(processWarnings(dir));
  });
  afterAll(async () => {
    for (const running of processes) running.child.kill('SIGKILL');
    await Promise.all(processes.map((running) => running.exited));
    clients?.destroy();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const fixture = {
    dir,
    path: (name: string) => join(dir, name),
    /** The stack's faults and pauses (see FaultPlan), to change while a test runs. */
    get faults(): FaultPlan {
      if (!stack) throw new Error('stack not started');
      return stack.faults;
    },
    /** Restarts one emulator on its port and data folder (see RunningLocalStack.restart): an outage of it. */
    restart(service: 'kinesis' | 'dynamodb', downMs?: number): Promise<void> {
      if (!stack) throw new Error('stack not started');
      return stack.restart(service, downMs);
    },
    get clients(): AwsClients {
      if (!clients) throw new Error('stack not started');
      return clients;
    },
    get env(): NodeJS.ProcessEnv {
      if (!stack) throw new Error('stack not started');
      return localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    },
    async createStream(name: string, shards: number): Promise<void> {
      const admin = new StreamAdmin(fixture.clients);
      await admin.create(name, { capacity: 'PROVISIONED', shards });
      await admin.waitUntilActive(name);
    },
    leases(table: string): Promise<Lease[]> {
      return new DynamoLeaseStore({ tableName: table, dynamodbClient: fixture.clients.dynamodb })
        .listLeases()
        .catch(() => []);
    },
    /** Starts a consumer worker writing JSON logs and its samples to files named after it. */
    startWorker(workerId: string, args: readonly string[]): CommandProcess {
      const worker = startCommand(
        'consumer',
        ['--worker-id', workerId, '--quiet', '--log-format', 'json', '--out', join(dir, `${workerId}.jsonl`), ...args],
        fixture.env,
        join(dir, `${workerId}.log`),
      );
      processes.push(worker);
      return worker;
    },
    /** Starts the aggregator writing JSON logs and its results to files named after it. */
    startAggregator(name: string, args: readonly string[]): CommandProcess {
      const aggregator = startCommand(
        'aggregator',
        ['--worker-id', name, '--quiet', '--log-format', 'json', '--out', join(dir, `${name}.jsonl`), ...args],
        fixture.env,
        join(dir, `${name}.log`),
      );
      processes.push(aggregator);
      return aggregator;
    },
    startProducer(name: string, args: readonly string[]): CommandProcess {
      const producer = startCommand(
        'producer',
        ['--trade-log', join(dir, `${name}.trades.jsonl`), ...args],
        fixture.env,
        join(dir, `${name}.log`),
      );
      processes.push(producer);
      return producer;
    },
  };
  return fixture;
}

/** Shard → owner, from a lease listing. */
export function owners(leases: readonly Lease[]): Map<string, string | undefined> {
  return new Map(leases.map((lease) => [lease.leaseKey, lease.leaseOwner]));
}

/**
 * Fast lease timings for tests: failover 3 s, renew 1 s, look for free leases every 250 ms;
 * 5 s windows; no stats stream (add `--stats-stream NAME` after these to send samples).
 */
export function fastWorkerArgs(stream: string, application: string): string[] {
  return [
    ...['--stream', stream, '--application-name', application, '--no-stats-stream'],
    ...['--failover', '3s', '--renew-interval', '1s', '--lease-poll', '250ms'],
    ...['--window', '5s', '--lateness', '1s', '--checkpoint-interval', '2s'],
  ];
}

/**
 * The aggregator's arguments for tests: samples from `statsStream`, checked against the
 * shards of `tradeStream`, leases in `application`, failover 3 s, windows shown incomplete
 * after `grace`.
 */
export function fastAggregatorArgs(
  statsStream: string,
  tradeStream: string,
  application: string,
  grace: string,
): string[] {
  return [
    ...['--stream', statsStream, '--trade-stream', tradeStream, '--application-name', application],
    ...['--grace', grace, '--failover', '3s'],
  ];
}

/**
 * Why the results still wait for a shard, for a test's failure message: for every window
 * whose latest result is incomplete, and every shard it waits for, whether a worker wrote
 * that shard's sample of the window (its `--out`), how many copies of it the stats stream
 * holds, and who holds the shard's lease at which checkpoint. So a failure that does not
 * repeat (on a shared CI machine) says at which step the sample stopped.
 */
export async function whyIncomplete(
  fixture: ReturnType<typeof useEmbeddedStack>,
  results: ReadonlyMap<number, ResultLine>,
  pipeline: { readonly application: string; readonly workers: readonly string[]; readonly statsStream: string },
): Promise<string> {
  const waiting = [...results.values()].filter((result) => !result.complete);
  if (waiting.length === 0) return 'no result is incomplete';
  const written = pipeline.workers.map((worker) => ({
    worker,
    samples: readJsonLines<SampleLine>(fixture.path(`${worker}.jsonl`)),
  }));
  const onStats = await samplesOn(fixture, pipeline.statsStream).catch((error: unknown) => String(error));
  const leases = await fixture.leases(pipeline.application);
  const lines: string[] = [];
  for (const result of waiting) {
    for (const shardId of result.missingShards) {
      const same = (sample: { shardId?: unknown; windowStart?: unknown }) =>
        sample.shardId === shardId && sample.windowStart === result.windowStart;
      const by = written.filter(({ samples }) => samples.some(same)).map(({ worker }) => worker);
      const copies = typeof onStats === 'string' ? onStats : String(onStats.filter(same).length);
      const lease = leases.find((one) => one.leaseKey === shardId);
      lines.push(
        `${shardId}, window ${result.windowStart}: written by ${by.join(', ') || 'no worker'}; ${copies} on ` +
          `${pipeline.statsStream}; lease held by ${lease?.leaseOwner ?? 'nobody'} at ${lease?.checkpoint.sequenceNumber ?? 'no lease'}`,
      );
    }
  }
  return lines.join('\n');
}

/** The samples on a stream: each record read back as JSON (what is not JSON is left out). */
async function samplesOn(
  fixture: ReturnType<typeof useEmbeddedStack>,
  streamName: string,
): Promise<Array<Record<string, unknown>>> {
  return (await readAllRecords(fixture.clients, streamName)).flatMap((record) => {
    try {
      return [JSON.parse(Buffer.from(record.data).toString('utf8')) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Waits until each of `workers` holds exactly `each` of the application's leases (and nothing else is held). */
export async function waitForBalance(
  fixture: ReturnType<typeof useEmbeddedStack>,
  application: string,
  workers: readonly string[],
  each: number,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `${workers.join(', ')} to hold ${each} leases each`,
    async () => {
      const held = [...owners(await fixture.leases(application)).values()];
      return (
        held.length === workers.length * each &&
        workers.every((worker) => held.filter((owner) => owner === worker).length === each)
      );
    },
    timeoutMs,
    250,
  );
}

/**
 * Waits until the workers' samples, merged per shard and window, equal the statistics
 * computed directly from the trade log; returns what still differs if they never do.
 */
export async function waitForExactSamples(
  fixture: ReturnType<typeof useEmbeddedStack>,
  tradeLog: string,
  workers: readonly string[],
  windowMs: number,
  timeoutMs: number,
): Promise<{ trades: number; differences: string[] }> {
  const log = readJsonLines<TradeLogLine>(fixture.path(tradeLog));
  const expected = expectedPerShardWindow(log, windowMs);
  let differences: string[] = [];
  await waitFor(
    'the samples to match the trade log',
    () => {
      const samples = workers.flatMap((worker) => readJsonLines<SampleLine>(fixture.path(`${worker}.jsonl`)));
      differences = mismatches(expected, observedPerShardWindow(samples));
      return differences.length === 0;
    },
    timeoutMs,
    500,
  ).catch(() => undefined);
  return { trades: log.length, differences };
}

/** The last warnings and errors of each JSON log in `dir` (the processes' `--log-format json` lines). */
export function processWarnings(dir: string, perLog = 15): string {
  if (!existsSync(dir)) return '';
  const out: string[] = [];
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.log'))) {
    const lines = readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => /"level":"(warn|error)"/.test(line) || (line !== '' && !line.startsWith('{')));
    if (lines.length > 0)
      out.push(
        `--- ${name}: last ${Math.min(perLog, lines.length)} of ${lines.length} warnings`,
        ...lines.slice(-perLog),
      );
  }
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

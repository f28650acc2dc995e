import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AwsClients, localClients, localTargetEnv, readerKinesisClient, StreamAdmin } from '@stock-trades/aws';
import { createWorker, type Scheduler, type ShardRecordProcessorFactory, systemClock } from '@stock-trades/kcl';
import { type LocalStackOptions, type RunningLocalStack, startLocalStack } from '@stock-trades/local-stack';
import { DEFAULT_LINGER_MS, DEFAULT_MAX_IN_FLIGHT, runProducer } from '@stock-trades/producer';
import { type CommandProcess, fastWorkerArgs, startCommand } from '@stock-trades/testkit';
import { DEFAULT_RETRY_POLICY, KinesisRecordsPort } from '@stock-trades/writer';

/** A pipeline a benchmark runs on its own embedded stack: streams Trades (4 shards) and Stats, and its processes. */
export interface BenchPipeline {
  readonly dir: string;
  readonly stack: RunningLocalStack;
  readonly clients: AwsClients;
  readonly streams: StreamAdmin;
  /** Starts one of the project's commands, its output in `<dir>/<name>.log`. */
  start(pkg: string, name: string, args: readonly string[]): CommandProcess;
  /** Two workers (A, B) on Trades sending to Stats, and the aggregator writing `<dir>/aggregator.jsonl`. */
  startStages(aggregatorArgs?: readonly string[]): void;
}

/**
 * Runs `measure` against a fresh embedded stack on free ports with the streams every
 * pipeline benchmark uses, then stops every process, the stack, and removes the scratch
 * folder, however `measure` ends. The stack's own output is kept, and shown if it fails.
 */
export async function withBenchPipeline<T>(
  prefix: string,
  options: Omit<LocalStackOptions, 'kinesisPort' | 'dynamodbPort' | 'onOutput'>,
  measure: (bench: BenchPipeline) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), `bench-${prefix}-`));
  const emulatorLines: string[] = [];
  const stack = await startLocalStack({
    ...options,
    kinesisPort: 0,
    dynamodbPort: 0,
    onOutput: (service, line) => emulatorLines.push(`${service}: ${line}`),
  });
  void stack.unexpectedExit.then((reason) =>
    console.error(`  the embedded stack failed: ${reason}\n${emulatorLines.slice(-20).join('\n')}`),
  );
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  const processes: CommandProcess[] = [];
  const env = localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  const start = (pkg: string, name: string, args: readonly string[]) => {
    const process = startCommand(pkg, args, env, join(dir, `${name}.log`));
    processes.push(process);
    return process;
  };
  try {
    const streams = new StreamAdmin(clients);
    for (const [name, shards] of [
      ['Trades', 4],
      ['Stats', 1],
    ] as const) {
      await streams.create(name, { capacity: 'PROVISIONED', shards });
      await streams.waitUntilActive(name);
    }
    const startStages = (aggregatorArgs: readonly string[] = []) => {
      const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats', '--quiet'];
      for (const id of ['A', 'B']) start('consumer', id, ['--worker-id', id, ...workerArgs]);
      start('aggregator', 'aggregator', [
        ...['--worker-id', 'aggregator', '--quiet', '--stream', 'Stats', '--trade-stream', 'Trades'],
        ...['--application-name', 'Aggregator', '--failover', '3s', '--out', join(dir, 'aggregator.jsonl')],
        ...aggregatorArgs,
      ]);
    };
    return await measure({ dir, stack, clients, streams, start, startStages });
  } finally {
    for (const process of processes) process.child.kill('SIGKILL');
    await Promise.all(processes.map((process) => process.exited));
    clients.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Our batched producer, in this process, into `stream`: `count` trades as fast as the shards take
 * them (a backlog), or `rate` trades a second for `seconds` (50 ms linger, for latency), with
 * random partition keys.
 */
export function produceInProcess(
  clients: AwsClients,
  stream: string,
  options: { rate?: number; seconds?: number; count?: number; seed?: number },
): Promise<unknown> {
  return runProducer(
    {
      stream,
      mode: 'batched',
      ...(options.count === undefined ? {} : { count: options.count }),
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      ...(options.seconds === undefined ? {} : { durationMs: options.seconds * 1000 }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      partitionKey: 'random',
      lingerMs: options.rate === undefined ? DEFAULT_LINGER_MS : 50,
      maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      retryPolicy: DEFAULT_RETRY_POLICY,
    },
    {
      port: new KinesisRecordsPort(clients),
      streamStatus: async () => 'ACTIVE',
      now: Date.now,
      sleep: systemClock.sleep,
    },
  );
}

/**
 * A kcl worker of the benchmarks (`bench`), as the consumer makes one: createWorker, reading in the given mode with the
 * Kinesis client that mode needs (HTTP/2 for fan-out, HTTP/1.1 for polling).
 */
export function benchWorker(
  clients: AwsClients,
  retrieval: 'polling' | 'fan-out',
  names: { readonly applicationName: string; readonly streamName: string },
  processorFactory: ShardRecordProcessorFactory,
): Scheduler {
  return createWorker({
    ...names,
    workerId: 'bench',
    retrieval: { mode: retrieval },
    kinesisClient: readerKinesisClient(clients, { mode: retrieval }),
    dynamodbClient: clients.dynamodb,
    processorFactory,
  });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localClients, StreamAdmin } from '@stock-trades/aws';
import { startLocalStack } from '@stock-trades/local-stack';
import {
  type CommandProcess,
  expectedPerWindow,
  fastWorkerArgs,
  latestResults,
  type ResultLine,
  readJsonLines,
  resultMismatches,
  startCommand,
  type TradeLogLine,
  waitFor,
} from '@stock-trades/testkit';

const WINDOW_MS = 5000;
const PRODUCE_FOR = '20s';

interface PipelineRun {
  readonly shardLimits: boolean;
  readonly trades: number;
  /** From the producer's start to the aggregator's results equal to the trade log, window by window. */
  readonly secondsToExact: number;
  readonly tradesPerSecond: number;
  readonly producerSeconds: number;
}

/**
 * End to end, exact: the producer (--aggregate --rate max for 20 s) → two workers on 4
 * shards → the aggregator, on the embedded stack with its shard limits on, then off.
 * Trades per second = trades / (producer start → aggregator results equal to the trade log).
 */
export async function benchPipeline(): Promise<object> {
  const on = await pipeline(true);
  const off = await pipeline(false);
  for (const run of [on, off]) {
    console.log(
      `  limits ${run.shardLimits ? 'on ' : 'off'}: ${run.trades} trades exact after ${run.secondsToExact.toFixed(1)} s = ${Math.round(run.tradesPerSecond)} trades/s end to end (producer ${run.producerSeconds.toFixed(1)} s)`,
    );
  }
  return { limitsOn: on, limitsOff: off };
}

async function pipeline(shardLimits: boolean): Promise<PipelineRun> {
  console.log(`pipeline, limits ${shardLimits ? 'on' : 'off'}: producer → 2 workers (4 shards) → aggregator`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, shardLimits });
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  const processes: CommandProcess[] = [];
  const env = {
    STOCK_TRADES_TARGET: 'local',
    STOCK_TRADES_KINESIS_ENDPOINT: stack.kinesisEndpoint,
    STOCK_TRADES_DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
  };
  const start = (pkg: string, name: string, args: string[]) => {
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
    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats', '--quiet'];
    for (const id of ['A', 'B']) start('consumer', id, ['--worker-id', id, ...workerArgs]);
    start('aggregator', 'aggregator', [
      ...[
        '--worker-id',
        'aggregator',
        '--quiet',
        '--stream',
        'Stats',
        '--trade-stream',
        'Trades',
        '--application-name',
        'Aggregator',
      ],
      ...['--grace', '20s', '--failover', '3s', '--out', join(dir, 'aggregator.jsonl')],
    ]);
    const startedAt = performance.now();
    const producer = start('producer', 'producer', [
      ...['--stream', 'Trades', '--rate', 'max', '--aggregate', '--partition-key', 'random'],
      ...['--duration', PRODUCE_FOR, '--trade-log', join(dir, 'trades.jsonl')],
    ]);
    if ((await producer.exited) !== 0) throw new Error(`the producer failed: see ${producer.logFile}`);
    const producerSeconds = (performance.now() - startedAt) / 1000;
    const log = readJsonLines<TradeLogLine>(join(dir, 'trades.jsonl'));
    const expected = expectedPerWindow(log, WINDOW_MS);
    await waitFor(
      'the aggregator’s results to equal the trade log',
      () =>
        resultMismatches(expected, latestResults(readJsonLines<ResultLine>(join(dir, 'aggregator.jsonl')))).length ===
        0,
      600_000,
      200,
    );
    const secondsToExact = (performance.now() - startedAt) / 1000;
    return {
      shardLimits,
      trades: log.length,
      secondsToExact,
      tradesPerSecond: log.length / secondsToExact,
      producerSeconds,
    };
  } finally {
    for (const process of processes) process.child.kill('SIGKILL');
    await Promise.all(processes.map((process) => process.exited));
    clients.destroy();
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

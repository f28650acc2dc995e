import { join } from 'node:path';
import {
  expectedPerWindow,
  latestResults,
  type ResultLine,
  readJsonLines,
  resultMismatches,
  type TradeLogLine,
  waitFor,
} from '@stock-trades/testkit';
import { withBenchPipeline } from './benchPipeline.js';

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
  return withBenchPipeline('pipeline', { shardLimits }, async ({ dir, start, startStages }) => {
    startStages(['--grace', '20s']);
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
  });
}

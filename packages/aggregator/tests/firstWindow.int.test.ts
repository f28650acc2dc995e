import {
  fastAggregatorArgs,
  fastWorkerArgs,
  readJsonLines,
  runCommand,
  type TradeLogLine,
  useEmbeddedStack,
  waitForExactResults,
  whyIncomplete,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The pipeline's first window when some shards had no trade in it: the producer started just
 * before a window's end, so the other shards' first trades fell in the next window. Made
 * certain here: two trades (at most two shards), then, a window later, trades on every shard;
 * the workers start after both. Each shard read from its start says where its records begin,
 * so the first window completes instead of waiting for the later shards forever.
 */
describe('a pipeline whose shards have their first trades in different windows', () => {
  const env = useEmbeddedStack();

  it('completes the first window, the shards with no trade in it reporting it empty', async () => {
    await env.createStream('Trades', 4);
    await env.createStream('Stats', 1);
    const produce = async (name: string, count: number) => {
      const run = await runCommand(
        'producer',
        ['--stream', 'Trades', '--count', String(count), '--rate', '200', '--trade-log', env.path(name)],
        env.env,
      );
      expect(run.code, run.stderr).toBe(0);
      return readJsonLines<TradeLogLine>(env.path(name));
    };
    const early = await produce('early.trades.jsonl', 2);
    await sleep(WINDOW_MS - (Date.now() % WINDOW_MS) + 200);
    const later = await produce('later.trades.jsonl', 400);
    const shardsOf = (log: readonly TradeLogLine[]) => new Set(log.map((line) => line.shardId));
    const windowOf = (line: TradeLogLine) => Math.floor(Date.parse(line.trade.timestamp) / WINDOW_MS);
    // What the test is about: shards whose first trade is in a later window than the first trades of the others.
    expect(shardsOf(early).size).toBeLessThan(4);
    expect(shardsOf(later).size).toBe(4);
    expect(Math.max(...early.map(windowOf))).toBeLessThan(Math.min(...later.map(windowOf)));

    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats'];
    env.startWorker('A', workerArgs);
    env.startWorker('B', workerArgs);
    env.startAggregator('aggregator', fastAggregatorArgs('Stats', 'Trades', 'Aggregator', '10s'));

    const { differences, results } = await waitForExactResults(
      env.path('aggregator.jsonl'),
      [...early, ...later],
      WINDOW_MS,
      60_000,
    );
    const pipeline = { application: 'Consumer', workers: ['A', 'B'], statsStream: 'Stats' };
    expect(differences, differences.length > 0 ? await whyIncomplete(env, results, pipeline) : '').toEqual([]);
    const firstWindow = Math.min(...early.map(windowOf)) * WINDOW_MS;
    expect(results.get(firstWindow)).toMatchObject({
      complete: true,
      shards: ['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003'],
      trades: early.filter((line) => windowOf(line) * WINDOW_MS === firstWindow).length,
    });
  });
});

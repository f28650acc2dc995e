import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import {
  expectedPerWindow,
  fastWorkerArgs,
  latestResults,
  type ResultLine,
  readJsonLines,
  resultMismatches,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const PRODUCE_FOR = '50s';

describe('producer → 2 workers → aggregator: every window equals the trade log’s statistics', () => {
  const env = useEmbeddedStack();

  /**
   * Runs the whole pipeline on fresh streams: 4 shards, 5 s windows, about a minute of
   * trades; `disturb` runs 20 s in. Resolves with what still differs once the results
   * have had time to settle (nothing, when the pipeline is exact).
   */
  async function runPipeline(
    name: string,
    disturb: (workers: { a: ReturnType<typeof env.startWorker> }) => Promise<void>,
  ) {
    const stream = `Trades-${name}`;
    const statsStream = `Stats-${name}`;
    await env.createStream(stream, 4);
    await env.createStream(statsStream, 1);
    const workerArgs = [...fastWorkerArgs(stream, `Consumer-${name}`), '--stats-stream', statsStream];
    const a = env.startWorker(`${name}-A`, workerArgs);
    env.startWorker(`${name}-B`, workerArgs);
    env.startAggregator(`${name}-aggregator`, [
      '--stream',
      statsStream,
      '--application-name',
      `Aggregator-${name}`,
      '--grace',
      '20s',
      '--failover',
      '3s',
    ]);
    const producer = env.startProducer(name, [
      '--stream',
      stream,
      '--rate',
      '200',
      '--duration',
      PRODUCE_FOR,
      '--aggregate',
      '--seed',
      '17',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    await disturb({ a });
    expect(await producer.exited).toBe(0);

    const log = readJsonLines<TradeLogLine>(env.path(`${name}.trades.jsonl`));
    expect(log.length).toBeGreaterThan(8000);
    const expected = expectedPerWindow(log, WINDOW_MS);
    let differences: string[] = [];
    await waitFor(
      'the aggregator’s results to match the trade log',
      () => {
        const results = latestResults(readJsonLines<ResultLine>(env.path(`${name}-aggregator.jsonl`)));
        differences = resultMismatches(expected, results);
        return differences.length === 0;
      },
      90_000,
      1000,
    ).catch(() => undefined);
    return {
      differences,
      results: readJsonLines<ResultLine>(env.path(`${name}-aggregator.jsonl`)),
      windows: expected.size,
    };
  }

  it('is exact window by window, field by field, all tickers', async () => {
    const { differences, results, windows } = await runPipeline('steady', async () => {});
    expect(differences).toEqual([]);
    expect(windows).toBeGreaterThanOrEqual(10);
    // Steady state: every window is complete the first time it is shown, and reported by all four shards.
    const latest = [...latestResults(results).values()].filter((result) => result.trades > 0);
    expect(latest.every((result) => result.shards.length === 4 && result.missingShards.length === 0)).toBe(true);
  });

  it('stays exact when a worker is killed with SIGKILL mid-run', async () => {
    const { differences } = await runPipeline('killed', async ({ a }) => {
      a.child.kill('SIGKILL');
      await a.exited;
    });
    expect(differences).toEqual([]);
  });

  it('stays exact, and completes every window, across UpdateShardCount 4 → 8 mid-run', async () => {
    const { differences, results } = await runPipeline('resharded', async () => {
      await env.clients.kinesis.send(
        new UpdateShardCountCommand({
          StreamName: 'Trades-resharded',
          TargetShardCount: 8,
          ScalingType: 'UNIFORM_SCALING',
        }),
      );
    });
    expect(differences).toEqual([]);
    // Windows after the reshard were reported by the children.
    expect(Math.max(...results.map((result) => result.shards.length))).toBeGreaterThan(4);
  });
});

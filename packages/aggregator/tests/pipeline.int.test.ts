import { existsSync, writeFileSync } from 'node:fs';
import { PutRecordsCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { serializeTrade } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import {
  expectedPerWindow,
  fastWorkerArgs,
  inRange,
  latestResults,
  type ResultLine,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
  waitForExactResults,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const PRODUCE_FOR = '50s';
const DAY = 86_400_000;

describe('producer → 2 workers → aggregator: every window equals the trade log’s statistics', () => {
  const env = useEmbeddedStack();

  /**
   * Runs the whole pipeline on fresh streams: 4 shards, 5 s windows, about a minute of
   * trades; `disturb` runs 20 s in. Resolves with what still differs once the results
   * have had time to settle (nothing, when the pipeline is exact).
   */
  async function runPipeline(
    name: string,
    disturb: (workers: { a: ReturnType<typeof env.startWorker>; stream: string }) => Promise<void>,
  ) {
    const stream = `Trades-${name}`;
    const statsStream = `Stats-${name}`;
    await env.createStream(stream, 4);
    await env.createStream(statsStream, 1);
    const workerArgs = [...fastWorkerArgs(stream, `Consumer-${name}`), '--stats-stream', statsStream];
    const a = env.startWorker(`${name}-A`, workerArgs);
    const b = env.startWorker(`${name}-B`, workerArgs);
    const aggregator = env.startAggregator(`${name}-aggregator`, [
      '--stream',
      statsStream,
      '--trade-stream',
      stream,
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
    // Mid-run: once 10 s of trades are in (five processes may take a while to start on a busy machine).
    await waitFor(
      'the producer to deliver 2,000 trades',
      () =>
        existsSync(env.path(`${name}.trades.jsonl`)) && readJsonLines(env.path(`${name}.trades.jsonl`)).length >= 2000,
      90_000,
      250,
    );
    await disturb({ a, stream });
    expect(await producer.exited).toBe(0);

    const log = [
      ...readJsonLines<TradeLogLine>(env.path(`${name}.trades.jsonl`)),
      ...readJsonLines<TradeLogLine>(env.path(`${name}.odd.jsonl`)),
    ];
    expect(log.length).toBeGreaterThan(8000);
    const { differences } = await waitForExactResults(env.path(`${name}-aggregator.jsonl`), log, WINDOW_MS, 90_000);
    // Every sample the consumers sent was a real one: the aggregator rejected none (not even across a reshard, when
    // a child's first sample or a parent's last may come before its shard list shows the change).
    expect(aggregator.logs().filter((line) => line.msg.startsWith('rejected a sample'))).toEqual([]);
    return {
      differences,
      results: readJsonLines<ResultLine>(env.path(`${name}-aggregator.jsonl`)),
      windows: expectedPerWindow(log, WINDOW_MS).size,
      workers: [a, b],
      aggregator,
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

  it('shrugs off trades dated 2099, 1970 and a day either way: counted as out of range, the rest exact', async () => {
    const odd = ['2099-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z', DAY, -DAY, 30_000, -10_000];
    let outOfRange = 0;
    const { differences, results, workers, aggregator } = await runPipeline('odd', async ({ stream }) => {
      // Prepare: well-formed trades with odd timestamps (the last two within the bounds), and a malformed record.
      const trades = odd.map((when, index) =>
        aTrade({
          id: 9_000_000 + index,
          tickerSymbol: 'ODD',
          timestamp: typeof when === 'string' ? when : new Date(Date.now() + when).toISOString(),
        }),
      );
      const answer = await env.clients.kinesis.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: [
            ...trades.map((trade) => ({ Data: serializeTrade(trade), PartitionKey: `odd-${trade.id}` })),
            { Data: Buffer.from('{"tickerSymbol":'), PartitionKey: 'odd-malformed' },
          ],
        }),
      );
      const acknowledgedAt = new Date().toISOString();
      expect(answer.FailedRecordCount).toBe(0);
      const lines = trades.map((trade, index) => ({
        shardId: answer.Records?.[index]?.ShardId,
        sequenceNumber: answer.Records?.[index]?.SequenceNumber,
        trade,
        acknowledgedAt,
      }));
      writeFileSync(env.path('odd.odd.jsonl'), lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
      outOfRange = lines.filter((line) => !inRange(line as TradeLogLine)).length;
    });
    expect(outOfRange).toBe(4);
    expect(differences).toEqual([]);
    const latest = [...latestResults(results).values()];
    expect(latest.reduce((sum, result) => sum + (result.outOfRange ?? 0), 0)).toBe(outOfRange);
    expect(latest.reduce((sum, result) => sum + result.malformed, 0)).toBe(1);
    // No flood: about a minute of 5 s windows, each shown once or a few times; no window far from the run.
    expect(latest.length).toBeLessThan(30);
    expect(results.length).toBeLessThan(90);
    const starts = latest.map((result) => Date.parse(result.windowStart));
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(5 * 60_000);
    // Nobody went down.
    expect([...workers, aggregator].map((process) => process.child.exitCode)).toEqual([null, null, null]);
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

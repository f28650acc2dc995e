import { existsSync } from 'node:fs';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { serializeTrade } from '@stock-trades/core';
import {
  fastAggregatorArgs,
  fastWorkerArgs,
  latestResults,
  owners,
  type ResultLine,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
  waitForExactResults,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Trades Kinesis stored twice are counted once. Kinesis keeps whatever a producer's retry
 * sends again when the first attempt's answer was lost; here that retry is simulated by
 * putting copies of trades already acknowledged back into the stream (same bytes, same
 * partition key, so the same shard), and then made real by stalling Kinesis past the
 * producer's request timeout.
 */
describe('producer → 2 workers → aggregator, with trades stored twice', () => {
  const env = useEmbeddedStack();

  /** Puts a second copy of each trade into the stream, as a producer's retry would. */
  async function storeAgain(stream: string, lines: readonly TradeLogLine[]): Promise<void> {
    const answer = await env.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: lines.map((line) => ({ Data: serializeTrade(line.trade), PartitionKey: line.trade.tickerSymbol })),
      }),
    );
    expect(answer.FailedRecordCount ?? 0).toBe(0);
  }

  it('counts 200 trades stored twice once each, before and after a lease moves', async () => {
    await env.createStream('Trades', 4);
    await env.createStream('Stats', 1);
    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats'];
    const a = env.startWorker('A', workerArgs);
    env.startWorker('B', workerArgs);
    env.startAggregator('aggregator', fastAggregatorArgs('Stats', 'Trades', 'Aggregator', '20s'));
    const producer = env.startProducer('run', [
      '--stream',
      'Trades',
      '--rate',
      '200',
      '--duration',
      '40s',
      '--seed',
      '5',
    ]);
    const logged = () =>
      existsSync(env.path('run.trades.jsonl')) ? readJsonLines<TradeLogLine>(env.path('run.trades.jsonl')) : [];
    await waitFor('2,000 trades to be acknowledged', () => logged().length >= 2000, 90_000, 250);

    // 100 copies of trades from the first seconds, while both workers hold their leases.
    const firstCopies = logged().slice(100, 200);
    await storeAgain('Trades', firstCopies);
    await sleep(3000);
    // A lease move: A dies; B takes its shards from their checkpoints and must know what A counted.
    const aShards = [...owners(await env.leases('Consumer'))].filter(([, owner]) => owner === 'A').map(([id]) => id);
    a.child.kill('SIGKILL');
    await waitFor(
      'B to own all four leases',
      async () => [...owners(await env.leases('Consumer')).values()].every((owner) => owner === 'B'),
      30_000,
      100,
    );
    // 100 copies of trades A counted before it died.
    const secondCopies = logged()
      .filter((line) => aShards.includes(line.shardId))
      .slice(-150, -50);
    await storeAgain('Trades', secondCopies);
    expect(await producer.exited).toBe(0);

    const log = logged();
    expect(log.length).toBeGreaterThan(7000);
    expect(secondCopies).toHaveLength(100);
    const { differences } = await waitForExactResults(env.path('aggregator.jsonl'), log, WINDOW_MS, 90_000);
    expect(differences).toEqual([]);
    // Every copy was seen and counted as one: 200 duplicates across the windows they arrived in (the last of them
    // may still be on its way once the trades' windows are exact).
    const counted = () =>
      [...latestResults(readJsonLines<ResultLine>(env.path('aggregator.jsonl'))).values()].reduce(
        (sum, result) => sum + (result.duplicates ?? 0),
        0,
      );
    await waitFor('the 200 copies to be counted', () => counted() === 200, 30_000, 1000).catch(() => undefined);
    expect(counted()).toBe(200);
  });

  it('stays exact through a 40 s Kinesis stall that makes the producer store trades twice, and the producer says so', async () => {
    await env.createStream('Stalled', 4);
    await env.createStream('StalledStats', 1);
    const workerArgs = [...fastWorkerArgs('Stalled', 'StalledConsumer'), '--stats-stream', 'StalledStats'];
    env.startWorker('C', workerArgs);
    env.startWorker('D', workerArgs);
    env.startAggregator(
      'stalled-aggregator',
      fastAggregatorArgs('StalledStats', 'Stalled', 'StalledAggregator', '60s'),
    );
    const producer = env.startProducer('stalled', ['--stream', 'Stalled', '--rate', '200', '--duration', '60s']);
    await waitFor(
      '1,000 trades to be acknowledged',
      () =>
        existsSync(env.path('stalled.trades.jsonl')) && readJsonLines(env.path('stalled.trades.jsonl')).length >= 1000,
      90_000,
      250,
    );
    // Kinesis stops answering for 40 s: calls wait at the stack, the producer's time out after 30 s and are sent
    // again; on resume Kinesis takes both the first attempts and the retries.
    env.faults.pause('kinesis');
    await sleep(40_000);
    env.faults.resume('kinesis');
    expect(await producer.exited).toBe(0);

    const log = readJsonLines<TradeLogLine>(env.path('stalled.trades.jsonl'));
    expect(log.every((line) => line.status === 'acknowledged')).toBe(true);
    const { differences, results } = await waitForExactResults(
      env.path('stalled-aggregator.jsonl'),
      log,
      WINDOW_MS,
      150_000,
    );
    expect(differences).toEqual([]);
    // The stall did store trades twice (else this test would prove nothing), and every copy was counted once.
    expect([...results.values()].reduce((sum, result) => sum + (result.duplicates ?? 0), 0)).toBeGreaterThan(0);
  });
});

import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { sampleToJson, serializeTrade, type WindowSample, windowStartOf } from '@stock-trades/core';
import { aTrade } from '@stock-trades/core/testing';
import {
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
  waitForExactResults,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const FULL_RANGE = { startingHashKey: '0', endingHashKey: String(2n ** 128n - 1n) };

/**
 * The aggregator trusts nothing on the stats stream but what a consumer could have sent:
 * forged samples — negative counts, a shard the trade stream does not have, a real shard
 * claiming the whole key space (to complete a window early), a 1970 window, another window
 * length — are rejected, counted and logged once per kind, and never merged; a late trade
 * for a window from before the pipeline's first is shown complete, not "waiting" forever.
 */
describe('the aggregator with forged samples on the stats stream', () => {
  const env = useEmbeddedStack();

  it('merges only real samples, and stays exact', async () => {
    await env.createStream('Trades', 2);
    await env.createStream('Stats', 1);
    env.startWorker('A', [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats']);
    const aggregator = env.startAggregator('aggregator', [
      ...['--stream', 'Stats', '--trade-stream', 'Trades', '--application-name', 'Aggregator'],
      ...['--window', '5s', '--grace', '10s', '--failover', '3s'],
    ]);
    const producer = env.startProducer('run', ['--stream', 'Trades', '--rate', '100', '--duration', '25s']);
    // Once the first results are out, the forgeries arrive, and a trade timestamped 4 min 50 s ago.
    await waitFor('a first result', () => readJsonLines(env.path('aggregator.jsonl')).length > 0, 60_000, 250);
    const real = readJsonLines<{ shardId: string; windowStart: string; hashKeyRange: typeof FULL_RANGE }>(
      env.path('A.jsonl'),
    )[0];
    const now = Date.now();
    const window = windowStartOf(now, WINDOW_MS);
    const forged = (overrides: Partial<WindowSample>): WindowSample => ({
      shardId: real?.shardId ?? '',
      windowStart: window,
      windowEnd: window + WINDOW_MS,
      firstSequenceNumber: '1',
      lastSequenceNumber: '1',
      late: false,
      final: false,
      childShardIds: [],
      hashKeyRange: real?.hashKeyRange ?? FULL_RANGE,
      summary: { trades: 0, malformed: 0, outOfRange: 0, duplicates: 0, perTicker: {}, largestSell: null },
      ...overrides,
    });
    const forgeries = [
      forged({ summary: { ...forged({}).summary, trades: -1_000_000 } }),
      forged({
        shardId: 'shardId-000000000099',
        hashKeyRange: FULL_RANGE,
        windowStart: window + 2 * WINDOW_MS,
        windowEnd: window + 3 * WINDOW_MS,
      }),
      forged({ hashKeyRange: FULL_RANGE, windowStart: window + 2 * WINDOW_MS, windowEnd: window + 3 * WINDOW_MS }),
      forged({ windowStart: 0, windowEnd: WINDOW_MS }),
      forged({ windowEnd: window + 2 * WINDOW_MS }),
    ];
    await env.clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'Stats',
        Records: forgeries.map((sample) => ({
          Data: Buffer.from(JSON.stringify(sampleToJson(sample))),
          PartitionKey: 'forged',
        })),
      }),
    );
    const old = aTrade({ id: 1_000_000, producerId: 'old-run', timestamp: new Date(now - 290_000).toISOString() });
    const put = await env.clients.kinesis.send(
      new PutRecordsCommand({ StreamName: 'Trades', Records: [{ Data: serializeTrade(old), PartitionKey: 'AMZN' }] }),
    );
    const acknowledgedAt = new Date().toISOString();
    expect(await producer.exited).toBe(0);

    // Assess: the results are those of the trade log plus the old trade, window by window.
    const log: TradeLogLine[] = [
      ...readJsonLines<TradeLogLine>(env.path('run.trades.jsonl')),
      {
        status: 'acknowledged',
        shardId: put.Records?.[0]?.ShardId ?? '',
        sequenceNumber: put.Records?.[0]?.SequenceNumber ?? '',
        trade: old,
        acknowledgedAt,
      },
    ];
    const { differences, results } = await waitForExactResults(env.path('aggregator.jsonl'), log, WINDOW_MS, 60_000);
    expect(differences).toEqual([]);
    // The old trade's window, from before the pipeline's first: complete with it, not waiting for the shards.
    expect(results.get(windowStartOf(Date.parse(old.timestamp), WINDOW_MS))).toMatchObject({
      complete: true,
      trades: 1,
      missingShards: [],
    });
    expect([...results.values()].every((result) => result.trades >= 0)).toBe(true);
    expect(results.has(0)).toBe(false);
    // One line per kind of forgery, and every one counted with the checkpoint.
    const rejections = aggregator.logs().filter((line) => String(line.msg).startsWith('rejected a sample'));
    expect(rejections.map((line) => line.reason).sort()).toEqual(['counts', 'shard', 'too-old', 'window']);
    await waitFor(
      'the rejections to be saved with the checkpoint',
      async () => {
        const state = JSON.parse((await env.leases('Aggregator'))[0]?.applicationState ?? '{}') as {
          rejected?: Record<string, number>;
        };
        return JSON.stringify(state.rejected) === JSON.stringify({ counts: 1, shard: 2, 'too-old': 1, window: 1 });
      },
      30_000,
      500,
    );
  });
});

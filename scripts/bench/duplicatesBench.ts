import { join } from 'node:path';
import { PutRecordsCommand, UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { readAllRecords } from '@stock-trades/aws';
import { parseTrade, serializeTrade } from '@stock-trades/core';
import {
  expectedPerWindow,
  isAcknowledged,
  latestResults,
  type ResultLine,
  readJsonLines,
  resultMismatches,
  type TradeLogLine,
  waitFor,
} from '@stock-trades/testkit';
import { withBenchPipeline } from './benchPipeline.js';

const WINDOW_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Scenario {
  readonly name: string;
  /** Stall Kinesis this long, 10 s in (calls wait; the producer's time out after 30 s and are sent again). */
  readonly stallMs?: number;
  /** Share of PutRecords calls whose answer is lost after Kinesis stored them (the stack's `lose` fault). */
  readonly lose?: number;
  /** Reshard to these shard counts, 20 s apart, from 20 s in. */
  readonly reshards?: readonly number[];
  /**
   * After the first reshard, store again this many trades acknowledged before it (same bytes and partition key,
   * as a retry would): each copy lands in a child shard, and its first copy is in the parent.
   */
  readonly copiesAcrossReshard?: number;
}

interface DuplicatesRun extends Scenario {
  /** Trades the producer acknowledged (the trade log). */
  readonly trades: number;
  /** Records holding a trade that another record already held: the copies Kinesis stored. */
  readonly copiesStored: number;
  /** Trades the aggregator's results count beyond the trade log: copies counted as trades. */
  readonly countedTwice: number;
  readonly windows: number;
  readonly windowsWrong: number;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'a 40 s stall', stallMs: 40_000 },
  { name: '5 % of answers lost', lose: 0.05 },
  { name: '5 % of answers lost, resharded 4 → 8 → 4', lose: 0.05, reshards: [8, 4] },
  { name: '100 trades stored again just after a reshard 4 → 8', reshards: [8], copiesAcrossReshard: 100 },
];

/**
 * What stays of the copies Kinesis stores when a producer's write is stored but its answer
 * is lost, and the retry stores it again: the pipeline (200 trades/s for 60 s, 4 shards,
 * two workers, the aggregator) through a Kinesis stall, through answers lost at random, and
 * through lost answers while the stream is resharded — the one case the consumers cannot
 * absorb: a retry that lands in a child shard while its first copy is in the parent.
 */
export async function benchDuplicates(): Promise<object> {
  const runs: DuplicatesRun[] = [];
  for (const scenario of SCENARIOS) runs.push(await duplicatesRun(scenario));
  for (const run of runs) {
    console.log(
      `  ${run.name}: ${run.trades} trades, ${run.copiesStored} stored twice, ${run.countedTwice} counted twice; ${run.windowsWrong} of ${run.windows} windows off`,
    );
  }
  return { runs };
}

async function duplicatesRun(scenario: Scenario): Promise<DuplicatesRun> {
  console.log(`duplicates: ${scenario.name}`);
  return withBenchPipeline('duplicates', {}, async ({ dir, stack, clients, streams, start, startStages }) => {
    const results = join(dir, 'aggregator.jsonl');
    startStages(['--grace', '60s']);
    const tradeLog = join(dir, 'trades.jsonl');
    if (scenario.lose) stack.faults.set('kinesis', 'PutRecords', { lose: scenario.lose });
    const producer = start('producer', 'producer', [
      ...['--stream', 'Trades', '--rate', '200', '--duration', '60s', '--trade-log', tradeLog],
    ]);
    const startedAt = Date.now();
    const at = (ms: number) => sleep(Math.max(0, startedAt + ms - Date.now()));
    if (scenario.stallMs) {
      await at(10_000);
      stack.faults.pause('kinesis');
      await sleep(scenario.stallMs);
      stack.faults.resume('kinesis');
    }
    for (const [index, shards] of (scenario.reshards ?? []).entries()) {
      await at(20_000 * (index + 1));
      const before = readJsonLines<TradeLogLine>(tradeLog).filter(isAcknowledged);
      await clients.kinesis.send(
        new UpdateShardCountCommand({ StreamName: 'Trades', TargetShardCount: shards, ScalingType: 'UNIFORM_SCALING' }),
      );
      await streams.waitUntilActive('Trades');
      if (index === 0 && scenario.copiesAcrossReshard) {
        const copies = before.slice(-scenario.copiesAcrossReshard);
        await clients.kinesis.send(
          new PutRecordsCommand({
            StreamName: 'Trades',
            Records: copies.map((line) => ({
              Data: serializeTrade(line.trade),
              PartitionKey: line.trade.tickerSymbol,
            })),
          }),
        );
      }
    }
    if ((await producer.exited) !== 0) throw new Error(`the producer failed: see ${producer.logFile}`);
    stack.faults.clear();

    const log = readJsonLines<TradeLogLine>(tradeLog).filter(isAcknowledged);
    const expected = expectedPerWindow(log, WINDOW_MS);
    // Settled: the results equal the trade log, or those of the trade log's windows have not changed for 20 s
    // (quiet windows keep coming: only the windows with trades count).
    let seen = '';
    let stableSince = Date.now();
    await waitFor(
      'the results to settle',
      () => {
        const latest = latestResults(readJsonLines<ResultLine>(results));
        if (resultMismatches(expected, latest).length === 0) return true;
        const now = JSON.stringify([...expected.keys()].map((start) => latest.get(start)?.revision ?? 0));
        if (now !== seen) [seen, stableSince] = [now, Date.now()];
        return Date.now() - stableSince > 20_000;
      },
      600_000,
      1000,
    );
    const latest = latestResults(readJsonLines<ResultLine>(results));
    let countedTwice = 0;
    for (const [start, summary] of expected) countedTwice += (latest.get(start)?.trades ?? 0) - summary.trades;
    const stored = (await readAllRecords(clients, 'Trades')).flatMap((record) => {
      const parsed = parseTrade(record.data);
      return parsed.ok ? [`${parsed.trade.producerId}/${parsed.trade.id}`] : [];
    });
    return {
      ...scenario,
      trades: log.length,
      copiesStored: stored.length - new Set(stored).size,
      countedTwice,
      windows: expected.size,
      windowsWrong: resultMismatches(expected, latest).length,
    };
  });
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fastAggregatorArgs,
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
  waitForExactResults,
} from '@stock-trades/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;

/**
 * Kinesis restarted mid-run, as `pnpm stack --data` restarted would be: kinesis-local
 * stopped, kept down 10 s, and started again on the same port and data folder (about
 * 15 s without Kinesis in all). The producer, both workers and the aggregator ride it
 * out, and the results still equal the trade log's statistics, window by window.
 */
describe('producer → 2 workers → aggregator through a Kinesis restart with a data folder', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'restart-data-'));
  const env = useEmbeddedStack({ dataDir });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stays exact, losing and doubling nothing', async () => {
    const name = 'restart';
    await env.createStream('Trades', 4);
    await env.createStream('Stats', 1);
    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats'];
    const workers = [env.startWorker('A', workerArgs), env.startWorker('B', workerArgs)];
    const aggregator = env.startAggregator('aggregator', fastAggregatorArgs('Stats', 'Trades', 'Aggregator', '40s'));
    const producer = env.startProducer(name, ['--stream', 'Trades', '--rate', '200', '--duration', '35s']);
    // Mid-run: once the producer has been delivering for a few seconds (it starts slowly on a busy machine).
    await waitFor(
      'the producer to deliver 1,000 trades',
      () =>
        existsSync(env.path(`${name}.trades.jsonl`)) && readJsonLines(env.path(`${name}.trades.jsonl`)).length > 1000,
      60_000,
      500,
    );
    const outageStarted = Date.now();
    await env.restart('kinesis', 10_000);
    const outageMs = Date.now() - outageStarted;
    const exitCode = await producer.exited;
    expect(exitCode, readFileSync(env.path(`${name}.log`), 'utf8').slice(-3000)).toBe(0);

    const log = readJsonLines<TradeLogLine>(env.path(`${name}.trades.jsonl`));
    expect(log.length).toBeGreaterThan(2000);
    const { differences } = await waitForExactResults(env.path('aggregator.jsonl'), log, WINDOW_MS, 120_000);
    expect(differences).toEqual([]);
    expect(outageMs).toBeGreaterThanOrEqual(10_000);
    expect([...workers, aggregator].map((process) => process.child.exitCode)).toEqual([null, null, null]);
  });
});

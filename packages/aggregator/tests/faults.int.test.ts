import { cpSync } from 'node:fs';
import type { Fault } from '@stock-trades/local-stack';
import {
  fastAggregatorArgs,
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitForExactResults,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * With the shard limits on (the stack's default) and faults injected on both services —
 * 10 % of calls throttled, 2 % failing — plus a 15 s DynamoDB pause and a 10 s Kinesis
 * pause mid-run, the pipeline's results still equal the trade log's statistics, window by
 * window.
 */
describe('producer → 2 workers → aggregator under shard limits and injected faults', () => {
  const env = useEmbeddedStack();

  it('stays exact through throttling, errors and a pause of each service', async () => {
    const name = 'faults';
    await env.createStream('Trades', 4);
    await env.createStream('Stats', 1);
    // From here on (the test's own set-up is not what is under test, and its admin calls do not retry for long).
    const injected: Fault = { throttle: 0.1, error: 0.02 };
    env.faults.set('kinesis', '*', injected).set('dynamodb', '*', injected);
    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats'];
    const workers = [env.startWorker('A', workerArgs), env.startWorker('B', workerArgs)];
    const aggregator = env.startAggregator('aggregator', fastAggregatorArgs('Stats', 'Trades', 'Aggregator', '40s'));
    const producer = env.startProducer(name, [
      '--stream',
      'Trades',
      '--rate',
      '200',
      '--duration',
      '40s',
      '--aggregate',
    ]);
    await sleep(10_000);
    env.faults.pause('dynamodb');
    await sleep(15_000);
    env.faults.resume('dynamodb');
    await sleep(5_000);
    env.faults.pause('kinesis');
    await sleep(10_000);
    env.faults.resume('kinesis');
    expect(await producer.exited).toBe(0);

    const log = readJsonLines<TradeLogLine>(env.path(`${name}.trades.jsonl`));
    expect(log.length).toBeGreaterThan(5000);
    const { differences } = await waitForExactResults(env.path('aggregator.jsonl'), log, WINDOW_MS, 120_000);
    if (differences.length > 0 && process.env.KEEP_FAULTS_DEBUG)
      cpSync(env.dir, '/tmp/faults-debug', { recursive: true });
    expect(differences).toEqual([]);
    expect([...workers, aggregator].map((process) => process.child.exitCode)).toEqual([null, null, null]);
    // The faults were there: hundreds of calls throttled, dozens failed.
    expect(env.faults.injected.throttle).toBeGreaterThan(100);
    expect(env.faults.injected.error).toBeGreaterThan(10);
  });
});

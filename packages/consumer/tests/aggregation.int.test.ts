import { emptySummary, mergeSummaries } from '@stock-trades/core';
import {
  dedupeSamples,
  readJsonLines,
  type SampleLine,
  summaryOfSample,
  useEmbeddedStack,
  waitFor,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const COUNT = 3000;

describe('--aggregate producer → consumer', () => {
  const env = useEmbeddedStack();

  it('gives the same statistics as without aggregation, for the same seed', async () => {
    const totals = [];
    for (const mode of ['plain', 'aggregated']) {
      const stream = `Agg-${mode}`;
      await env.createStream(stream, 4);
      const extra = mode === 'aggregated' ? ['--aggregate'] : [];
      const producer = env.startProducer(mode, [
        '--stream',
        stream,
        '--count',
        String(COUNT),
        '--rate',
        '1000',
        '--seed',
        '21',
        ...extra,
      ]);
      expect(await producer.exited).toBe(0);
      const worker = env.startWorker(mode, [
        '--stream',
        stream,
        '--application-name',
        `App-${mode}`,
        '--window',
        '2s',
        '--lateness',
        '0',
        '--no-stats-stream',
      ]);
      const total = await waitFor(
        `${mode}: every trade in a sample`,
        () => {
          const merged = mergeSummaries(
            emptySummary(),
            ...dedupeSamples(readJsonLines<SampleLine>(env.path(`${mode}.jsonl`))).map(summaryOfSample),
          );
          return merged.trades === COUNT ? merged : undefined;
        },
        60_000,
        500,
      );
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      totals.push(total);
    }
    const [plain, aggregated] = totals;
    expect(aggregated).toEqual(plain);
    expect(Object.keys(plain?.perTicker ?? {})).toHaveLength(25);
  });
});

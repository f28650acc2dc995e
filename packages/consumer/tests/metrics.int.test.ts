import { readFileSync } from 'node:fs';
import {
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitForExactSamples,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
  Operation: string;
  ShardId?: string;
  RecordsProcessed?: number;
  WorkerIdentifier?: string;
}

describe('pnpm consumer --metrics emf', () => {
  const env = useEmbeddedStack();

  it('writes CloudWatch EMF lines on stdout whose RecordsProcessed add up to the trades Kinesis acknowledged', async () => {
    await env.createStream('Metered', 2);
    const worker = env.startWorker('M', [...fastWorkerArgs('Metered', 'MeteredApp'), '--quiet', '--metrics', 'emf']);
    const producer = env.startProducer('metered', ['--stream', 'Metered', '--rate', '200', '--duration', '5s']);
    expect(await producer.exited).toBe(0);
    const exact = await waitForExactSamples(env, 'metered.trades.jsonl', ['M'], 5000, 60_000);
    expect(exact.differences).toEqual([]);
    // Stopping flushes what the last minute recorded.
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const lines = readFileSync(env.path('M.log'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{"_aws"'))
      .map((line) => JSON.parse(line) as EmfLine);
    const processing = lines.filter((line) => line.Operation === 'ProcessTask');
    expect(processing.length).toBeGreaterThan(0);
    for (const line of processing) {
      expect(line._aws.CloudWatchMetrics[0]?.Namespace).toBe('MeteredApp');
      expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Operation', 'ShardId']]);
      expect(line.WorkerIdentifier).toBe('M');
    }
    const trades = readJsonLines<TradeLogLine>(env.path('metered.trades.jsonl')).length;
    expect(processing.reduce((sum, line) => sum + (line.RecordsProcessed ?? 0), 0)).toBe(trades);
    expect(new Set(processing.map((line) => line.ShardId)).size).toBe(2);
  });
});

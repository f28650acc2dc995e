import { readFileSync } from 'node:fs';
import {
  fastAggregatorArgs,
  fastWorkerArgs,
  readJsonLines,
  runCommand,
  type TradeLogLine,
  useEmbeddedStack,
  waitForExactResults,
  waitForExactSamples,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const WINDOW_MS = 5000;
const FULL = '/dev/full';

/** The last line a command wrote (its error line), and whether anything it wrote looks like a stack trace. */
function ending(logFile: string): { last: string; stackTrace: boolean } {
  const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
  return { last: lines.at(-1) ?? '', stackTrace: lines.some((line) => /^\s+at /.test(line)) };
}

/**
 * A full disk under the consumer's and the aggregator's --out (/dev/full answers every
 * write with ENOSPC): each stops with one line and exit 1, gives its leases back, and
 * checkpoints nothing past what was written — so the next run, with a disk that works,
 * writes every window exactly.
 */
describe('consumer and aggregator with --out on a full disk', () => {
  const env = useEmbeddedStack();

  it('stop with one line and exit 1, give their leases back, and lose nothing', async () => {
    await env.createStream('Trades', 2);
    await env.createStream('Stats', 1);
    const produced = await runCommand(
      'producer',
      ['--stream', 'Trades', '--count', '600', '--rate', '200', '--trade-log', env.path('trades.jsonl')],
      env.env,
    );
    expect(produced.code).toBe(0);
    const log = readJsonLines<TradeLogLine>(env.path('trades.jsonl'));
    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats'];

    // The consumer: its first window cannot be written.
    const full = env.startWorker('full', [...workerArgs, '--out', FULL]);
    expect(await full.exited).toBe(1);
    expect(ending(full.logFile)).toEqual({
      last: `error: --out ${FULL} could not be written: no space left on the device (ENOSPC): the worker stopped and gave its leases back; nothing was checkpointed past what was written`,
      stackTrace: false,
    });
    const consumerLeases = await env.leases('Consumer');
    expect(consumerLeases.map((lease) => [lease.leaseOwner, lease.checkpoint.sequenceNumber])).toEqual([
      [undefined, 'TRIM_HORIZON'],
      [undefined, 'TRIM_HORIZON'],
    ]);
    // A worker with a disk that works reads it all again and writes every shard's windows exactly.
    env.startWorker('good', workerArgs);
    const samples = await waitForExactSamples(env, 'trades.jsonl', ['good'], WINDOW_MS, 60_000);
    expect(samples.differences).toEqual([]);

    // The aggregator: the consumer's samples are on the stats stream; its first result cannot be written.
    const aggregatorArgs = fastAggregatorArgs('Stats', 'Trades', 'Aggregator', '5s');
    const fullAggregator = env.startAggregator('full-aggregator', [...aggregatorArgs, '--out', FULL]);
    expect(await fullAggregator.exited).toBe(1);
    expect(ending(fullAggregator.logFile)).toEqual({
      last: `error: --out ${FULL} could not be written: no space left on the device (ENOSPC): the aggregator stopped and gave its lease back; nothing was checkpointed past what was written`,
      stackTrace: false,
    });
    expect(
      (await env.leases('Aggregator')).map((lease) => [lease.leaseOwner, lease.checkpoint.sequenceNumber]),
    ).toEqual([[undefined, 'TRIM_HORIZON']]);
    env.startAggregator('aggregator', aggregatorArgs);
    const { differences } = await waitForExactResults(env.path('aggregator.jsonl'), log, WINDOW_MS, 60_000);
    expect(differences).toEqual([]);
  });
});

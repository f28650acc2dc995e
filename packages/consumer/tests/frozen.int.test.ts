import {
  fastWorkerArgs,
  owners,
  useEmbeddedStack,
  waitFor,
  waitForBalance,
  waitForExactSamples,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const STREAM = 'FrozenStream';
const APP = 'FrozenApp';
const WINDOW_MS = 5000;
const workerArgs = fastWorkerArgs(STREAM, APP);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a worker frozen (SIGSTOP) for longer than the failover time, then resumed', () => {
  const env = useEmbeddedStack();

  it('finds its leases gone, writes nothing on them, and no trade is counted twice', async () => {
    // Prepare: two workers, two leases each, trades flowing.
    await env.createStream(STREAM, 4);
    const a = env.startWorker('A', workerArgs);
    const b = env.startWorker('B', workerArgs);
    await waitForBalance(env, APP, ['A', 'B'], 2, 40_000);
    const producer = env.startProducer('frozen', [
      '--stream',
      STREAM,
      '--rate',
      '200',
      '--duration',
      '30s',
      '--seed',
      '5',
    ]);
    await sleep(8000);

    // Act: freeze A for 8 s (failover 3 s): B takes its leases meanwhile; then A wakes up.
    a.child.kill('SIGSTOP');
    await waitFor(
      'B to own all four leases',
      async () => [...owners(await env.leases(APP)).values()].every((owner) => owner === 'B'),
      20_000,
      100,
    );
    await sleep(3000);
    const resumedAt = Date.now();
    a.child.kill('SIGCONT');
    expect(await producer.exited).toBe(0);

    // Assess: A learnt it lost them, and never took a lease back by writing on a stale counter.
    await waitFor(
      'A to notice its leases are lost',
      () => a.logs().some((line) => line.msg === 'lost lease' && Date.parse(line.time) >= resumedAt),
      20_000,
      200,
    );
    const exact = await waitForExactSamples(env, 'frozen.trades.jsonl', ['A', 'B'], WINDOW_MS, 40_000);
    expect(exact.trades).toBeGreaterThan(4000);
    expect(exact.differences).toEqual([]);
    expect(a.child.exitCode).toBeNull();
    expect(b.child.exitCode).toBeNull();
  });
});

import { owners, useEmbeddedStack, waitFor, waitForBalance } from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const STREAM = 'CleanStopStream';
const APP = 'CleanStopApp';
// Default lease timings (failover 10 s, lease poll 1 s): a released lease must not wait for them.
const workerArgs = ['--stream', STREAM, '--application-name', APP, '--window', '5s', '--no-stats-stream'];

describe('two workers, four shards, one stopped cleanly', () => {
  const env = useEmbeddedStack();

  it('balances to two leases each with no stealing back and forth, and hands a stopped worker’s shards over within 2 s', async () => {
    await env.createStream(STREAM, 4);
    const a = env.startWorker('A', workerArgs);
    const b = env.startWorker('B', workerArgs);
    await waitForBalance(env, APP, ['A', 'B'], 2, 60_000);
    // Balanced: a full balancing round later (2 × (10 s + 25 ms)), nobody has stolen anything more.
    const stealsBefore = [...a.logs(), ...b.logs()].filter((line) => line.msg === 'stole lease').length;
    await new Promise((resolve) => setTimeout(resolve, 21_000));
    const stealsAfter = [...a.logs(), ...b.logs()].filter((line) => line.msg === 'stole lease').length;
    expect(stealsAfter).toBe(stealsBefore);
    expect([...owners(await env.leases(APP)).values()].filter((owner) => owner === 'A')).toHaveLength(2);

    // Act: stop A as Ctrl-C would.
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    const stoppedAt = Date.now();
    const handoverMs = await waitFor(
      'B to own all four leases',
      async () => [...owners(await env.leases(APP)).values()].every((owner) => owner === 'B') && Date.now() - stoppedAt,
      15_000,
      50,
    );

    // Assess
    expect(a.logs().filter((line) => line.msg === 'released lease')).toHaveLength(2);
    expect(handoverMs).toBeLessThanOrEqual(2000);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});

import { runCommand, useEmbeddedStack, waitFor } from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

/**
 * Start-up rides out faults of the moment. With half of all calls to both services dropped
 * or failed, every consumer and producer start gets going (a fault is retried, not
 * reported as "is the embedded stack running?"), and each one stops cleanly.
 */
describe('starting the consumer and the producer under injected faults', () => {
  const env = useEmbeddedStack();

  it('starts every time, and says a dropped connection is one', async () => {
    await env.createStream('Faulty', 2);
    const heavy = { drop: 0.3, error: 0.2 };
    env.faults.set('kinesis', '*', heavy).set('dynamodb', '*', heavy);

    const workers = ['W1', 'W2', 'W3', 'W4'].map((id) =>
      env.startWorker(id, [
        '--stream',
        'Faulty',
        '--application-name',
        'FaultyApp',
        '--no-stats-stream',
        '--failover',
        '3s',
      ]),
    );
    for (const worker of workers) {
      await waitFor(
        `${worker.logFile} to start`,
        () => {
          if (worker.child.exitCode !== null) throw new Error(`exited ${worker.child.exitCode}: see ${worker.logFile}`);
          return worker.logs().some((line) => line.msg === 'worker started');
        },
        90_000,
        250,
      );
    }
    const producers = await Promise.all(
      [1, 2, 3, 4].map(() => runCommand('producer', ['--stream', 'Faulty', '--count', '50', '--rate', 'max'], env.env)),
    );
    expect(producers.map((run) => run.code)).toEqual([0, 0, 0, 0]);
    // The faults were there, and the retries said what they were.
    expect(env.faults.injected.drop).toBeGreaterThan(10);
    const said = workers.flatMap((worker) => worker.logs()).map((line) => String(line.msg));
    expect(said.filter((msg) => /is the embedded stack running/.test(msg))).toEqual([]);

    env.faults.clear();
    for (const worker of workers) worker.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((worker) => worker.exited))).toEqual([0, 0, 0, 0]);
  });
});

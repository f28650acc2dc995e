import { existsSync } from 'node:fs';
import {
  fastWorkerArgs,
  owners,
  readJsonLines,
  type SampleLine,
  useEmbeddedStack,
  waitFor,
  waitForBalance,
  waitForExactSamples,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const STREAM = 'FailoverStream';
const APP = 'FailoverApp';
const FAILOVER_MS = 3000;
const RENEW_MS = 1000;
const WINDOW_MS = 5000;
// A short --max-behind lets windows' remembered trades go after 10 s, so the checkpoints move within this test (they
// are held back to the oldest window a copy of a trade could still arrive for).
const workerArgs = [...fastWorkerArgs(STREAM, APP), '--max-behind', '5s'];

describe('two workers, four shards, one killed with SIGKILL mid-stream', () => {
  const env = useEmbeddedStack();

  it('balances, fails over within failover + one renew interval, resumes from the checkpoints, and counts every trade exactly once', async () => {
    // Prepare: two workers share four shards, two each.
    await env.createStream(STREAM, 4);
    const a = env.startWorker('A', workerArgs);
    const b = env.startWorker('B', workerArgs);
    await waitForBalance(env, APP, ['A', 'B'], 2, 40_000);
    const producer = env.startProducer('run', [
      '--stream',
      STREAM,
      '--rate',
      '200',
      '--duration',
      '35s',
      '--seed',
      '3',
    ]);
    // Mid-stream: once 5 s of trades are in, and A has checkpointed past the start of both its shards.
    await waitFor(
      'the producer to deliver 1,000 trades',
      () => existsSync(env.path('run.trades.jsonl')) && readJsonLines(env.path('run.trades.jsonl')).length >= 1000,
      60_000,
      250,
    );
    await waitFor(
      'A to checkpoint progress on its shards',
      async () =>
        (await env.leases(APP)).filter(
          (lease) => lease.leaseOwner === 'A' && /^\d+$/.test(lease.checkpoint.sequenceNumber),
        ).length === 2,
      30_000,
      250,
    );

    // Act: kill A without warning; note the checkpoints it left.
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    const left = (await env.leases(APP)).filter((lease) => lease.leaseOwner === 'A');
    const takeoverMs = await waitFor(
      'B to own all four leases',
      async () => [...owners(await env.leases(APP)).values()].every((owner) => owner === 'B') && Date.now() - killedAt,
      30_000,
      50,
    );
    expect(await producer.exited).toBe(0);

    // Assess: takeover time (the margin covers this test's own polling on a shared machine).
    expect(left).toHaveLength(2);
    expect(takeoverMs).toBeGreaterThanOrEqual(FAILOVER_MS - RENEW_MS);
    expect(takeoverMs).toBeLessThanOrEqual(FAILOVER_MS + RENEW_MS + 500);
    // B carried on from A's checkpoints (A had checkpointed progress, not just the start) ...
    expect(left.some((lease) => /^\d+$/.test(lease.checkpoint.sequenceNumber))).toBe(true);
    const resumed = b
      .logs()
      .filter((line) => line.msg === 'processing shard from its checkpoint' && Date.parse(line.time) >= killedAt);
    for (const lease of left) {
      const resumedAt = resumed.find((line) => line.shardId === lease.leaseKey);
      expect(resumedAt?.checkpoint, lease.leaseKey).toBe(lease.checkpoint.sequenceNumber);
      // ... and replayed nothing from before them.
      const bSamples = readJsonLines<SampleLine>(env.path('B.jsonl')).filter(
        (sample) =>
          sample.shardId === lease.leaseKey &&
          sample.firstSequenceNumber !== null &&
          Date.parse(sample.windowEnd) > killedAt - 10_000,
      );
      expect(bSamples.length).toBeGreaterThan(0);
      if (/^\d+$/.test(lease.checkpoint.sequenceNumber)) {
        for (const sample of bSamples) {
          expect(BigInt((sample.firstSequenceNumber ?? '0').split('/')[0] ?? '0')).toBeGreaterThan(
            BigInt(lease.checkpoint.sequenceNumber),
          );
        }
      }
    }
    // Every trade in the trade log is in exactly one window of its shard, A's and B's samples together.
    const exact = await waitForExactSamples(env, 'run.trades.jsonl', ['A', 'B'], WINDOW_MS, 30_000);
    expect(exact.trades).toBeGreaterThan(4000);
    expect(exact.differences).toEqual([]);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});

import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import {
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
  waitForExactSamples,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const STREAM = 'ReshardStream';
const APP = 'ReshardApp';
const WINDOW_MS = 5000;
const workerArgs = fastWorkerArgs(STREAM, APP);

describe('UpdateShardCount 2 → 4 mid-stream', () => {
  const env = useEmbeddedStack();

  it('reads no child before its parents end, and counts every trade exactly once', async () => {
    await env.createStream(STREAM, 2);
    const a = env.startWorker('A', workerArgs);
    const b = env.startWorker('B', workerArgs);
    await waitFor('both leases taken', async () => (await env.leases(APP)).every((lease) => lease.leaseOwner), 30_000);
    const producer = env.startProducer('run', [
      '--stream',
      STREAM,
      '--rate',
      '200',
      '--duration',
      '24s',
      '--seed',
      '9',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 8000));

    // Act
    await env.clients.kinesis.send(
      new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }),
    );
    expect(await producer.exited).toBe(0);

    // Assess: every trade counted once, in its own shard's window, parents' and children's samples together.
    const shardsWritten = new Set(
      readJsonLines<TradeLogLine>(env.path('run.trades.jsonl')).map((line) => line.shardId),
    );
    expect(shardsWritten.size).toBeGreaterThan(2);
    const exact = await waitForExactSamples(env, 'run.trades.jsonl', ['A', 'B'], WINDOW_MS, 45_000);
    expect(exact.differences).toEqual([]);

    // No child was processed before every one of its parents had ended.
    const leases = await env.leases(APP);
    const logs = [...a.logs(), ...b.logs()];
    // Logged before the parent's SHARD_END checkpoint is sent: a child started earlier cannot have seen it.
    const endedAt = (shardId: string) =>
      logs.find((line) => line.msg === 'shard ended; checkpointing SHARD_END' && line.shardId === shardId)?.time;
    const children = leases.filter((lease) => lease.parentShardIds.length > 0);
    expect(children.length).toBeGreaterThanOrEqual(4);
    for (const child of children) {
      const started = logs.find(
        (line) => line.msg === 'processing shard from its checkpoint' && line.shardId === child.leaseKey,
      );
      expect(started, child.leaseKey).toBeDefined();
      for (const parent of child.parentShardIds) {
        const parentEnded = endedAt(parent);
        expect(parentEnded, `${parent} ended`).toBeDefined();
        expect(Date.parse(String(started?.time))).toBeGreaterThanOrEqual(Date.parse(String(parentEnded)));
      }
    }
    for (const parent of leases.filter((lease) => lease.childShardIds.length > 0)) {
      expect(parent.checkpoint.sequenceNumber).toBe('SHARD_END');
    }
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect([await a.exited, await b.exited]).toEqual([0, 0]);
  });
});

import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { readShardTraffic } from '@stock-trades/aws';
import {
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitFor,
  waitForExactSamples,
} from '@stock-trades/testkit';
import { describe, expect, it } from 'vitest';

const STREAM = 'FanOutStream';
const APP = 'FanOutApp';
const WINDOW_MS = 5000;
const workerArgs = [...fastWorkerArgs(STREAM, APP), '--retrieval', 'fan-out'];

describe('pnpm consumer --retrieval fan-out', () => {
  const env = useEmbeddedStack();

  it('counts every trade exactly once through kill -9, a reshard 2 → 4, 10 % of subscriptions cut mid-stream and a clean stop', async () => {
    await env.createStream(STREAM, 2);
    // One subscription in ten is cut after its first event, and one SubscribeToShard in ten throttled.
    env.faults.set('kinesis', 'SubscribeToShard', { lose: 0.1, throttle: 0.1 });
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
      '11',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    await env.clients.kinesis.send(
      new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }),
    );
    await new Promise((resolve) => setTimeout(resolve, 6000));
    // Worker A dies without a word; B takes its shards once they expire (failover 3 s) and goes on from their checkpoints.
    a.child.kill('SIGKILL');
    const c = env.startWorker('C', workerArgs);
    expect(await producer.exited).toBe(0);

    const shardsWritten = new Set(
      readJsonLines<TradeLogLine>(env.path('run.trades.jsonl')).map((line) => line.shardId),
    );
    expect(shardsWritten.size).toBeGreaterThan(2);
    const exact = await waitForExactSamples(env, 'run.trades.jsonl', ['A', 'B', 'C'], WINDOW_MS, 60_000);
    if (exact.differences.length > 0) {
      for (const [name, proc] of [
        ['A', a],
        ['B', b],
        ['C', c],
      ] as const) {
        for (const line of proc.logs()) {
          if (line.level !== 'debug') console.log(name, JSON.stringify(line).slice(0, 300));
        }
      }
    }
    expect(exact.differences).toEqual([]);
    // Read through subscriptions, not GetRecords: the stack answered the stream no GetRecords at all.
    const traffic = await readShardTraffic(env.clients.kinesisEndpoint);
    expect(Object.values(traffic?.streams[STREAM] ?? {}).reduce((sum, shard) => sum + shard.reads, 0)).toBe(0);
    expect(env.faults.injected.lose + env.faults.injected.throttle).toBeGreaterThan(0);

    env.faults.clear();
    b.child.kill('SIGTERM');
    c.child.kill('SIGTERM');
    expect([await b.exited, await c.exited]).toEqual([0, 0]);
  });
});

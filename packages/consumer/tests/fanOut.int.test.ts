import { UpdateShardCountCommand } from '@aws-sdk/client-kinesis';
import { readShardTraffic, StreamAdmin } from '@stock-trades/aws';
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

  it('counts every trade exactly once through kill -9, a reshard 4 → 8 and back, a clean stop, and 10 % of subscriptions cut mid-stream', async () => {
    await env.createStream(STREAM, 4);
    // One subscription in ten is cut after its first event, and one SubscribeToShard in ten throttled.
    env.faults.set('kinesis', 'SubscribeToShard', { lose: 0.1, throttle: 0.1 });
    const a = env.startWorker('A', workerArgs);
    const b = env.startWorker('B', workerArgs);
    await waitFor('every lease taken', async () => (await env.leases(APP)).every((lease) => lease.leaseOwner), 30_000);
    const producer = env.startProducer('run', [
      '--stream',
      STREAM,
      '--rate',
      '200',
      '--duration',
      '30s',
      '--seed',
      '11',
    ]);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const reshard = async (target: number) => {
      await env.clients.kinesis.send(
        new UpdateShardCountCommand({ StreamName: STREAM, TargetShardCount: target, ScalingType: 'UNIFORM_SCALING' }),
      );
      await new StreamAdmin(env.clients).waitUntilActive(STREAM);
    };
    await sleep(5000);
    await reshard(8);
    await sleep(5000);
    // Worker A dies without a word; its shards are taken once they expire (failover 3 s), from their checkpoints.
    a.child.kill('SIGKILL');
    const c = env.startWorker('C', workerArgs);
    await sleep(5000);
    await reshard(4);
    await sleep(5000);
    // Worker B stops cleanly while trades flow: it checkpoints, releases its leases, and C takes them at once.
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
    expect(await producer.exited).toBe(0);

    const shardsWritten = new Set(
      readJsonLines<TradeLogLine>(env.path('run.trades.jsonl')).map((line) => line.shardId),
    );
    // Trades went to the first four shards, their eight children, and those children's four.
    expect(shardsWritten.size).toBeGreaterThanOrEqual(16);
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
    // Read through subscriptions, not GetRecords: the stack answered the stream no GetRecords at all, and counted
    // every read as the stream consumer's, on every shard.
    const traffic = await readShardTraffic(env.clients.kinesisEndpoint);
    expect(Object.values(traffic?.streams[STREAM] ?? {}).reduce((sum, shard) => sum + shard.reads, 0)).toBe(0);
    const readers = traffic?.readers?.[STREAM] ?? [];
    expect(readers.map((reader) => `${reader.mode} ${reader.application}`)).toEqual([`fan-out ${APP}`]);
    expect(Object.keys(readers[0]?.shards ?? {}).length).toBeGreaterThanOrEqual(16);
    expect(env.faults.injected.lose + env.faults.injected.throttle).toBeGreaterThan(0);

    env.faults.clear();
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
  });
});

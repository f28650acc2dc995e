import { localClients, StreamAdmin } from '@stock-trades/aws';
import { systemClock } from '@stock-trades/kcl';
import { startLocalStack } from '@stock-trades/local-stack';
import { DEFAULT_LINGER_MS, DEFAULT_MAX_IN_FLIGHT, type ProducerOptions, runProducer } from '@stock-trades/producer';
import { DEFAULT_RETRY_POLICY, KinesisRecordsPort } from '@stock-trades/writer';

/** Tutorial mode vs batched mode, trades/s into a 4-shard stream. */
export async function benchProducer(): Promise<object> {
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  try {
    const streams = new StreamAdmin(clients);
    // kinesis-local's PutRecords slows down as a stream fills up (about 4k trades/s into an
    // empty stream, under 500/s past 20k records), so each measurement gets a fresh stream.
    const freshStream = async (name: string) => {
      await streams.create(name, { capacity: 'PROVISIONED', shards: 4 });
      await streams.waitUntilActive(name);
      return name;
    };
    const deps = {
      port: new KinesisRecordsPort(clients),
      streamStatus: async () => 'ACTIVE',
      now: Date.now,
      sleep: systemClock.sleep,
    };
    const base: ProducerOptions = {
      stream: '',
      mode: 'batched',
      seed: 1,
      partitionKey: 'ticker',
      lingerMs: DEFAULT_LINGER_MS,
      maxInFlight: DEFAULT_MAX_IN_FLIGHT,
      retryPolicy: DEFAULT_RETRY_POLICY,
    };
    const measure = async (label: string, options: ProducerOptions) => {
      const stats = await runProducer({ ...options, stream: await freshStream(`Bench-${label}`) }, deps);
      const result = {
        mode: label,
        trades: stats.delivered,
        seconds: stats.elapsedMs / 1000,
        tradesPerSecond: stats.rate,
      };
      console.log(
        `  ${label}: ${stats.delivered} trades in ${result.seconds.toFixed(1)} s = ${stats.rate.toFixed(1)} trades/s`,
      );
      return result;
    };
    console.log('producer: tutorial mode vs batched mode, 4 shards, embedded stack');
    // Warm up the emulator's JIT so neither side pays for it.
    await runProducer({ ...base, stream: await freshStream('Bench-warm-up'), count: 2000 }, deps);
    const tutorial = await measure('tutorial', { ...base, mode: 'tutorial', durationMs: 10_000 });
    const batched = await measure('batched', { ...base, count: 5_000 });
    const ratio = batched.tradesPerSecond / tutorial.tradesPerSecond;
    console.log(`  batched / tutorial = ${ratio.toFixed(1)}x (goal: at least 10x)`);
    return { results: [tutorial, batched], batchedOverTutorial: ratio, goal: 'batched >= 10x tutorial' };
  } finally {
    clients.destroy();
    await stack.stop();
  }
}

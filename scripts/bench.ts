/**
 * `pnpm bench [name…]`: benchmarks against the embedded stack, started here on free
 * ports. Each writes bench/results/<name>.json and prints a summary. Ratios are what
 * count: both sides are measured in the same run, on the same (shared, noisy) machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localClients, StreamAdmin } from '@stock-trades/aws';
import { startLocalStack } from '@stock-trades/local-stack';
import {
  abortableSleep,
  DEFAULT_LINGER_MS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_RETRY_POLICY,
  KinesisRecordsPort,
  type ProducerOptions,
  runProducer,
} from '@stock-trades/producer';

const RESULTS = fileURLToPath(new URL('../bench/results/', import.meta.url));

const benches: Record<string, () => Promise<object>> = {
  producer: benchProducer,
};

/** Tutorial mode vs batched mode, trades/s into a 4-shard stream. */
async function benchProducer(): Promise<object> {
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
      sleep: abortableSleep,
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

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((name) => !(name in benches));
  if (unknown.length > 0) {
    console.error(`error: unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(benches).join(', ')}`);
    return 2;
  }
  mkdirSync(RESULTS, { recursive: true });
  for (const name of names.length > 0 ? names : Object.keys(benches)) {
    const bench = benches[name];
    if (!bench) continue;
    const result = await bench();
    const file = join(RESULTS, `${name}.json`);
    const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
    writeFileSync(
      file,
      `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine, ...result }, null, 2)}\n`,
    );
    console.log(`  written to ${file}`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

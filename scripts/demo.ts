/**
 * `pnpm demo`: the whole pipeline built so far, in one command, on the embedded stack.
 * Starts kinesis-local and dynalite on free ports, creates StockTradeStream, produces
 * trades for --duration, reads every shard back to show where they went, then tears
 * everything down and stops the emulators. Ctrl-C ends it early, just as cleanly.
 */
import { localClients, readAllRecords, StreamAdmin, TableAdmin } from '@stock-trades/aws';
import { ExitCode, ProgressLine, reportError, shutdownSignal } from '@stock-trades/cli-kit';
import { PROJECT_RESOURCES, parseDuration, parseNumber, STREAM_NAME } from '@stock-trades/core';
import { systemClock } from '@stock-trades/kcl';
import { startLocalStack } from '@stock-trades/local-stack';
import { DEFAULT_RETRY_POLICY, KinesisRecordsPort, runProducer } from '@stock-trades/producer';
import { runCreateStream } from '@stock-trades/setup';
import { runTeardown } from '@stock-trades/teardown';
import { Command } from 'commander';

interface DemoOptions {
  durationMs: number;
  rate: number;
  shards: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

async function runDemo(options: DemoOptions, signal: AbortSignal): Promise<void> {
  say('Starting the embedded stack (kinesis-local + dynalite on 127.0.0.1)...');
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  try {
    say(`  Kinesis ${stack.kinesisEndpoint}, DynamoDB ${stack.dynamodbEndpoint}\n`);
    say('Step 1: create the stream');
    const streams = new StreamAdmin(clients);
    await runCreateStream(
      { stream: STREAM_NAME, spec: { capacity: 'PROVISIONED', shards: options.shards } },
      streams,
      say,
    );

    say(`\nStep 3: produce ${options.rate} trades/s for ${options.durationMs / 1000} s (Ctrl-C to stop early)`);
    const progress = new ProgressLine(process.stdout);
    let lastLine = 0;
    const stats = await runProducer(
      {
        stream: STREAM_NAME,
        mode: 'batched',
        rate: options.rate,
        durationMs: options.durationMs,
        partitionKey: 'ticker',
        lingerMs: 50,
        maxInFlight: 4,
        retryPolicy: DEFAULT_RETRY_POLICY,
      },
      {
        port: new KinesisRecordsPort(clients),
        streamStatus: async (name) => (await streams.describe(name))?.status,
        now: Date.now,
        sleep: systemClock.sleep,
        signal,
        onProgress: (current) => {
          if (progress.enabled) progress.update(current.progressText());
          else if (current.elapsedMs - lastLine >= 5000) {
            lastLine = current.elapsedMs;
            say(`  ${current.progressText()}`);
          }
        },
      },
    ).finally(() => progress.clear());
    say(stats.summaryText(STREAM_NAME));

    say('\nReading every shard back from TRIM_HORIZON...');
    const records = await readAllRecords(clients, STREAM_NAME);
    const perShard = new Map<string, number>();
    for (const { shardId } of records) perShard.set(shardId, (perShard.get(shardId) ?? 0) + 1);
    for (const [shard, count] of [...perShard].sort(([a], [b]) => a.localeCompare(b)))
      say(`  ${shard}: ${count} records`);
    say(`  ${records.length} records in the stream, ${stats.delivered} acknowledged to the producer.`);
  } finally {
    say('\nClean-up: tear down and stop the stack');
    await runTeardown(PROJECT_RESOURCES, {
      admins: { stream: new StreamAdmin(clients), table: new TableAdmin(clients) },
      confirm: async () => true,
      say: (line) => say(line),
    }).catch((error: unknown) => say(`  teardown failed: ${error instanceof Error ? error.message : String(error)}`));
    clients.destroy();
    await stack.stop();
    say('Embedded stack stopped. Nothing is left running.');
  }
}

const signal = shutdownSignal(() => process.exit(ExitCode.INTERRUPTED));
const program = new Command('demo')
  .description('Run the pipeline end to end on the embedded stack, then clean up: nothing to install or start first')
  .option('--duration <time>', 'how long to produce trades', '20s')
  .option('--rate <trades/s>', 'trades per second', '100')
  .option('--shards <n>', 'shards of StockTradeStream', '4')
  .action(async (raw: { duration: string; rate: string; shards: string }) => {
    await runDemo(
      {
        durationMs: parseDuration(raw.duration, '--duration'),
        rate: parseNumber(raw.rate, '--rate', { min: 1, max: 5000 }),
        shards: parseNumber(raw.shards, '--shards', { integer: true, min: 1, max: 16 }),
      },
      signal,
    );
  });
program.exitOverride();
try {
  await program.parseAsync(process.argv);
  process.exit(ExitCode.OK);
} catch (error) {
  const report = reportError(error);
  if (report.line) process.stderr.write(`${report.line}\n`);
  process.exit(report.exitCode);
}

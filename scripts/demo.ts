/**
 * `pnpm demo`: the whole pipeline, in one command, on the embedded stack. Starts
 * kinesis-local and dynalite on free ports, creates the streams (4 shards), then runs
 * the producer, two consumer workers and the aggregator as separate processes with a
 * compressed window, showing per-shard and all-shard stats as they close. After
 * --duration (or on Ctrl-C) it stops everything in order, tears down, and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { localClients, StreamAdmin, TableAdmin } from '@stock-trades/aws';
import { ExitCode, runProgram, shutdownSignal } from '@stock-trades/cli-kit';
import { PROJECT_RESOURCES, parseDuration, parseNumber, STREAM_NAME } from '@stock-trades/core';
import { systemClock } from '@stock-trades/kcl';
import { startLocalStack } from '@stock-trades/local-stack';
import { createProjectResources } from '@stock-trades/setup';
import { runTeardown } from '@stock-trades/teardown';
import { Command } from 'commander';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EXIT_WITH_PARENT = fileURLToPath(new URL('../packages/cli-kit/src/exitWithParent.cjs', import.meta.url));
/** Lease events worth showing from the workers' logs. */
const LEASE_EVENTS = /\b(took lease|stole lease|released lease|lost lease)\b/;

interface DemoOptions {
  durationMs: number | undefined;
  windowMs: number;
  rate: number;
  shards: number;
}

const HOUR = 3_600_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Running {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
}

/** Starts one of the project's commands with its output shown under a prefix. */
function start(
  name: string,
  pkg: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  showStderr: (line: string) => boolean,
): Running {
  const child = spawn(
    process.execPath,
    ['--require', EXIT_WITH_PARENT, '--import', 'tsx', `packages/${pkg}/src/bin.ts`, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: Ctrl-C reaches the demo, which stops everything in order
    },
  );
  const prefix = `[${name}]`.padEnd(13);
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => say(`${prefix} ${line}`));
  if (child.stderr)
    createInterface({ input: child.stderr }).on('line', (line) => showStderr(line) && say(`${prefix} ${line}`));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { name, child, exited };
}

/** Stops a process as Ctrl-C would (SIGKILL after `graceMs`); resolves true if it ended well. */
async function stop(running: Running, graceMs = 15_000): Promise<boolean> {
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill('SIGINT');
    const timer = setTimeout(() => running.child.kill('SIGKILL'), graceMs);
    await running.exited;
    clearTimeout(timer);
  }
  const outcome = await running.exited;
  if (outcome !== 0) say(`(${running.name} exited with ${outcome})`);
  return outcome === 0;
}

/** Resolves when the signal fires, at once if it already has. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function runDemo(options: DemoOptions, signal: AbortSignal): Promise<void> {
  say('Starting the embedded stack (kinesis-local + dynalite on 127.0.0.1)...');
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  const env = {
    STOCK_TRADES_TARGET: 'local',
    STOCK_TRADES_KINESIS_ENDPOINT: stack.kinesisEndpoint,
    STOCK_TRADES_DYNAMODB_ENDPOINT: stack.dynamodbEndpoint,
  };
  const processes: Running[] = [];
  const failed: string[] = [];
  try {
    say(`  Kinesis ${stack.kinesisEndpoint}, DynamoDB ${stack.dynamodbEndpoint}\n`);
    if (signal.aborted) return;
    say('Step 1: create the streams');
    await createProjectResources(
      clients,
      { stream: STREAM_NAME, spec: { capacity: 'PROVISIONED', shards: options.shards } },
      say,
    );

    if (signal.aborted) return;
    const window = `${options.windowMs / 1000}s`;
    const seconds = options.durationMs === undefined ? 'until Ctrl-C' : `for ${options.durationMs / 1000} s`;
    say(
      `\nSteps 3-7: producer (${options.rate} trades/s ${seconds}), two consumer workers, the aggregator; ${window} windows`,
    );
    const workerArgs = (id: string) => [
      '--worker-id',
      id,
      '--window',
      window,
      '--lateness',
      '1s',
      '--log-format',
      'text',
    ];
    const showLeases = (line: string) => LEASE_EVENTS.test(line) || /\b(ERROR|WARN)\b/.test(line);
    processes.push(
      start(
        'aggregator',
        'aggregator',
        ['--worker-id', 'aggregator', '--grace', `${Math.round(options.windowMs / 1000) + 10}s`, '--table'],
        env,
        showLeases,
      ),
    );
    processes.push(start('worker-1', 'consumer', workerArgs('worker-1'), env, showLeases));
    processes.push(start('worker-2', 'consumer', workerArgs('worker-2'), env, showLeases));
    const producerArgs = ['--rate', String(options.rate), '--aggregate'];
    if (options.durationMs !== undefined) producerArgs.push('--duration', `${options.durationMs}ms`);
    const producer = start('producer', 'producer', producerArgs, env, (line) => /error/i.test(line));
    processes.push(producer);

    await Promise.race([producer.exited, whenAborted(signal)]);
    if (!(await stop(producer))) failed.push(producer.name);
    if (!signal.aborted) {
      say(`\nProducer done; waiting ${options.windowMs / 1000 + 3} s for the last windows to close...`);
      await systemClock.sleep(options.windowMs + 3000, signal);
    }
  } finally {
    say('\nStopping the workers and the aggregator (they checkpoint and release their leases)...');
    const [aggregator, ...others] = processes;
    const stopped = await Promise.all(others.map(async (running) => [running.name, await stop(running)] as const));
    if (aggregator) stopped.push([aggregator.name, await stop(aggregator)]);
    for (const [name, ok] of stopped) if (!ok && !failed.includes(name)) failed.push(name);
    say('\nClean-up: tear down and stop the stack');
    await runTeardown(PROJECT_RESOURCES, {
      admins: { stream: new StreamAdmin(clients), table: new TableAdmin(clients) },
      confirm: async () => true,
      say: (line) => (line.startsWith('  ') && line.includes('already gone') ? undefined : say(line)),
    }).catch((error: unknown) => say(`  teardown failed: ${error instanceof Error ? error.message : String(error)}`));
    clients.destroy();
    await stack.stop();
    say('Embedded stack stopped. Nothing is left running.');
  }
  if (failed.length > 0) throw new DemoError(`${failed.join(', ')} did not finish cleanly; see its lines above`);
}

class DemoError extends Error {
  readonly code = 'DEMO_PROCESS_FAILED';
  override readonly name = 'DemoError';
}

const signal = shutdownSignal(() => process.exit(ExitCode.INTERRUPTED));
const program = new Command('pnpm demo')
  .description(
    'The classroom run: embedded stack, streams, producer, two consumer workers and the aggregator, per-shard and all-shard stats as windows close, then a clean teardown',
  )
  .option('--duration <time>', 'produce trades this long, then finish by itself (default: until Ctrl-C)')
  .option('--window <time>', 'window length, compressed from the tutorial’s minute', '10s')
  .option('--rate <trades/s>', 'trades per second', '200')
  .option('--shards <n>', 'shards of StockTradeStream', '4')
  .action(async (raw: { duration?: string; window: string; rate: string; shards: string }) => {
    await runDemo(
      {
        durationMs:
          raw.duration === undefined ? undefined : parseDuration(raw.duration, '--duration', { max: 24 * HOUR }),
        windowMs: parseDuration(raw.window, '--window', { min: 1000, max: HOUR }),
        rate: parseNumber(raw.rate, '--rate', { min: 1, max: 5000 }),
        shards: parseNumber(raw.shards, '--shards', { integer: true, min: 1, max: 16 }),
      },
      signal,
    );
  });
process.exit(await runProgram(program, process.argv));

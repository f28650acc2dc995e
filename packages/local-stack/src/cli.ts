import { accessSync, constants, mkdirSync } from 'node:fs';
import { emitKeypressEvents } from 'node:readline';
import { runProgram } from '@stock-trades/cli-kit';
import { InvalidOptionError, LOCAL_DYNAMODB_PORT, LOCAL_KINESIS_PORT, parseNumber } from '@stock-trades/core';
import { Command } from 'commander';
import { LocalStackError } from './errors.js';
import { FaultPlan, type Service } from './proxy/FaultPlan.js';
import { startLocalStack } from './startLocalStack.js';

export interface StackCommandOptions {
  kinesisPort: number;
  dynamodbPort: number;
  dataDir?: string;
  verbose: boolean;
  shardLimits: boolean;
  limitScale: number;
  faults: FaultPlan;
}

/** Starts the stack, prints where it is, and holds it up until `signal` fires or an emulator dies. */
export async function runStack(options: StackCommandOptions, signal: AbortSignal, out = process.stdout): Promise<void> {
  const stack = await startLocalStack({
    kinesisPort: options.kinesisPort,
    dynamodbPort: options.dynamodbPort,
    dataDir: options.dataDir,
    onOutput: options.verbose ? (service, line) => out.write(`[${service}] ${line}\n`) : undefined,
    shardLimits: options.shardLimits,
    limitScale: options.limitScale,
    faults: options.faults,
  });
  const nonDefault =
    options.kinesisPort !== LOCAL_KINESIS_PORT || options.dynamodbPort !== LOCAL_DYNAMODB_PORT
      ? [
          'Other ports than the defaults: point the other commands at them with',
          `  export STOCK_TRADES_KINESIS_ENDPOINT=${stack.kinesisEndpoint}`,
          `  export STOCK_TRADES_DYNAMODB_ENDPOINT=${stack.dynamodbEndpoint}`,
        ]
      : [];
  out.write(
    [
      'Embedded stack is up (127.0.0.1 only):',
      `  Kinesis   ${stack.kinesisEndpoint}   (kinesis-local)`,
      `  DynamoDB  ${stack.dynamodbEndpoint}   (dynalite)`,
      `  State     ${options.dataDir ? `kept in ${options.dataDir}` : 'in memory (use --data DIR to keep it)'}`,
      `  Limits    ${describeLimits(stack.shardLimits, stack.limitScale)}`,
      `  Faults    ${options.faults.empty ? 'none (--faults to inject some)' : options.faults.describe()}`,
      ...nonDefault,
      'Leave this running; Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  const stopKeys = listenForPauseKeys(stack.faults, out);
  const aborted = new Promise<'stop'>((resolve) => {
    if (signal.aborted) resolve('stop');
    signal.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  const outcome = await Promise.race([aborted, stack.unexpectedExit]);
  stopKeys();
  await stack.stop();
  if (outcome !== 'stop') throw new LocalStackError('EMULATOR_EXITED', `${outcome}; the stack is stopped`);
  out.write('Embedded stack stopped.\n');
}

/** Flags to options, refusing with one line what cannot work: two services on one port, a data folder that cannot be made. */
export function parseStackOptions(raw: {
  kinesisPort: string;
  dynamodbPort: string;
  data?: string;
  verbose: boolean;
  shardLimits?: boolean;
  limitScale?: string;
  faults?: string;
}): StackCommandOptions {
  const port = (text: string, flag: string) => parseNumber(text, flag, { integer: true, min: 1, max: 65535 });
  const kinesisPort = port(raw.kinesisPort, '--kinesis-port');
  const dynamodbPort = port(raw.dynamodbPort, '--dynamodb-port');
  if (kinesisPort === dynamodbPort) {
    throw new InvalidOptionError(`--kinesis-port and --dynamodb-port must differ, both are ${kinesisPort}`);
  }
  if (raw.data !== undefined) prepareDataDir(raw.data);
  return {
    kinesisPort,
    dynamodbPort,
    dataDir: raw.data,
    verbose: raw.verbose,
    shardLimits: raw.shardLimits ?? true,
    limitScale: parseNumber(raw.limitScale ?? '1', '--limit-scale', { min: 0.01, max: 1 }),
    faults: FaultPlan.parse(raw.faults ?? ''),
  };
}

/** Makes the --data folder (and its parents) now, so a path that cannot be one fails before anything starts. */
function prepareDataDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOTDIR' || code === 'EEXIST'
        ? 'a part of it is a file, not a folder'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'it cannot be written'
          : (error as Error).message;
    throw new InvalidOptionError(`--data ${path} cannot be used as a folder: ${reason}`);
  }
}

export function buildProgram(signal: AbortSignal): Command {
  return new Command('pnpm stack')
    .description(
      'Start the embedded Kinesis (kinesis-local) and DynamoDB (dynalite) on 127.0.0.1 and keep them up until Ctrl-C',
    )
    .option('--kinesis-port <port>', 'Kinesis port on 127.0.0.1', String(LOCAL_KINESIS_PORT))
    .option('--dynamodb-port <port>', 'DynamoDB port on 127.0.0.1', String(LOCAL_DYNAMODB_PORT))
    .option('--data <dir>', 'keep streams and tables in this folder across restarts (default: in memory)')
    .option('--verbose', "show the emulators' own output", false)
    .option('--no-shard-limits', 'do not enforce the per-shard throughput limits')
    .option(
      '--limit-scale <factor>',
      'shrink every per-shard limit (0.01-1): 0.1 makes a shard take 100 records/s, for a class on a slow laptop',
      '1',
    )
    .option(
      '--faults <rules>',
      'inject faults, e.g. "kinesis:*:throttle=10%,error=2%;dynamodb:UpdateItem:latency=200ms" (see docs/reference.md)',
    )
    .action(async (raw: Parameters<typeof parseStackOptions>[0]) => {
      await runStack(parseStackOptions(raw), signal);
    });
}

export function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  return runProgram(buildProgram(signal), argv);
}

/** On a terminal: 1 pauses or resumes Kinesis, 2 DynamoDB (every call waits meanwhile). Returns how to stop listening. */
function listenForPauseKeys(faults: FaultPlan, out: NodeJS.WritableStream): () => void {
  if (!process.stdin.isTTY) return () => {};
  emitKeypressEvents(process.stdin);
  process.stdin.setRawMode(true);
  const keys: Record<string, Service> = { '1': 'kinesis', '2': 'dynamodb' };
  const onKey = (key: string, info: { ctrl?: boolean; name?: string }) => {
    if (info?.ctrl && info.name === 'c') {
      process.kill(process.pid, 'SIGINT');
      return;
    }
    const service = keys[key];
    if (!service) return;
    if (faults.isPaused(service)) faults.resume(service);
    else faults.pause(service);
    out.write(
      `${service} ${faults.isPaused(service) ? 'paused: every call waits (press again to resume)' : 'resumed'}\n`,
    );
  };
  process.stdin.on('keypress', onKey);
  out.write('Keys: 1 pauses or resumes Kinesis, 2 DynamoDB (every call waits until resumed).\n');
  return () => {
    process.stdin.off('keypress', onKey);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  };
}

/** The banner's line on the per-shard limits. */
export function describeLimits(on: boolean, scale: number): string {
  if (!on) return 'none (--no-shard-limits)';
  const records = Math.round(1000 * scale).toLocaleString('en-US');
  const mib = (n: number) => `${Math.round(n * scale * 100) / 100} MiB`;
  const reads = Math.max(1, Math.round(5 * scale * 10) / 10);
  const as = scale === 1 ? 'as AWS' : `AWS's × ${scale}`;
  return `per shard, ${as}: ${records} records and ${mib(1)}/s in, ${reads} reads and ${mib(2)}/s out (--no-shard-limits: none)`;
}

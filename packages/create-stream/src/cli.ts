import { StreamCapacity, type StreamSpec } from '@stock-trades/aws';
import { clientsFor, describeTarget, runProgram, targetOption } from '@stock-trades/cli-kit';
import {
  InvalidOptionError,
  parseNumber,
  parseStreamName,
  STATS_STREAM_NAME,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { Command } from 'commander';
import { createProjectResources } from './createProjectResources.js';

const MAX_SHARDS = 1000;

interface RawOptions {
  shards?: string;
  onDemand: boolean;
  stream: string;
  target?: string;
}

export function buildProgram(out: NodeJS.WritableStream = process.stdout): Command {
  return new Command('pnpm create-stream')
    .description(
      `Step 1: create the ${STREAM_NAME} Kinesis stream (and, for the second stage, ${STATS_STREAM_NAME} and the ${STATS_TABLE_NAME} table) and wait until they are ACTIVE (idempotent)`,
    )
    .option('--shards <n>', 'number of shards, provisioned capacity (default: 1, as in the tutorial)')
    .option('--on-demand', 'on-demand capacity instead of a fixed shard count', false)
    .option('--stream <name>', 'stream name', (value: string) => parseStreamName(value, '--stream'), STREAM_NAME)
    .addOption(targetOption())
    .action(async (raw: RawOptions) => {
      const spec = streamSpec(raw);
      const clients = clientsFor(raw.target);
      try {
        const say = (line: string) => out.write(`${line}\n`);
        say(`Target: ${describeTarget(clients)}`);
        await createProjectResources(clients, { stream: raw.stream, spec }, say);
      } finally {
        clients.destroy();
      }
    });
}

function streamSpec(raw: RawOptions): StreamSpec {
  if (raw.onDemand) {
    if (raw.shards !== undefined) throw new InvalidOptionError('--shards and --on-demand cannot be used together');
    return { capacity: StreamCapacity.ON_DEMAND };
  }
  const shards =
    raw.shards === undefined ? 1 : parseNumber(raw.shards, '--shards', { integer: true, min: 1, max: MAX_SHARDS });
  return { capacity: StreamCapacity.PROVISIONED, shards };
}

export function main(argv: readonly string[]): Promise<number> {
  return runProgram(buildProgram(), argv);
}

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { localTargetEnv } from '@stock-trades/aws';
import { clientsFor, runProgram, targetOption } from '@stock-trades/cli-kit';
import {
  AGGREGATOR_APPLICATION,
  CONSUMER_APPLICATION,
  DASHBOARD_PORT,
  InvalidOptionError,
  parseDuration,
  parseNumber,
  parseStreamName,
  parseTableName,
  STATS_STREAM_NAME,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { Command } from 'commander';
import { Fleet } from './Fleet.js';
import { startDashboard } from './startDashboard.js';

interface RawOptions {
  port: string;
  stream: string;
  statsStream: string;
  applicationName: string;
  aggregatorApplication: string;
  failover: string;
  window: string;
  tradeLogs?: string;
  target?: string;
}

/** A folder that exists, or one line saying why not. */
function existingFolder(path: string, flag: string): string {
  const found = statSync(path, { throwIfNoEntry: false });
  if (!found) throw new InvalidOptionError(`${flag} ${path} does not exist: create the folder first`);
  if (!found.isDirectory()) throw new InvalidOptionError(`${flag} ${path} is not a folder`);
  return path;
}

/** Resolves when the signal fires, at once if it already has. */
function whenAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function buildProgram(signal: AbortSignal, out: NodeJS.WritableStream = process.stdout): Command {
  return new Command('pnpm dashboard')
    .description(
      'The pipeline, live, in a browser on 127.0.0.1: shards, leases, lag, lease events, window results; on the embedded stack, instructor actions',
    )
    .option('--port <port>', 'port on 127.0.0.1', String(DASHBOARD_PORT))
    .option('--stream <name>', 'the trade stream', (value: string) => parseStreamName(value, '--stream'), STREAM_NAME)
    .option(
      '--stats-stream <name>',
      'the stream of per-shard samples',
      (value: string) => parseStreamName(value, '--stats-stream'),
      STATS_STREAM_NAME,
    )
    .option(
      '--application-name <name>',
      'the consumers’ application (lease table)',
      (value: string) => parseTableName(value, '--application-name'),
      CONSUMER_APPLICATION,
    )
    .option(
      '--aggregator-application <name>',
      'the aggregator’s application (lease table)',
      (value: string) => parseTableName(value, '--aggregator-application'),
      AGGREGATOR_APPLICATION,
    )
    .option('--failover <time>', 'the workers’ --failover: a lease not renewed this long is shown expired', '10s')
    .option('--window <time>', 'window of the workers the page’s “add worker” starts', '60s')
    .option(
      '--trade-logs <folder>',
      'producer trade logs (*.jsonl) to show beside each window’s count; the producer the page starts writes one here',
    )
    .addOption(targetOption())
    .action(async (raw: RawOptions) => {
      const port = parseNumber(raw.port, '--port', { integer: true, min: 1, max: 65535 });
      const failoverMs = parseDuration(raw.failover, '--failover', { min: 100, max: 3_600_000 });
      const window = `${parseDuration(raw.window, '--window', { min: 1000, max: 3_600_000 }) / 1000}s`;
      const tradeLogs = raw.tradeLogs === undefined ? undefined : existingFolder(raw.tradeLogs, '--trade-logs');
      let producerRuns = 0;
      const clients = clientsFor(raw.target);
      const env = localTargetEnv(clients.kinesisEndpoint, clients.dynamodbEndpoint);
      const fleet =
        clients.target === 'local'
          ? new Fleet({
              env,
              // The processes the page starts read and write the streams and tables the page shows.
              workerArgs: (id) => [
                ...['--worker-id', id, '--application-name', raw.applicationName, '--window', window],
                ...['--stream', raw.stream, '--stats-stream', raw.statsStream],
              ],
              producerArgs: (rate) => [
                ...['--rate', String(rate), '--aggregate', '--stream', raw.stream],
                // Each run its own log (a new rate is a new run): named by when it started, never overwriting one.
                ...(tradeLogs === undefined
                  ? []
                  : ['--trade-log', join(tradeLogs, `dashboard-producer-${Date.now()}-${++producerRuns}.jsonl`)]),
              ],
              aggregatorArgs: [
                ...['--worker-id', 'aggregator', '--table', '--window', window],
                ...['--stream', raw.statsStream, '--trade-stream', raw.stream],
                ...['--application-name', raw.aggregatorApplication],
              ],
            })
          : undefined;
      try {
        const dashboard = await startDashboard(
          {
            target: clients.target,
            port,
            stream: raw.stream,
            statsStream: raw.statsStream,
            consumerTable: raw.applicationName,
            aggregatorTable: raw.aggregatorApplication,
            resultsTable: STATS_TABLE_NAME,
            failoverMs,
            tradeLogs,
          },
          { clients, fleet },
        );
        out.write(
          `Dashboard: ${dashboard.url}  (${clients.target === 'aws' ? 'read-only on AWS' : 'instructor actions on'}; Ctrl-C stops)\n`,
        );
        await whenAborted(signal);
        await dashboard.stop();
      } finally {
        await Promise.all((fleet?.all ?? []).map((process) => fleet?.stop(process)));
        clients.destroy();
      }
    });
}

export function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  return runProgram(buildProgram(signal), argv);
}

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type AwsClients, createClients, resolveTarget, TARGET_ENV } from '@stock-trades/aws';
import { InvalidOptionError } from '@stock-trades/core';
import { Option } from 'commander';

/** `--target local|aws`, the same on every command. */
export function targetOption(): Option {
  return new Option(
    '--target <target>',
    `local: the embedded stack (pnpm stack); aws: the AWS SDK's standard credentials, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_* (default: local, or env ${TARGET_ENV})`,
  ).choices(['local', 'aws']);
}

/** A worker id unique enough for a lease table: the host name and six random hex digits. */
export function defaultWorkerId(): string {
  return `${hostname()}-${randomBytes(3).toString('hex')}`;
}

const WORKER_ID = /^[\x21-\x7e]{1,128}$/;

/** `--worker-id` as given, or a one-line error: 1-128 printable characters, no spaces (it is a lease owner). */
export function parseWorkerId(text: string): string {
  if (!WORKER_ID.test(text)) {
    throw new InvalidOptionError(
      `--worker-id must be 1-128 printable characters without spaces, got ${JSON.stringify(text)}`,
    );
  }
  return text;
}

/** `--log-level`, for the long-running commands. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'least important log lines shown (on stderr)')
    .choices(['debug', 'info', 'warn', 'error'])
    .default('info');
}

/**
 * `--metrics`: the worker's kcl metrics (records, bytes, lag, processing time, leases) as CloudWatch
 * Embedded Metric Format lines on stdout, a line per operation and shard a minute; off by default.
 */
export function metricsOption(): Option {
  return new Option('--metrics <format>', 'none, or emf: kcl metrics as CloudWatch EMF lines on stdout, once a minute')
    .choices(['none', 'emf'])
    .default('none');
}

/** `--log-format`: text for people, JSON (one object per line) for tools. */
export function logFormatOption(): Option {
  return new Option('--log-format <format>', 'text: one readable line per event; json: one JSON object per line')
    .choices(['text', 'json'])
    .default('text');
}

/**
 * Resolves `--target` (or its environment variable) and builds the SDK clients for it; `appId`: the
 * application name a consumer's calls carry in their User-Agent (see ClientOptions.appId).
 */
export function clientsFor(targetFlag: string | undefined, options: { readonly appId?: string } = {}): AwsClients {
  return createClients(resolveTarget(targetFlag), process.env, options);
}

/** "the embedded stack at http://127.0.0.1:4568" or "AWS (us-east-1)": where a command is working. */
export function describeTarget(clients: AwsClients): string {
  if (clients.target === 'local') return `the embedded stack (Kinesis ${clients.kinesisEndpoint})`;
  return `AWS (${process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'region from your profile'})`;
}

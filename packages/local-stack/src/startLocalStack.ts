import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { LOCAL_DYNAMODB_PORT, LOCAL_KINESIS_PORT } from '@stock-trades/core';
import { EmulatorProcess } from './EmulatorProcess.js';
import { PortInUseError } from './errors.js';
import { findFreePort, isPortFree, LOOPBACK } from './ports.js';
import { FaultPlan } from './proxy/FaultPlan.js';
import { KinesisLimiter } from './proxy/KinesisLimiter.js';
import { listOpenShards } from './proxy/listOpenShards.js';
import { ServiceProxy } from './proxy/ServiceProxy.js';

const require = createRequire(import.meta.url);

export const DEFAULT_KINESIS_PORT = LOCAL_KINESIS_PORT;
export const DEFAULT_DYNAMODB_PORT = LOCAL_DYNAMODB_PORT;
const READY_TIMEOUT_MS = 60_000;

export interface LocalStackOptions {
  /** Port for Kinesis on 127.0.0.1; 0 picks a free one. Default 4568. */
  kinesisPort?: number;
  /** Port for DynamoDB on 127.0.0.1; 0 picks a free one. Default 4570. */
  dynamodbPort?: number;
  /** Keep state across restarts in this folder; in memory when absent. */
  dataDir?: string;
  /** Receives every line the emulators print. */
  onOutput?: (service: string, line: string) => void;
  /** Enforce AWS's per-shard limits on Kinesis (default true). */
  shardLimits?: boolean;
  /** Multiplies every per-shard limit (default 1: AWS's own); 0.1 makes a shard take 100 records a second. */
  limitScale?: number;
  /** Faults to inject; the stack's `faults` can change them while it runs. */
  faults?: FaultPlan;
}

export interface RunningLocalStack {
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly pids: readonly number[];
  /** Whether Kinesis enforces the per-shard limits. */
  readonly shardLimits: boolean;
  readonly limitScale: number;
  /** Faults and pauses, per service and API, changeable while the stack runs. */
  readonly faults: FaultPlan;
  /** Resolves when either emulator exits by itself; tells which one and how. */
  readonly unexpectedExit: Promise<string>;
  /** Stops both emulators; resolves once both processes are gone. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts kinesis-local and dynalite as child processes bound to 127.0.0.1, each behind a
 * loopback proxy on the public port (shard limits for Kinesis, injected faults for both),
 * and waits until both answer. Busy ports are reported at once, never waited on.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const publicKinesisPort = await claimPort('Kinesis', options.kinesisPort ?? DEFAULT_KINESIS_PORT, '--kinesis-port');
  const publicDynamodbPort = await claimPort(
    'DynamoDB',
    options.dynamodbPort ?? DEFAULT_DYNAMODB_PORT,
    '--dynamodb-port',
  );
  const kinesisPort = await findFreePort();
  const dynamodbPort = await findFreePort();
  const tlsPort = await findFreePort();
  const faults = options.faults ?? new FaultPlan();
  const shardLimits = options.shardLimits ?? true;
  const limitScale = options.limitScale ?? 1;
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);

  const kinesis = EmulatorProcess.spawn(kinesisSpec(kinesisPort, tlsPort, dataDir, options.onOutput));
  const dynamodb = EmulatorProcess.spawn(dynamodbSpec(dynamodbPort, dataDir, options.onOutput));
  const emulators = [kinesis, dynamodb];
  const proxies = [
    new ServiceProxy({
      service: 'kinesis',
      upstreamPort: kinesisPort,
      faults,
      limiter: shardLimits
        ? new KinesisLimiter((stream) => listOpenShards(kinesisPort, stream), Date.now, limitScale)
        : undefined,
    }),
    new ServiceProxy({ service: 'dynamodb', upstreamPort: dynamodbPort, faults }),
  ];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const service of ['kinesis', 'dynamodb'] as const) faults.resume(service);
    await Promise.all([...proxies.map((proxy) => proxy.close()), ...emulators.map((emulator) => emulator.stop())]);
  };

  try {
    await Promise.all(emulators.map((emulator) => emulator.waitUntilReady(READY_TIMEOUT_MS)));
    await proxies[0]?.listen(publicKinesisPort);
    await proxies[1]?.listen(publicDynamodbPort);
  } catch (error) {
    await stop();
    throw error;
  }

  const unexpectedExit = Promise.race(
    emulators.map(async (emulator) => {
      await emulator.whenExited();
      return `${emulator.spec.service} exited (${emulator.describeExit()})`;
    }),
  ).then((reason) => (stopping ? new Promise<string>(() => {}) : reason));

  return {
    kinesisEndpoint: `http://${LOOPBACK}:${publicKinesisPort}`,
    dynamodbEndpoint: `http://${LOOPBACK}:${publicDynamodbPort}`,
    pids: emulators.map((emulator) => emulator.pid).filter((pid): pid is number => pid !== undefined),
    shardLimits,
    limitScale,
    faults,
    unexpectedExit,
    stop,
  };
}

async function claimPort(service: string, port: number, flag: string): Promise<number> {
  if (port === 0) return findFreePort();
  if (!(await isPortFree(port))) throw new PortInUseError(service, port, flag);
  return port;
}

function kinesisSpec(
  port: number,
  tlsPort: number,
  dataDir: string | undefined,
  onOutput: LocalStackOptions['onOutput'],
) {
  const packageDir = dirname(require.resolve('kinesis-local/package.json'));
  const env: Record<string, string> = {
    KINESIS_MOCK_CERT_PATH: join(packageDir, 'server.json'),
    KINESIS_MOCK_PLAIN_PORT: String(port),
    KINESIS_MOCK_TLS_PORT: String(tlsPort),
    AWS_REGION: 'us-east-1',
    CREATE_STREAM_DURATION: '0ms',
    DELETE_STREAM_DURATION: '0ms',
    UPDATE_SHARD_COUNT_DURATION: '0ms',
    SPLIT_SHARD_DURATION: '0ms',
    MERGE_SHARDS_DURATION: '0ms',
    UPDATE_STREAM_MODE_DURATION: '0ms',
    REGISTER_STREAM_CONSUMER_DURATION: '0ms',
    DEREGISTER_STREAM_CONSUMER_DURATION: '0ms',
    LOG_LEVEL: 'WARN',
  };
  if (dataDir !== undefined) {
    const path = join(dataDir, 'kinesis');
    mkdirSync(path, { recursive: true });
    Object.assign(env, {
      SHOULD_PERSIST_DATA: 'true',
      LOAD_DATA_IF_EXISTS: 'true',
      PERSIST_PATH: path,
      PERSIST_INTERVAL: '1s',
    });
  }
  return {
    service: 'Kinesis (kinesis-local)',
    script: join(packageDir, 'main.js'),
    args: [],
    env,
    endpoint: `http://${LOOPBACK}:${port}`,
    onOutput: onOutput && ((line: string) => onOutput('kinesis', line)),
  };
}

function dynamodbSpec(port: number, dataDir: string | undefined, onOutput: LocalStackOptions['onOutput']) {
  const args = [
    '--host',
    LOOPBACK,
    '--port',
    String(port),
    '--createTableMs',
    '0',
    '--deleteTableMs',
    '0',
    '--updateTableMs',
    '0',
  ];
  if (dataDir !== undefined) {
    const path = join(dataDir, 'dynamodb');
    mkdirSync(path, { recursive: true });
    args.push('--path', path);
  }
  return {
    service: 'DynamoDB (dynalite)',
    script: require.resolve('dynalite/cli.js'),
    args,
    env: {},
    endpoint: `http://${LOOPBACK}:${port}`,
    onOutput: onOutput && ((line: string) => onOutput('dynamodb', line)),
  };
}

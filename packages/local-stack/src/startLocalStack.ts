import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { LOCAL_DYNAMODB_PORT, LOCAL_KINESIS_PORT } from '@stock-trades/core';
import { EmulatorProcess } from './EmulatorProcess.js';
import { EmulatorStartError, PortInUseError } from './errors.js';
import { awaitFreshSave, KINESIS_SAVE_FILE, restoreSave } from './kinesisSaves.js';
import { findFreePort, isPortFree, LOOPBACK } from './ports.js';
import { FaultPlan } from './proxy/FaultPlan.js';
import { KinesisLimiter } from './proxy/KinesisLimiter.js';
import { listOpenShards } from './proxy/listOpenShards.js';
import { ServiceProxy } from './proxy/ServiceProxy.js';
import { SHARD_LIMITS } from './proxy/ShardLimits.js';
import { FAN_OUT_BYTES_PER_SECOND } from './proxy/Subscriptions.js';

const require = createRequire(import.meta.url);

export const DEFAULT_KINESIS_PORT = LOCAL_KINESIS_PORT;
export const DEFAULT_DYNAMODB_PORT = LOCAL_DYNAMODB_PORT;
const READY_TIMEOUT_MS = 60_000;
/** How often kinesis-local saves to its data folder (it does not save on exit). */
const KINESIS_PERSIST_MS = 1000;

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
  /**
   * The emulators' own addresses, behind the proxies: no shard limits, no faults, no counters. For
   * benchmarks that measure the emulators alone (`pnpm bench peer`'s raw mode); users and tests use the
   * endpoints above.
   */
  readonly emulatorEndpoints: { readonly kinesis: string; readonly dynamodb: string };
  readonly pids: readonly number[];
  /** Whether Kinesis enforces the per-shard limits. */
  readonly shardLimits: boolean;
  readonly limitScale: number;
  /** Faults and pauses, per service and API, changeable while the stack runs. */
  readonly faults: FaultPlan;
  /** Resolves when either emulator exits by itself; tells which one and how. */
  readonly unexpectedExit: Promise<string>;
  /**
   * Stops one emulator and starts it again on the same port and data folder, as a
   * restart of `pnpm stack --data` would: an outage of that service for its clients
   * (the proxy stays, and answers 502 while the emulator is down). `downMs` keeps it
   * down that long before starting it again. Without a data folder its state is lost.
   */
  restart(service: 'kinesis' | 'dynamodb', downMs?: number): Promise<void>;
  /** Stops both emulators; resolves once both processes are gone. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts kinesis-local and dynalite as child processes bound to 127.0.0.1, each behind a
 * loopback proxy on the public port (shard limits for Kinesis, injected faults for both),
 * and waits until both answer. Busy ports are reported at once, never waited on.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  // A port asked for is checked at once (a busy one is reported before anything starts); port 0 is left to the proxy
  // to bind, so no other process can take it between a check and the bind (an outgoing connection's local port, say).
  let publicKinesisPort = await claimPort('Kinesis', options.kinesisPort ?? DEFAULT_KINESIS_PORT, '--kinesis-port');
  let publicDynamodbPort = await claimPort(
    'DynamoDB',
    options.dynamodbPort ?? DEFAULT_DYNAMODB_PORT,
    '--dynamodb-port',
  );
  const faults = options.faults ?? new FaultPlan();
  const shardLimits = options.shardLimits ?? true;
  const limitScale = options.limitScale ?? 1;
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);

  const { specs, running } = await startEmulators(dataDir, options.onOutput);
  const kinesisPort = specs.kinesis.port;
  const dynamodbPort = specs.dynamodb.port;
  const emulators = () => [running.kinesis, running.dynamodb];
  const limiter = shardLimits
    ? new KinesisLimiter((stream) => listOpenShards(kinesisPort, stream), Date.now, limitScale)
    : undefined;
  const proxies = [
    new ServiceProxy({
      service: 'kinesis',
      upstreamPort: kinesisPort,
      faults,
      limiter,
      // Enhanced fan-out: each consumer's own 2 MiB/s per shard, scaled as the other limits are.
      // Its reads are counted per consumer beside the polling readers' (when the stack counts at all: with limits on).
      fanOut: {
        bytesPerSecond: shardLimits ? FAN_OUT_BYTES_PER_SECOND * limitScale : undefined,
        traffic: limiter?.traffic,
      },
      shardTraffic: () =>
        limiter?.report() ?? {
          shardLimits: false,
          writeRecordsPerSecond: SHARD_LIMITS.writeRecordsPerSecond,
          writeBytesPerSecond: SHARD_LIMITS.writeBytesPerSecond,
          readCallsPerSecond: SHARD_LIMITS.readCallsPerSecond,
          streams: {},
        },
    }),
    new ServiceProxy({ service: 'dynamodb', upstreamPort: dynamodbPort, faults }),
  ];
  let stopping = false;
  /** Both emulators answered and the proxies listen: from then on their state is worth keeping. */
  let started = false;
  const proxyOf = { kinesis: proxies[0], dynamodb: proxies[1] };
  /**
   * Stops one emulator. With a data folder, nothing it acknowledged is lost: calls are held
   * at the proxy and those under way answered; then, for Kinesis, a whole save taken after
   * that is kept and put back once it has stopped. kinesis-local saves every second, not
   * on exit, and rewrites its file in place: stopped at any moment it lost the last
   * second's records, or left a file cut short that it could not start from. Calls held
   * stay held; the caller resumes the service.
   */
  const stopEmulator = async (service: 'kinesis' | 'dynamodb') => {
    const emulator = running[service];
    if (dataDir === undefined || !started || emulator.hasExited) return emulator.stop();
    faults.pause(service);
    await proxyOf[service]?.whenIdle();
    if (service === 'dynamodb') return emulator.stop();
    const file = join(dataDir, 'kinesis', KINESIS_SAVE_FILE);
    const save = await awaitFreshSave(file, Date.now(), 10 * KINESIS_PERSIST_MS + 5000);
    await emulator.stop();
    if (save) await restoreSave(file, save);
  };
  const stop = async () => {
    stopping = true;
    await Promise.all([...(['kinesis', 'dynamodb'] as const).map(stopEmulator)]);
    for (const service of ['kinesis', 'dynamodb'] as const) faults.resume(service);
    await Promise.all(proxies.map((proxy) => proxy.close()));
  };

  try {
    publicKinesisPort = (await proxies[0]?.listen(publicKinesisPort)) ?? publicKinesisPort;
    publicDynamodbPort = (await proxies[1]?.listen(publicDynamodbPort)) ?? publicDynamodbPort;
    started = true;
  } catch (error) {
    await stop();
    throw error;
  }

  // An emulator stopped on purpose (the stack stopping, or restarting it) has not exited unexpectedly.
  const restarting = new Set<EmulatorProcess>();
  let exitedUnexpectedly: (reason: string) => void = () => {};
  const unexpectedExit = new Promise<string>((resolve) => {
    exitedUnexpectedly = resolve;
  });
  const watch = (emulator: EmulatorProcess) => {
    void emulator.whenExited().then(() => {
      if (!stopping && !restarting.has(emulator))
        exitedUnexpectedly(`${emulator.spec.service} exited (${emulator.describeExit()})`);
    });
  };
  for (const emulator of emulators()) watch(emulator);
  const restart = async (service: 'kinesis' | 'dynamodb', downMs = 0) => {
    const old = running[service];
    restarting.add(old);
    const paused = faults.isPaused(service);
    await stopEmulator(service);
    // Calls held for the save now meet the stopped emulator (the proxy answers 502): an outage, as clients see one.
    if (!paused) faults.resume(service);
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    if (stopping) return;
    const fresh = EmulatorProcess.spawn(specs[service]);
    running[service] = fresh;
    watch(fresh);
    await fresh.waitUntilReady(READY_TIMEOUT_MS);
  };

  return {
    kinesisEndpoint: `http://${LOOPBACK}:${publicKinesisPort}`,
    dynamodbEndpoint: `http://${LOOPBACK}:${publicDynamodbPort}`,
    emulatorEndpoints: { kinesis: specs.kinesis.endpoint, dynamodb: specs.dynamodb.endpoint },
    get pids() {
      return emulators()
        .map((emulator) => emulator.pid)
        .filter((pid): pid is number => pid !== undefined);
    },
    shardLimits,
    limitScale,
    faults,
    unexpectedExit,
    restart,
    stop,
  };
}

async function claimPort(service: string, port: number, flag: string): Promise<number> {
  if (port !== 0 && !(await isPortFree(port))) throw new PortInUseError(service, port, flag);
  return port;
}

/** Tries at starting both emulators: their ports are found free, then bound by them a moment later. */
const EMULATOR_START_ATTEMPTS = 3;

/**
 * Spawns both emulators on free ports and waits until both answer. A port found free may be
 * taken before the emulator binds it (by any process's outgoing connection): an emulator
 * that exits while starting is started again, with both on fresh ports.
 */
async function startEmulators(dataDir: string | undefined, onOutput: LocalStackOptions['onOutput']) {
  for (let attempt = 1; ; attempt++) {
    const specs = {
      kinesis: kinesisSpec(await findFreePort(), await findFreePort(), dataDir, onOutput),
      dynamodb: dynamodbSpec(await findFreePort(), dataDir, onOutput),
    };
    const running = { kinesis: EmulatorProcess.spawn(specs.kinesis), dynamodb: EmulatorProcess.spawn(specs.dynamodb) };
    try {
      await Promise.all(
        [running.kinesis, running.dynamodb].map((emulator) => emulator.waitUntilReady(READY_TIMEOUT_MS)),
      );
      return { specs, running };
    } catch (error) {
      const exitedStarting = [running.kinesis, running.dynamodb].some((emulator) => emulator.hasExited);
      await Promise.all([running.kinesis.stop(), running.dynamodb.stop()]);
      if (!(error instanceof EmulatorStartError && exitedStarting) || attempt >= EMULATOR_START_ATTEMPTS) throw error;
    }
  }
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
      PERSIST_INTERVAL: `${KINESIS_PERSIST_MS / 1000}s`,
    });
  }
  return {
    service: 'Kinesis (kinesis-local)',
    port,
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
    port,
    script: require.resolve('dynalite/cli.js'),
    args,
    env: {},
    endpoint: `http://${LOOPBACK}:${port}`,
    onOutput: onOutput && ((line: string) => onOutput('dynamodb', line)),
  };
}

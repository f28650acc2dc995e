import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { localClients, StreamAdmin } from '@stock-trades/aws';
import {
  DynamoLeaseStore,
  KinesisStreamPort,
  type Logger,
  Scheduler,
  type ShardRecordProcessor,
  schedulerConfig,
} from '@stock-trades/kcl';
import { startLocalStack } from '@stock-trades/local-stack';
import { produceInProcess } from './benchPipeline.js';

const PEER = 'lifion-kinesis';
const PEER_VERSION = '1.3.3';
/** Where the peer is installed, for this benchmark only: gitignored, outside the workspace's packages and lockfile. */
const PEER_DIR = fileURLToPath(new URL('../../bench/.peer/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const CHILD_FLAG = '--peer-child';
const RESULT_PREFIX = 'PEER-RESULT ';

const SHARDS = 4;
const BACKLOG = 20_000;
/**
 * `PEER_ROUNDS` (default 3), `PEER_LIMITS=on|off|both` (default on: the stack as users run it) and
 * `PEER_PATH=proxy|raw|both` (default both: through the stack's proxy, and straight to the emulators behind it, which
 * no proxy pages or limits) change what a run measures; `PEER_CPU_PROF_DIR=<dir>` writes a CPU profile of every contender's process there; `PEER_TRACE=1` prints
 * our worker's log lines with the time since start; `PEER_HTTP_TRACE=1` every call each contender sends, with when it went out
 * and when its answer was in; `PEER_MAX_RECORDS=<n>` sets our `maxRecords` (default: the KCL's
 * 10,000, as a stranger runs it) and `PEER_POLL_MIN_MS=<ms>` our `pollMinMs` (default 200).
 */
const ROUNDS = Number(process.env.PEER_ROUNDS ?? 3);
const LIMITS = { on: [true], off: [false], both: [true, false] }[process.env.PEER_LIMITS ?? 'on'] ?? [true];
const PATHS = { proxy: ['proxy'], raw: ['raw'], both: ['proxy', 'raw'] }[process.env.PEER_PATH ?? 'both'] ?? [
  'proxy',
  'raw',
];
/** After the result, how long a contender's process may take to exit on its own before it is killed. */
const EXIT_GRACE_MS = 3000;
const RUN_TIMEOUT_MS = 120_000;

type Contender = 'ours' | 'lifion';

interface ChildSpec {
  readonly contender: Contender;
  readonly stream: string;
  /** Names the lease/state table (and lifion's consumer group): fresh per run, as for a new user. */
  readonly name: string;
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly expected: number;
}

interface RunResult {
  /** From the start call (scheduler.run / startConsumer) to the first record handed to user code. */
  readonly firstRecordMs: number;
  /** From the start call until every record (unique sequence numbers) was handed over. */
  readonly allRecordsMs: number;
  /** Records / (all − first), as the issue measured "once reading". */
  readonly drainPerSecond: number;
  /** From the start call until the contender sent its first GetRecords (seen on the wire, in its process). */
  readonly firstReadAskedMs: number;
  /** Records / (all − first GetRecords sent): how fast the emulator served it once it asked, whenever a page landed. */
  readonly readingPerSecond: number;
  /** GetRecords calls sent. */
  readonly getRecordsCalls: number;
  /** For each GetRecords that carried records, in order: the time from sending it to its answer being in (ms). */
  readonly fullPageAnswerMs: readonly number[];
  /** Records between the 10 % and the 90 % mark / the time between them. */
  readonly steadyPerSecond: number;
  /** Deliveries (processRecords calls / data events) that carried records. */
  readonly deliveries: number;
  readonly duplicates: number;
  readonly warnings: number;
  /** The first few warnings' messages (throttling, retries), to tell what they were. */
  readonly warningMessages: readonly string[];
  /** From the stop call until it returned (ours: run() resolved; lifion's stopConsumer is synchronous). */
  readonly stopMs: number;
}

interface Measured extends RunResult {
  readonly contender: Contender;
  readonly round: number;
  /** Whether the contender's process ended by itself within EXIT_GRACE_MS of stopping. */
  readonly exitedCleanly: boolean;
}

/**
 * Our kcl against lifion-kinesis 1.3.3, side by side in one run on the embedded stack:
 * a fresh 4-shard stream with a 20,000-record backlog per run, each contender in a
 * process of its own (as a new user starts one), rounds alternating who goes first;
 * with the shard limits on (as users run the stack) and off.
 */
export async function benchPeer(): Promise<object> {
  console.log(`peer: our kcl vs ${PEER} ${PEER_VERSION}, ${SHARDS} shards, ${BACKLOG} records backlog`);
  await installPeer();
  const proxy = PATHS.includes('proxy');
  const limitsOn = proxy && LIMITS.includes(true) ? await benchWithStack(true, 'proxy') : undefined;
  const limitsOff = proxy && LIMITS.includes(false) ? await benchWithStack(false, 'proxy') : undefined;
  // Straight to kinesis-local and dynalite: what the two libraries cost, with no proxy's paging or limits between.
  const raw = PATHS.includes('raw') ? await benchWithStack(false, 'raw') : undefined;
  return {
    peer: `${PEER}@${PEER_VERSION}`,
    shards: SHARDS,
    backlog: BACKLOG,
    rounds: ROUNDS,
    limitsOn,
    limitsOff,
    raw,
    goal: 'ours: all records <= 0.8 x lifion and drain >= lifion, first record <= lifion (each path)',
  };
}

/** npm-installs the peer into bench/.peer once (never into the workspace); later runs reuse it. */
async function installPeer(): Promise<void> {
  const manifest = join(PEER_DIR, 'node_modules', PEER, 'package.json');
  if (
    existsSync(manifest) &&
    (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version === PEER_VERSION
  )
    return;
  mkdirSync(PEER_DIR, { recursive: true });
  console.log(`  installing ${PEER}@${PEER_VERSION} into ${PEER_DIR} (benchmark only)`);
  await promisify(execFile)(
    'npm',
    [
      'install',
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      '--prefix',
      PEER_DIR,
      `${PEER}@${PEER_VERSION}`,
    ],
    { cwd: PEER_DIR },
  );
}

async function benchWithStack(shardLimits: boolean, path: 'proxy' | 'raw') {
  console.log(
    path === 'raw' ? '  raw emulators (no proxy):' : `  through the proxy, shard limits ${shardLimits ? 'on' : 'off'}:`,
  );
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, shardLimits });
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  const streams = new StreamAdmin(clients);
  const tag = path === 'raw' ? 'Raw' : shardLimits ? 'On' : 'Off';
  const endpoints =
    path === 'raw'
      ? { kinesisEndpoint: stack.emulatorEndpoints.kinesis, dynamodbEndpoint: stack.emulatorEndpoints.dynamodb }
      : { kinesisEndpoint: stack.kinesisEndpoint, dynamodbEndpoint: stack.dynamodbEndpoint };
  const runs: Measured[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order: Contender[] = round % 2 === 0 ? ['ours', 'lifion'] : ['lifion', 'ours'];
      for (const contender of order) {
        // kinesis-local slows down as a stream fills, and neither contender may find the other's state: all fresh.
        const stream = `Peer${tag}${round}${contender}`;
        await streams.create(stream, { capacity: 'PROVISIONED', shards: SHARDS });
        await streams.waitUntilActive(stream);
        const writing = performance.now();
        await produceInProcess(clients, stream, { count: BACKLOG, seed: round + 1 });
        const writeMs = performance.now() - writing;
        const measured = await runContender(
          {
            contender,
            stream,
            name: `${stream}App`,
            ...endpoints,
            expected: BACKLOG,
          },
          round,
        );
        runs.push(measured);
        // kinesis-local allows 50 shards in all: each stream goes once its contender is done.
        await streams.delete(stream);
        await streams.waitUntilGone(stream);
        console.log(
          `    round ${round + 1} ${contender.padEnd(6)} first ${ms(measured.firstRecordMs)}, all ${ms(measured.allRecordsMs)}, drain ${Math.round(measured.drainPerSecond)}/s (steady ${Math.round(measured.steadyPerSecond)}/s); first GetRecords sent ${ms(measured.firstReadAskedMs)}, ${Math.round(measured.readingPerSecond)}/s from it, ${measured.getRecordsCalls} GetRecords, pages answered in ${measured.fullPageAnswerMs.join('/')} ms; ${measured.deliveries} deliveries, ${measured.warnings} warnings${measured.exitedCleanly ? '' : ', did not exit (killed)'} [backlog written in ${ms(writeMs)}]`,
        );
      }
    }
  } finally {
    clients.destroy();
    await stack.stop();
  }
  const ours = summarize(runs.filter((run) => run.contender === 'ours'));
  const lifion = summarize(runs.filter((run) => run.contender === 'lifion'));
  const allRatio = ours.allRecordsMs / lifion.allRecordsMs;
  const firstRatio = ours.firstRecordMs / lifion.firstRecordMs;
  const drainRatio = ours.drainPerSecond / lifion.drainPerSecond;
  const readingRatio = ours.readingPerSecond / lifion.readingPerSecond;
  const met = allRatio <= 0.8 && drainRatio >= 1 && ours.firstRecordMs <= lifion.firstRecordMs;
  console.log(
    `    medians: first record ours ${ms(ours.firstRecordMs)} vs lifion ${ms(lifion.firstRecordMs)}; all records ours ${ms(ours.allRecordsMs)} vs lifion ${ms(lifion.allRecordsMs)} (ours/lifion ${allRatio.toFixed(2)}, goal <= 0.80); drain ours ${Math.round(ours.drainPerSecond)}/s vs lifion ${Math.round(lifion.drainPerSecond)}/s (${drainRatio.toFixed(2)}, goal >= 1) — goal ${met ? 'met' : 'NOT met'}; from the first GetRecords sent (ours ${ms(ours.firstReadAskedMs)}, lifion ${ms(lifion.firstReadAskedMs)}): ours ${Math.round(ours.readingPerSecond)}/s vs lifion ${Math.round(lifion.readingPerSecond)}/s (${readingRatio.toFixed(2)})`,
  );
  return {
    path,
    shardLimits,
    ours,
    lifion,
    allRecordsRatio: allRatio,
    firstRecordRatio: firstRatio,
    drainRatio,
    readingRatio,
    goalMet: met,
    runs,
  };
}

function summarize(runs: Measured[]) {
  type Figure =
    | 'firstRecordMs'
    | 'allRecordsMs'
    | 'drainPerSecond'
    | 'firstReadAskedMs'
    | 'readingPerSecond'
    | 'steadyPerSecond'
    | 'deliveries'
    | 'stopMs';
  const of = (key: Figure) => median(runs.map((run) => run[key]));
  return {
    firstRecordMs: of('firstRecordMs'),
    allRecordsMs: of('allRecordsMs'),
    drainPerSecond: of('drainPerSecond'),
    firstReadAskedMs: of('firstReadAskedMs'),
    readingPerSecond: of('readingPerSecond'),
    steadyPerSecond: of('steadyPerSecond'),
    deliveries: of('deliveries'),
    stopMs: of('stopMs'),
    exitedCleanly: runs.every((run) => run.exitedCleanly),
  };
}

/** The backlog, written by our producer (`--rate max`, random keys, plain records): it resends what Kinesis refuses. */
/** Runs one contender in a Node process of its own and reads its result; kills it if it does not exit by itself. */
function runContender(spec: ChildSpec, round: number): Promise<Measured> {
  const profileDir = process.env.PEER_CPU_PROF_DIR;
  const execArgv = [...process.execArgv, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
  const child = spawn(process.execPath, [...execArgv, SELF, CHILD_FLAG, JSON.stringify(spec)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (process.env.PEER_TRACE === '1' || process.env.PEER_HTTP_TRACE === '1') process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise<Measured>((resolve, reject) => {
    const fail = (why: string) => {
      child.kill('SIGKILL');
      reject(new Error(`${spec.contender} on ${spec.stream}: ${why}\n${stderr.split('\n').slice(-15).join('\n')}`));
    };
    const timeout = setTimeout(() => fail(`no result within ${RUN_TIMEOUT_MS} ms`), RUN_TIMEOUT_MS);
    const lookForResult = () => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
      if (!line) return;
      child.stdout.off('data', lookForResult);
      clearTimeout(timeout);
      const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult;
      const grace = new Promise<'late'>((late) => setTimeout(() => late('late'), EXIT_GRACE_MS).unref());
      void Promise.race([exited, grace]).then((outcome) => {
        if (outcome === 'late') child.kill('SIGKILL');
        resolve({ contender: spec.contender, round, ...result, exitedCleanly: outcome !== 'late' });
      });
    };
    child.stdout.on('data', lookForResult);
    void exited.then((code) => {
      if (!stdout.includes(RESULT_PREFIX)) fail(`exited (${code}) without a result`);
    });
  });
}

/** Counts unique sequence numbers as they are handed to user code, with the times that matter. */
class Tracker {
  private readonly seen = new Set<string>();
  private readonly marks = new Map<number, number>();
  startedAt = Number.NaN;
  private firstAt: number | undefined;
  private firstReadAskedAt: number | undefined;
  private getRecordsCalls = 0;
  private readonly fullPageAnswerMs: number[] = [];
  private finish: () => void = () => {};
  readonly done = new Promise<void>((resolve) => {
    this.finish = resolve;
  });
  deliveries = 0;
  duplicates = 0;
  warnings = 0;
  private readonly warningMessages: string[] = [];

  constructor(private readonly expected: number) {}

  /** Right before the contender's start call. */
  start(): void {
    this.startedAt = performance.now();
  }

  /** A GetRecords sent at `askedAt` was answered at `answeredAt` with a body of `bytes`. */
  read(askedAt: number, answeredAt: number, bytes: number): void {
    this.firstReadAskedAt ??= askedAt;
    this.getRecordsCalls++;
    // An empty page is a few hundred bytes; one with records, at least the size of one record.
    if (bytes > 1000) this.fullPageAnswerMs.push(Math.round(answeredAt - askedAt));
  }

  deliver(sequenceNumbers: readonly string[]): void {
    if (sequenceNumbers.length === 0) return;
    const now = performance.now();
    this.firstAt ??= now;
    this.deliveries++;
    for (const sequenceNumber of sequenceNumbers) {
      if (this.seen.has(sequenceNumber)) this.duplicates++;
      else this.seen.add(sequenceNumber);
    }
    for (const share of [0.1, 0.9, 1]) {
      if (!this.marks.has(share) && this.seen.size >= share * this.expected) this.marks.set(share, now);
    }
    if (this.seen.size >= this.expected) this.finish();
  }

  warn(message: unknown): void {
    this.warnings++;
    if (this.warningMessages.length < 5) this.warningMessages.push(String(message).split('\n')[0]?.slice(0, 200) ?? '');
  }

  result(stopMs: number): RunResult {
    const first = (this.firstAt ?? Number.NaN) - this.startedAt;
    const all = (this.marks.get(1) ?? Number.NaN) - this.startedAt;
    const steadyMs = (this.marks.get(0.9) ?? Number.NaN) - (this.marks.get(0.1) ?? Number.NaN);
    const firstReadAsked = (this.firstReadAskedAt ?? Number.NaN) - this.startedAt;
    return {
      firstRecordMs: first,
      allRecordsMs: all,
      drainPerSecond: this.expected / ((all - first) / 1000),
      firstReadAskedMs: firstReadAsked,
      readingPerSecond: this.expected / ((all - firstReadAsked) / 1000),
      getRecordsCalls: this.getRecordsCalls,
      fullPageAnswerMs: this.fullPageAnswerMs,
      steadyPerSecond: (0.8 * this.expected) / (steadyMs / 1000),
      deliveries: this.deliveries,
      duplicates: this.duplicates,
      warnings: this.warnings,
      warningMessages: this.warningMessages,
      stopMs,
    };
  }
}

/** Ours, as a stranger uses it: the public exports, default settings, the README's processor (checkpoint every call). */
async function runOurs(spec: ChildSpec): Promise<RunResult> {
  // The SDK clients a user builds: endpoint, region, fake credentials, HTTP/1.1 (kinesis-local fails the SDK's HTTP/2).
  const clients = localClients(spec.kinesisEndpoint, spec.dynamodbEndpoint);
  const stop = new AbortController();
  const tracker = new Tracker(spec.expected);
  watchReads(tracker, spec.contender);
  const trace = (fields: object, message: string) =>
    process.env.PEER_TRACE === '1' &&
    process.stderr.write(
      `${(performance.now() - tracker.startedAt).toFixed(0)} ms ${message} ${JSON.stringify(fields)}\n`,
    );
  const log: Logger = {
    debug: trace,
    info: trace,
    warn: (_fields, message) => tracker.warn(message),
    error: (_fields, message) => tracker.warn(message),
  };
  const processor = (): ShardRecordProcessor => ({
    initialize: () => {},
    processRecords: async ({ records, checkpointer }) => {
      tracker.deliver(records.map((record) => record.sequenceNumber));
      await checkpointer.checkpoint();
    },
    leaseLost: () => {},
    shardEnded: async ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: async ({ checkpointer }) => checkpointer.checkpoint(),
  });
  const scheduler = new Scheduler(
    schedulerConfig({
      applicationName: spec.name,
      streamName: spec.stream,
      workerId: 'peer-bench',
      ...(process.env.PEER_MAX_RECORDS ? { maxRecords: Number(process.env.PEER_MAX_RECORDS) } : {}),
      ...(process.env.PEER_POLL_MIN_MS ? { pollMinMs: Number(process.env.PEER_POLL_MIN_MS) } : {}),
    }),
    {
      stream: new KinesisStreamPort({ streamName: spec.stream, kinesisClient: clients.kinesis }),
      store: new DynamoLeaseStore({ tableName: spec.name, dynamodbClient: clients.dynamodb }),
      processorFactory: processor,
      log,
    },
  );
  tracker.start();
  const running = scheduler.run(stop.signal);
  await tracker.done;
  const stopping = performance.now();
  stop.abort();
  await running;
  const stopMs = performance.now() - stopping;
  clients.destroy();
  return tracker.result(stopMs);
}

/** The little of lifion-kinesis (untyped) this benchmark uses. */
interface LifionKinesis {
  startConsumer(): Promise<void>;
  stopConsumer(): void;
  on(
    event: 'data',
    listener: (chunk: { readonly records: ReadonlyArray<{ readonly sequenceNumber: string }> }) => void,
  ): this;
  on(event: 'error', listener: (error: Error) => void): this;
}
type LifionKinesisClass = new (options: Record<string, unknown>) => LifionKinesis;

/** lifion-kinesis as its README sets it up, pointed at the embedded stack; JSON parsing off (ours parses nothing either). */
async function runLifion(spec: ChildSpec): Promise<RunResult> {
  const requirePeer = createRequire(join(PEER_DIR, 'package.json'));
  const Kinesis = requirePeer(PEER) as LifionKinesisClass;
  const credentials = { region: 'us-east-1', accessKeyId: 'local', secretAccessKey: 'local' };
  const tracker = new Tracker(spec.expected);
  watchReads(tracker, spec.contender);
  const consumer = new Kinesis({
    ...credentials,
    endpoint: spec.kinesisEndpoint,
    streamName: spec.stream,
    consumerGroup: spec.name,
    createStreamIfNeeded: false,
    initialPositionInStream: 'TRIM_HORIZON',
    shouldParseJson: false,
    useEnhancedFanOut: false,
    dynamoDb: { ...credentials, endpoint: spec.dynamodbEndpoint, tableName: spec.name },
    logger: { warn: (message: unknown) => tracker.warn(message), error: (message: unknown) => tracker.warn(message) },
  });
  consumer.on('data', (chunk) => tracker.deliver(chunk.records.map((record) => record.sequenceNumber)));
  consumer.on('error', (error) => tracker.warn(error.message));
  tracker.start();
  await consumer.startConsumer();
  await tracker.done;
  const stopping = performance.now();
  consumer.stopConsumer();
  return tracker.result(performance.now() - stopping);
}

/**
 * Sees the contender's Kinesis calls on the wire, whatever SDK it uses (both send through node:http): when each
 * GetRecords went out and when its answer was in, for the figures that tell the library's pace from the emulator's.
 * `PEER_HTTP_TRACE=1` also prints every call (target, sent, answered, bytes) on stderr.
 */
function watchReads(tracker: Tracker, contender: Contender): void {
  const original = http.request;
  (http as { request: unknown }).request = (...args: Parameters<typeof http.request>) => {
    const askedAt = performance.now();
    const headers = (args[0] as { headers?: Record<string, string | undefined> }).headers ?? {};
    const target = headers['x-amz-target'] ?? headers['X-Amz-Target'] ?? '?';
    const request = original(...args);
    request.on('response', (response) => {
      // Only 'end' is listened to: a 'data' listener would take the body from the SDK.
      response.on('end', () => {
        const answeredAt = performance.now();
        const bytes = Number(response.headers['content-length'] ?? 0);
        if (target.endsWith('.GetRecords')) tracker.read(askedAt, answeredAt, bytes);
        if (process.env.PEER_HTTP_TRACE === '1') {
          const since = (at: number) => (at - tracker.startedAt).toFixed(0);
          process.stderr.write(
            `HTTP ${contender} ${target} sent ${since(askedAt)} ms, answered ${since(answeredAt)} ms, ${bytes} bytes\n`,
          );
        }
      });
    });
    return request;
  };
}

async function child(spec: ChildSpec): Promise<void> {
  const result = spec.contender === 'ours' ? await runOurs(spec) : await runLifion(spec);
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function ms(value: number): string {
  return `${(value / 1000).toFixed(2)} s`;
}

if (process.argv[2] === CHILD_FLAG) await child(JSON.parse(process.argv[3] ?? '{}') as ChildSpec);

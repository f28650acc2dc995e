/**
 * `pnpm demo`: the whole pipeline, in one command, on the embedded stack. Starts
 * kinesis-local and dynalite on free ports, creates the streams (4 shards), starts the
 * dashboard (its URL first), then runs the producer, two consumer workers and the
 * aggregator as separate processes with a compressed window, showing per-shard and
 * all-shard stats as they close. On a terminal, keys drive the instructor actions. After
 * --duration (or on Ctrl-C) it stops everything in order, tears down, and exits 0.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emitKeypressEvents } from 'node:readline';
import {
  LOCAL_DYNAMODB_ENDPOINT_ENV,
  LOCAL_KINESIS_ENDPOINT_ENV,
  localClients,
  localTargetEnv,
  StreamAdmin,
  TableAdmin,
} from '@stock-trades/aws';
import { ExitCode, runProgram, shutdownSignal } from '@stock-trades/cli-kit';
import {
  AGGREGATOR_APPLICATION,
  CONSUMER_APPLICATION,
  DASHBOARD_PORT,
  PROJECT_RESOURCES,
  parseDuration,
  parseNumber,
  STATS_STREAM_NAME,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { createProjectResources } from '@stock-trades/create-stream';
import { type ActionRequest, DashboardError, Fleet, InstructorActions, startDashboard } from '@stock-trades/dashboard';
import { systemClock } from '@stock-trades/kcl';
import { startLocalStack } from '@stock-trades/local-stack';
import { embeddedPutPayloadUnits, runTeardown } from '@stock-trades/teardown';
import { Command, Option } from 'commander';

/** Lease events worth showing from the workers' logs. */
const LEASE_EVENTS = /\b(took lease|stole lease|released lease|lost lease)\b/;

interface DemoOptions {
  durationMs: number | undefined;
  windowMs: number;
  rate: number;
  shards: number;
  /** undefined: no dashboard. */
  dashboardPort: number | undefined;
  /** How the workers and the aggregator read: polling (the tutorial's) or enhanced fan-out. */
  retrieval: 'polling' | 'fan-out';
}

const HOUR = 3_600_000;
const say = (line: string) => process.stdout.write(`${line}\n`);

/** The keys `pnpm demo` answers to on a terminal: the dashboard's buttons, from the keyboard. */
const KEYS: Readonly<Record<string, { help: string; request: (fleet: Fleet) => ActionRequest | undefined }>> = {
  a: { help: 'add a worker', request: () => ({ action: 'add-worker' }) },
  k: { help: 'kill a worker (SIGKILL)', request: (fleet) => lastWorker(fleet, 'kill-worker') },
  s: { help: 'stop a worker cleanly', request: (fleet) => lastWorker(fleet, 'stop-worker') },
  p: { help: 'pause a worker (lag)', request: (fleet) => lastWorker(fleet, 'pause-worker') },
  d: { help: 'double the shards', request: () => ({ action: 'reshard', direction: 'double' }) },
  h: { help: 'halve the shards', request: () => ({ action: 'reshard', direction: 'halve' }) },
  '+': {
    help: 'double the rate',
    request: (fleet) => ({ action: 'set-rate', rate: Math.min(5000, fleet.producerRate * 2) }),
  },
  '-': {
    help: 'halve the rate',
    request: (fleet) => ({ action: 'set-rate', rate: Math.max(1, Math.round(fleet.producerRate / 2)) }),
  },
  m: { help: 'send 5 malformed records', request: () => ({ action: 'inject-malformed', count: 5 }) },
};

function lastWorker(fleet: Fleet, action: 'kill-worker' | 'stop-worker' | 'pause-worker'): ActionRequest | undefined {
  const worker = fleet.processes.filter((process) => process.role === 'worker' && process.running).at(-1);
  return worker ? { action, worker: worker.name } : undefined;
}

/** On a terminal, one key per action (Ctrl-C still stops); elsewhere nothing. Returns how to stop listening. */
function listenForKeys(fleet: Fleet, actions: InstructorActions): () => void {
  if (!process.stdin.isTTY) return () => {};
  emitKeypressEvents(process.stdin);
  process.stdin.setRawMode(true);
  const onKey = (key: string, info: { ctrl?: boolean; name?: string }) => {
    if (info?.ctrl && info.name === 'c') {
      process.kill(process.pid, 'SIGINT');
      return;
    }
    const request = KEYS[key]?.request(fleet);
    if (!request) return;
    actions.run(request).then(
      (message) => say(`[you]         ${message}`),
      (error: unknown) => say(`[you]         refused: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  process.stdin.on('keypress', onKey);
  say(
    `Keys: ${Object.entries(KEYS)
      .map(([key, { help }]) => `${key} ${help}`)
      .join(' · ')}`,
  );
  return () => {
    process.stdin.off('keypress', onKey);
    process.stdin.setRawMode(false);
    process.stdin.pause();
  };
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
  const window = `${options.windowMs / 1000}s`;
  const endAt = options.durationMs === undefined ? undefined : Date.now() + options.durationMs;
  const showLeases = (line: string) => LEASE_EVENTS.test(line) || /\b(ERROR|WARN)\b/.test(line);
  // Each producer run keeps a trade log here, for the dashboard's "acknowledged by Kinesis" beside each window's count.
  const tradeLogs = options.dashboardPort === undefined ? undefined : mkdtempSync(join(tmpdir(), 'stock-trades-demo-'));
  let producerRuns = 0;
  const fleet = new Fleet({
    env: localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint),
    workerArgs: (id) => [
      ...['--worker-id', id, '--window', window, '--lateness', '1s', '--log-format', 'text'],
      ...['--retrieval', options.retrieval],
    ],
    // A producer restarted at another rate keeps to the demo's end.
    producerArgs: (rate) => [
      ...['--rate', String(rate), '--aggregate'],
      ...(tradeLogs === undefined ? [] : ['--trade-log', join(tradeLogs, `producer-${++producerRuns}.jsonl`)]),
      ...(endAt === undefined ? [] : ['--duration', `${Math.max(1, endAt - Date.now())}ms`]),
    ],
    aggregatorArgs: [
      ...['--worker-id', 'aggregator', '--grace', `${Math.round(options.windowMs / 1000) + 10}s`],
      ...['--retrieval', options.retrieval, '--table'],
    ],
    onLine: (name, line, from) => {
      if (from === 'stdout' || (name === 'producer' ? /error/i.test(line) : showLeases(line))) {
        say(`${`[${name}]`.padEnd(13)} ${line}`);
      }
    },
  });
  const failed: string[] = [];
  let dashboard: Awaited<ReturnType<typeof startDashboard>> | undefined;
  let stopKeys = () => {};
  try {
    if (options.dashboardPort !== undefined) {
      dashboard = await startDashboardOn(options.dashboardPort, clients, fleet, tradeLogs);
      say(`\nDashboard: ${dashboard.url}   ← open it in a browser\n`);
    }
    say(`  Kinesis ${stack.kinesisEndpoint}, DynamoDB ${stack.dynamodbEndpoint}`);
    // Its ports are free ones: another terminal's commands (exercise 10's second application) find it with these.
    say(
      `  To join it from another terminal: export ${LOCAL_KINESIS_ENDPOINT_ENV}=${stack.kinesisEndpoint} ${LOCAL_DYNAMODB_ENDPOINT_ENV}=${stack.dynamodbEndpoint}\n`,
    );
    if (signal.aborted) return;
    say('Step 1: create the streams');
    await createProjectResources(
      clients,
      { stream: STREAM_NAME, spec: { capacity: 'PROVISIONED', shards: options.shards } },
      say,
    );

    if (signal.aborted) return;
    const seconds = options.durationMs === undefined ? 'until Ctrl-C' : `for ${options.durationMs / 1000} s`;
    say(
      `\nSteps 3-7: producer (${options.rate} trades/s ${seconds}), two consumer workers, the aggregator; ${window} windows`,
    );
    fleet.startAggregator();
    fleet.startWorker();
    fleet.startWorker();
    fleet.startProducer(options.rate);
    stopKeys = listenForKeys(fleet, new InstructorActions(fleet, clients, STREAM_NAME));

    const ended = endAt === undefined ? new Promise<void>(() => {}) : systemClock.sleep(endAt - Date.now(), signal);
    await Promise.race([ended, whenAborted(signal)]);
    const producer = fleet.find('producer');
    if (producer && (await fleet.stop(producer)) !== 0) failed.push('producer');
    if (!signal.aborted) {
      say(`\nProducer done; waiting ${options.windowMs / 1000 + 3} s for the last windows to close...`);
      await systemClock.sleep(options.windowMs + 3000, signal);
    }
  } finally {
    stopKeys();
    say('\nStopping the workers and the aggregator (they checkpoint and release their leases)...');
    const running = fleet.all.filter((process) => process.child.exitCode === null && process.child.signalCode === null);
    const aggregator = running.find((process) => process.role === 'aggregator');
    const others = running.filter((process) => process !== aggregator);
    const outcomes = await Promise.all(
      others.map(async (process) => [process.name, await fleet.stop(process)] as const),
    );
    if (aggregator) outcomes.push([aggregator.name, await fleet.stop(aggregator)]);
    for (const [name, outcome] of outcomes) {
      if (outcome === 0) continue;
      say(`(${name} exited with ${outcome})`);
      if (!failed.includes(name)) failed.push(name);
    }
    await dashboard?.stop();
    say('\nClean-up: tear down and stop the stack');
    await runTeardown(PROJECT_RESOURCES, {
      admins: { stream: new StreamAdmin(clients), table: new TableAdmin(clients) },
      confirm: async () => true,
      say: (line) => (line.startsWith('  ') && line.includes('already gone') ? undefined : say(line)),
      putPayloadUnits: () => embeddedPutPayloadUnits(stack.kinesisEndpoint),
    }).catch((error: unknown) => say(`  teardown failed: ${error instanceof Error ? error.message : String(error)}`));
    clients.destroy();
    await stack.stop();
    if (tradeLogs) rmSync(tradeLogs, { recursive: true, force: true });
    say('Embedded stack stopped. Nothing is left running.');
  }
  if (failed.length > 0) throw new DemoError(`${failed.join(', ')} did not finish cleanly; see its lines above`);
}

/** The dashboard on `port`, or on any free port when that one is taken (the demo must start). */
async function startDashboardOn(
  port: number,
  clients: ReturnType<typeof localClients>,
  fleet: Fleet,
  tradeLogs: string | undefined,
) {
  const options = {
    target: 'local' as const,
    tradeLogs,
    stream: STREAM_NAME,
    statsStream: STATS_STREAM_NAME,
    consumerTable: CONSUMER_APPLICATION,
    aggregatorTable: AGGREGATOR_APPLICATION,
    resultsTable: STATS_TABLE_NAME,
    failoverMs: 10_000,
  };
  try {
    return await startDashboard({ ...options, port }, { clients, fleet });
  } catch (error) {
    if (!(error instanceof DashboardError) || error.code !== 'PORT_IN_USE') throw error;
    say(`(port ${port} is taken: the dashboard uses another)`);
    return startDashboard({ ...options, port: 0 }, { clients, fleet });
  }
}

class DemoError extends Error {
  readonly code = 'DEMO_PROCESS_FAILED';
  override readonly name = 'DemoError';
}

const signal = shutdownSignal(() => process.exit(ExitCode.INTERRUPTED));
const program = new Command('pnpm demo')
  .description(
    'The classroom run: embedded stack, dashboard, streams, producer, two consumer workers and the aggregator, per-shard and all-shard stats as windows close, then a clean teardown',
  )
  .option('--duration <time>', 'produce trades this long, then finish by itself (default: until Ctrl-C)')
  .option('--window <time>', 'window length, compressed from the tutorial’s minute', '10s')
  .option('--rate <trades/s>', 'trades per second', '200')
  .option('--shards <n>', 'shards of StockTradeStream', '4')
  .option('--dashboard-port <port>', 'where the dashboard listens on 127.0.0.1', String(DASHBOARD_PORT))
  .option('--no-dashboard', 'run without the dashboard')
  .addOption(
    new Option('--retrieval <mode>', 'how the workers and the aggregator read: polling (the tutorial’s) or fan-out')
      .choices(['polling', 'fan-out'])
      .default('polling'),
  )
  .action(
    async (raw: {
      duration?: string;
      window: string;
      rate: string;
      shards: string;
      dashboardPort: string;
      dashboard: boolean;
      retrieval: 'polling' | 'fan-out';
    }) => {
      await runDemo(
        {
          durationMs:
            raw.duration === undefined ? undefined : parseDuration(raw.duration, '--duration', { max: 24 * HOUR }),
          windowMs: parseDuration(raw.window, '--window', { min: 1000, max: HOUR }),
          rate: parseNumber(raw.rate, '--rate', { integer: true, min: 1, max: 5000 }),
          shards: parseNumber(raw.shards, '--shards', { integer: true, min: 1, max: 16 }),
          dashboardPort: raw.dashboard
            ? parseNumber(raw.dashboardPort, '--dashboard-port', { integer: true, min: 1, max: 65535 })
            : undefined,
          retrieval: raw.retrieval,
        },
        signal,
      );
    },
  );
process.exit(await runProgram(program, process.argv));

/**
 * `pnpm lessons`: runs each classroom lesson of the README on the embedded stack as an
 * instructor would — in the dashboard, in Debian's headless Chromium at 1280×720, pressing
 * its buttons — and measures how long each takes until the page says it happened (the
 * action banner's "Done"). It saves a screenshot of each lesson's moment in docs/lessons/,
 * the measured durations in docs/lessons/timings.json, and counts the dashboard's own calls
 * to Kinesis and DynamoDB a second. Needs /usr/bin/chromium (bash scripts/ensure-chromium.sh).
 * About 8 minutes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AwsClients, localClients, localTargetEnv } from '@stock-trades/aws';
import {
  AGGREGATOR_APPLICATION,
  CONSUMER_APPLICATION,
  STATS_STREAM_NAME,
  STATS_TABLE_NAME,
  STREAM_NAME,
} from '@stock-trades/core';
import { createProjectResources } from '@stock-trades/create-stream';
import { Fleet, type RunningDashboard, startDashboard } from '@stock-trades/dashboard';
import { type RunningLocalStack, startLocalStack } from '@stock-trades/local-stack';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const OUT = fileURLToPath(new URL('../docs/lessons/', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Measured {
  readonly lesson: string;
  /** From the button press until the page said it happened. */
  readonly seconds: number;
  readonly what: string;
  readonly screenshot?: string;
}

/** A stack, the pipeline as `pnpm demo` runs it, a dashboard, and Chromium showing it. */
async function classroom(options: { limitScale?: number; shards: number; producer: () => string[] }) {
  const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, limitScale: options.limitScale });
  const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  const calls = countCalls(clients);
  await createProjectResources(
    clients,
    { stream: STREAM_NAME, spec: { capacity: 'PROVISIONED', shards: options.shards } },
    () => {},
  );
  const tradeLogs = mkdtempSync(join(tmpdir(), 'stock-trades-lessons-'));
  const results = join(mkdtempSync(join(tmpdir(), 'stock-trades-results-')), 'results.jsonl');
  let runs = 0;
  const fleet = new Fleet({
    env: localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint),
    workerArgs: (id) => ['--worker-id', id, '--window', '10s', '--lateness', '1s', '--quiet'],
    producerArgs: () => [...options.producer(), '--trade-log', join(tradeLogs, `producer-${++runs}.jsonl`)],
    aggregatorArgs: ['--worker-id', 'aggregator', '--grace', '20s', '--table', '--quiet', '--out', results],
  });
  const dashboard = await startDashboard(
    {
      target: 'local',
      port: 0,
      stream: STREAM_NAME,
      statsStream: STATS_STREAM_NAME,
      consumerTable: CONSUMER_APPLICATION,
      aggregatorTable: AGGREGATOR_APPLICATION,
      resultsTable: STATS_TABLE_NAME,
      failoverMs: 10_000,
      tradeLogs,
    },
    { clients, fleet },
  );
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    viewport: { width: 1280, height: 720 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(dashboard.url);
  return { stack, clients, calls, fleet, dashboard, context, page, tradeLogs, results };
}

async function close(room: {
  stack: RunningLocalStack;
  clients: AwsClients;
  fleet: Fleet;
  dashboard: RunningDashboard;
  context: BrowserContext;
  tradeLogs: string;
  results: string;
}): Promise<void> {
  await room.context.close();
  await Promise.all(room.fleet.all.map((process) => room.fleet.stop(process)));
  await room.dashboard.stop();
  room.clients.destroy();
  await room.stack.stop();
  rmSync(room.tradeLogs, { recursive: true, force: true });
  rmSync(dirname(room.results), { recursive: true, force: true });
}

/** Every call the dashboard's clients make, by API (and, for GetShardIterator, by stream). */
function countCalls(clients: AwsClients): Map<string, number> {
  const counts = new Map<string, number>();
  for (const client of [clients.kinesis, clients.dynamodb]) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { StreamName?: string };
        const key = `${context.commandName?.replace(/Command$/, '')}${input.StreamName ? ` ${input.StreamName}` : ''}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'countDashboardCalls' },
    );
  }
  return counts;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function owners(page: Page): Promise<Record<string, string>> {
  const rows = await page.locator('#shards tbody tr[data-shard]').all();
  return Object.fromEntries(
    await Promise.all(
      rows.map(async (row) => [
        (await row.getAttribute('data-shard')) ?? '',
        (await row.getAttribute('data-owner')) ?? '',
      ]),
    ),
  );
}

const leasesOf = async (page: Page, worker: string) =>
  Object.values(await owners(page)).filter((owner) => owner === worker).length;

/** Presses the button, waits for the banner's "Done", and says how long it took and what the page said. */
async function lesson(page: Page, name: string, button: string, timeoutMs = 180_000): Promise<Measured> {
  const before = await page.getAttribute('#narration', 'data-started-at');
  const startedAt = Date.now();
  await page.click(button);
  const action = (await page.getAttribute(button, 'data-action')) ?? '';
  const outcome = await until(
    `${name} to be done`,
    async () =>
      // This action's banner, not the last one's (still shown for a few seconds once done).
      (await page.getAttribute('#narration', 'data-started-at')) !== before &&
      (await page.getAttribute('#narration', 'data-action')) === action &&
      (await page.getAttribute('#narration', 'data-state')) === 'done' &&
      ((await page.textContent('#narration-outcome')) ?? undefined),
    timeoutMs,
  );
  const seconds = Math.round((Date.now() - startedAt) / 100) / 10;
  say(`  ${name}: ${seconds} s — ${outcome}`);
  return { lesson: name, seconds, what: outcome.replace(/^Done: /, '') };
}

async function shot(page: Page, name: string, panel: string): Promise<string> {
  await page.locator(panel).evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(300);
  const file = `${name}.png`;
  await page.screenshot({ path: join(OUT, file) });
  return `docs/lessons/${file}`;
}

/** Per open shard, the trades a second Kinesis takes, averaged over a few readings of the hash-key panel. */
async function tradesInPerShard(page: Page): Promise<number[]> {
  const readings: number[][] = [];
  for (let reading = 0; reading < 8; reading++) {
    const cells = await page.locator('#keyspace tbody tr td:nth-child(4)').allTextContents();
    readings.push(cells.map(Number));
    await page.waitForTimeout(1000);
  }
  return (readings[0] ?? []).map(
    (_, shard) => readings.reduce((sum, row) => sum + (row[shard] ?? 0), 0) / readings.length,
  );
}

/**
 * Every 10 s, from a minute after the first result, the page's results/min against the windows the aggregator
 * first wrote a result for in the minute before (its JSONL, watched every 250 ms): how far apart they ever were.
 */
function watchResultsPerMinute(page: Page, results: string) {
  const firstSeen = new Map<string, number>();
  const differences: number[] = [];
  const watch = setInterval(() => {
    const text = existsSync(results) ? readFileSync(results, 'utf8') : '';
    for (const line of text.split('\n')) {
      const start = /"windowStart":"([^"]+)"/.exec(line)?.[1];
      if (start && !firstSeen.has(start)) firstSeen.set(start, Date.now());
    }
  }, 250);
  const compare = setInterval(() => {
    const first = Math.min(...firstSeen.values());
    if (!(Date.now() - first > 65_000)) return;
    void page.textContent('#flow-results').then((shown) => {
      // The page reads the results table every 2 s and pushes a second later.
      const end = Date.now() - 2000;
      const written = [...firstSeen.values()].filter((at) => at > end - 60_000 && at <= end).length;
      differences.push(Math.abs(Number(shown) - written));
    });
  }, 10_000);
  return {
    stop: () => {
      clearInterval(watch);
      clearInterval(compare);
      return { comparisons: differences.length, largestDifference: Math.max(0, ...differences) };
    },
  };
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` first`);
  mkdirSync(OUT, { recursive: true });
  const measured: Measured[] = [];
  let partitionKey = 'ticker';

  say('The demo’s pipeline: 4 shards, two workers, the aggregator, 200 trades/s (KPL-aggregated)...');
  const room = await classroom({
    shards: 4,
    producer: () => ['--rate', '200', '--aggregate', '--partition-key', partitionKey],
  });
  const { page, fleet } = room;
  let dashboardCalls: Record<string, number> = {};
  const resultsWatch = watchResultsPerMinute(page, room.results);
  let resultsPerMinute: ReturnType<ReturnType<typeof watchResultsPerMinute>['stop']> | undefined;
  try {
    room.fleet.startAggregator();
    fleet.startWorker();
    fleet.startWorker();
    fleet.startProducer(200);
    await until(
      'two leases each',
      async () => (await leasesOf(page, 'worker-1')) === 2 && (await leasesOf(page, 'worker-2')) === 2,
      120_000,
    );
    await until('a complete window', async () => (await page.locator('#windows .badge.ok').count()) > 0, 60_000);
    // The dashboard's own calls over a steady minute.
    room.calls.clear();
    const countedFrom = Date.now();
    await page.waitForTimeout(60_000);
    const seconds = (Date.now() - countedFrom) / 1000;
    dashboardCalls = Object.fromEntries(
      [...room.calls].sort().map(([call, count]) => [call, Math.round((count / seconds) * 100) / 100]),
    );
    say(`  the dashboard's calls a second: ${JSON.stringify(dashboardCalls)}`);
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: fileURLToPath(new URL('../docs/dashboard.png', import.meta.url)) });

    say('Lessons:');
    const add = await lesson(page, 'add a worker', 'button[data-action="add-worker"]');
    const balancedAt = Date.now();
    await until(
      'the leases balanced over three workers',
      async () => {
        const counts = await Promise.all(['worker-1', 'worker-2', 'worker-3'].map((worker) => leasesOf(page, worker)));
        return Math.max(...counts) - Math.min(...counts) <= 1;
      },
      120_000,
    );
    measured.push({
      ...add,
      what: `${add.what}; balanced over three workers ${Math.round((Date.now() - balancedAt) / 1000 + add.seconds)} s after the press`,
      screenshot: await shot(page, 'add-worker', '#events-panel'),
    });
    const stop = await lesson(
      page,
      'stop a worker cleanly',
      'button[data-action="stop-worker"][data-worker="worker-3"]',
    );
    measured.push({ ...stop, screenshot: await shot(page, 'clean-stop', '#events-panel') });
    const kill = await lesson(page, 'kill a worker', 'button[data-action="kill-worker"][data-worker="worker-2"]');
    measured.push({ ...kill, screenshot: await shot(page, 'kill', '#events-panel') });
    measured.push(await lesson(page, 'add a worker back', 'button[data-action="add-worker"]'));
    await until(
      'two leases each again',
      async () => (await leasesOf(page, 'worker-1')) === 2 && (await leasesOf(page, 'worker-4')) === 2,
      120_000,
    );

    // The lag lesson: the screenshot in the middle of the pause, lag climbing on the paused worker's shards.
    const pausing = lesson(page, 'pause a worker (lag)', 'button[data-action="pause-worker"][data-worker="worker-1"]');
    await page.waitForTimeout(40_000);
    const lagShot = await shot(page, 'lag', '#shards-panel');
    await shot(page, 'lag-history', '#history-panel');
    measured.push({ ...(await pausing), screenshot: lagShot });

    const doubledAt = Date.now();
    const double = await lesson(page, 'reshard ×2', 'button[data-action="reshard"][data-direction="double"]');
    const reshardShot = await shot(page, 'reshard', '#shards-panel');
    await until(
      'the eight leases balanced, four each',
      async () => (await leasesOf(page, 'worker-1')) === 4 && (await leasesOf(page, 'worker-4')) === 4,
      180_000,
    );
    measured.push({
      ...double,
      what: `${double.what}; balanced four and four ${Math.round((Date.now() - doubledAt) / 1000)} s after the press`,
      screenshot: reshardShot,
    });
    const halve = await lesson(page, 'reshard ÷2', 'button[data-action="reshard"][data-direction="halve"]');
    measured.push(halve);

    const malformed = await lesson(page, 'send 5 malformed records', 'button[data-action="inject-malformed"]');
    measured.push({ ...malformed, screenshot: await shot(page, 'malformed', '#windows-panel') });

    // The hot-shard lesson: per-shard writes with ticker keys, then with random keys.
    await page.waitForTimeout(10_000);
    const byTicker = await tradesInPerShard(page);
    const hotShot = await shot(page, 'hot-shard', '#keyspace-panel');
    partitionKey = 'random';
    await page.fill('#rate', '200');
    const random = await lesson(
      page,
      'producer restarted with --partition-key random',
      'button[data-action="set-rate"]',
    );
    await page.waitForTimeout(10_000);
    const byRandom = await tradesInPerShard(page);
    const spread = (rates: number[]) => Math.round((Math.max(...rates) / Math.max(0.1, Math.min(...rates))) * 10) / 10;
    measured.push({
      lesson: 'hot shard: ticker vs random partition keys',
      seconds: random.seconds,
      what: `trades/s per shard with ticker keys ${byTicker.map(Math.round).join(', ')} (busiest/quietest ${spread(byTicker)}×); with random keys ${byRandom.map(Math.round).join(', ')} (${spread(byRandom)}×)`,
      screenshot: hotShot,
    });
  } finally {
    resultsPerMinute = resultsWatch.stop();
    await close(room);
  }
  say(`  results/min against the aggregator's own output: ${JSON.stringify(resultsPerMinute)}`);

  say('The shard-limit lesson: a stack at a tenth of the limits, one shard, 300 trades/s ignoring them...');
  const limits = await classroom({
    shards: 1,
    limitScale: 0.1,
    producer: () => ['--rate', '300', '--no-shard-rate-limit', '--partition-key', 'random', '--duration', '60s'],
  });
  try {
    const startedAt = Date.now();
    limits.fleet.startProducer(300);
    await until(
      'throttling on the page',
      async () => (await limits.page.textContent('#throttling-state')) === 'throttling now',
      60_000,
    );
    const seconds = Math.round((Date.now() - startedAt) / 100) / 10;
    await limits.page.waitForTimeout(5000);
    const note = (await limits.page.textContent('#throttling-note')) ?? '';
    measured.push({
      lesson: 'throttling: 300 trades/s into one shard of 100',
      seconds,
      what: `“throttling now” ${seconds} s after the producer started; ${note.replace(/^.*Since the stack started: /, '')}`,
      screenshot: await shot(limits.page, 'throttling', '#throttling-panel'),
    });
    say(`  throttling: ${seconds} s`);
  } finally {
    await close(limits);
  }

  const at = new Date().toISOString();
  writeFileSync(
    join(OUT, 'timings.json'),
    `${JSON.stringify({ at, lessons: measured, dashboardCalls, resultsPerMinute }, null, 2)}\n`,
  );
  say(`\nWrote docs/lessons/ (${measured.length} lessons, measured ${at}).`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

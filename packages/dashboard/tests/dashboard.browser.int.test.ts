import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListShardsCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  type AwsClients,
  localClients,
  localTargetEnv,
  readShardTraffic,
  StreamAdmin,
  TableAdmin,
} from '@stock-trades/aws';
import {
  AGGREGATOR_APPLICATION,
  CONSUMER_APPLICATION,
  KINESIS_LIST_PRICES,
  STATS_STREAM_NAME,
  STATS_TABLE_KEY,
  STATS_TABLE_NAME,
  STREAM_NAME,
  TUTORIAL_STOCK_PRICES,
} from '@stock-trades/core';
import { type RunningLocalStack, startLocalStack } from '@stock-trades/local-stack';
import {
  type CommandProcess,
  latestResults,
  type ResultLine,
  readJsonLines,
  startCommand,
  type TradeLogLine,
  waitFor,
} from '@stock-trades/testkit';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet, type RunningDashboard, startDashboard } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const FAILOVER_MS = 3000;
const RENEW_MS = 1000;
/** How long "Pause" holds a worker here: four failover times, so a lease given up for it could not go unseen. */
const PAUSE_S = 12;
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
/** Run in the page: how wide it is, which panels overflow, the smallest text of each kind, where panels start. */
const LAYOUT_PROBE = `(() => {
  const smallest = (selector) =>
    Math.min(...[...document.querySelectorAll(selector)].map((element) => parseFloat(getComputedStyle(element).fontSize)));
  const top = (selector) => document.querySelector(selector)?.getBoundingClientRect().top ?? NaN;
  return {
    scrollWidth: document.documentElement.scrollWidth,
    panelsWiderThanTheirBox: [...document.querySelectorAll('main > section')]
      .filter((section) => !section.hasAttribute('hidden') && section.scrollWidth > section.clientWidth + 1)
      .map((section) => section.id),
    text: {
      titles: smallest('h2, h3'),
      arrows: smallest('.arrow span'),
      tables: smallest('#shards td, #windows td, #events li'),
      chips: smallest('.chip'),
    },
    tops: { pipeline: top('#pipeline'), shards: top('#shards-panel'), events: top('#events-panel') },
  };
})()`;

/**
 * The dashboard in real headless Chromium (Debian's, never a downloaded one) against a
 * running pipeline on the embedded stack: 4 shards, two workers, the aggregator, a producer.
 */
describe('the dashboard in headless Chromium, against a running pipeline', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'dashboard-it-'));
  const dataDir = join(scratch, 'stack');
  const tradeLogs = join(scratch, 'trade-logs');
  let stack: RunningLocalStack;
  let ports: { kinesis: number; dynamodb: number };
  let clients: AwsClients;
  let fleet: Fleet;
  let dashboard: RunningDashboard;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  /** When each window's first result line appeared in the aggregator's JSONL: the truth for results/min. */
  const resultFirstSeen = new Map<string, number>();
  let resultsWatchedFrom = 0;
  let resultsWatch: NodeJS.Timeout | undefined;
  /** The stack's own count of PUT payload units over both streams, sampled once a second: the truth for the rate. */
  const unitsSeen: Array<{ at: number; units: number }> = [];
  let unitsWatch: NodeJS.Timeout | undefined;
  /** A second application on the trade stream (the two-applications lesson), started by its test. */
  let audit: CommandProcess | undefined;
  const payloadUnits = async () => {
    const streams = (await readShardTraffic(stack.kinesisEndpoint))?.streams ?? {};
    return [STREAM_NAME, STATS_STREAM_NAME]
      .flatMap((stream) => Object.values(streams[stream] ?? {}))
      .reduce((sum, counts) => sum + (counts.payloadUnitsIn ?? 0), 0);
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: run \`bash scripts/ensure-chromium.sh\` first`);
    mkdirSync(tradeLogs);
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, dataDir });
    ports = {
      kinesis: Number(new URL(stack.kinesisEndpoint).port),
      dynamodb: Number(new URL(stack.dynamodbEndpoint).port),
    };
    clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint, { requestTimeoutMs: 3000 });
    const streams = new StreamAdmin(clients);
    await streams.create(STREAM_NAME, { capacity: 'PROVISIONED', shards: 4 });
    await streams.create(STATS_STREAM_NAME, { capacity: 'PROVISIONED', shards: 1 });
    await new TableAdmin(clients).create(STATS_TABLE_NAME, STATS_TABLE_KEY);
    await streams.waitUntilActive(STREAM_NAME);
    await streams.waitUntilActive(STATS_STREAM_NAME);
    const timings = ['--failover', '3s', '--renew-interval', '1s', '--lease-poll', '250ms'];
    fleet = new Fleet({
      env: localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint),
      workerArgs: (id) => ['--worker-id', id, '--quiet', '--window', '5s', '--lateness', '1s', ...timings],
      // Each producer run keeps a trade log, as `pnpm demo` does: the page shows what Kinesis acknowledged per window.
      producerArgs: (rate) => [
        '--rate',
        String(rate),
        '--aggregate',
        '--trade-log',
        join(tradeLogs, `p-${rate}.jsonl`),
      ],
      pauseForSeconds: PAUSE_S,
      aggregatorArgs: [
        ...['--worker-id', 'aggregator', '--quiet', '--table', '--grace', '15s', '--failover', '3s'],
        ...['--out', join(scratch, 'results.jsonl')],
      ],
    });
    dashboard = await startDashboard(
      {
        target: 'local',
        port: 0,
        stream: STREAM_NAME,
        statsStream: STATS_STREAM_NAME,
        consumerTable: CONSUMER_APPLICATION,
        aggregatorTable: AGGREGATOR_APPLICATION,
        resultsTable: STATS_TABLE_NAME,
        failoverMs: FAILOVER_MS,
        tradeLogs,
      },
      { clients, fleet },
    );
    fleet.startAggregator();
    fleet.startWorker();
    fleet.startWorker();
    fleet.startProducer(200);
    resultsWatchedFrom = Date.now();
    resultsWatch = setInterval(() => {
      for (const line of readJsonLines<ResultLine>(join(scratch, 'results.jsonl'))) {
        if (!resultFirstSeen.has(line.windowStart)) resultFirstSeen.set(line.windowStart, Date.now());
      }
    }, 250);
    unitsWatch = setInterval(() => {
      const at = Date.now();
      void payloadUnits().then(
        (units) => unitsSeen.push({ at, units }),
        () => undefined,
      );
    }, 1000);
    context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
      viewport: { width: 1400, height: 1000 },
      // Five hours off UTC: a time drawn in the browser's own zone would show it.
      timezoneId: 'America/New_York',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(dashboard.url);
  });

  afterAll(async () => {
    clearInterval(resultsWatch);
    clearInterval(unitsWatch);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page?.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true }).catch(() => undefined);
    // As a class sees it on a projector: the first screen at 1280×720.
    await page?.setViewportSize({ width: 1280, height: 720 }).catch(() => undefined);
    await page?.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x720.png') }).catch(() => undefined);
    await context?.close();
    audit?.child.kill('SIGKILL');
    for (const process of fleet?.all ?? []) process.child.kill('SIGKILL');
    await Promise.all([...(fleet?.all ?? []), ...(audit ? [audit] : [])].map((process) => process.exited));
    await dashboard?.stop();
    clients?.destroy();
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Shard → owner, as the page shows it now. */
  const ownersShown = async (): Promise<Record<string, string>> => {
    const rows = await page.locator('#shards tbody tr[data-shard]').all();
    const pairs = await Promise.all(
      rows.map(async (row) => [await row.getAttribute('data-shard'), await row.getAttribute('data-owner')] as const),
    );
    return Object.fromEntries(pairs.map(([shard, owner]) => [shard ?? '', owner ?? '']));
  };

  /** The lease events the page lists, oldest first. */
  const eventsShown = async () => {
    const items = await page.locator('#events li').all();
    const events = await Promise.all(
      items.map(async (item) => ({
        kind: (await item.getAttribute('data-kind')) ?? '',
        shard: (await item.getAttribute('data-shard')) ?? '',
        worker: (await item.getAttribute('data-worker')) ?? '',
        from: (await item.getAttribute('data-from')) ?? '',
        at: (await item.getAttribute('data-at')) ?? '',
      })),
    );
    return events.reverse();
  };

  /**
   * The hot-shard lesson, checked against Kinesis itself: each open shard's row lists exactly the tickers whose MD5
   * falls in the range ListShards gives it (worked out here with node:crypto, not with the page's code).
   */
  const expectTickersTrue = async () => {
    const listed = await clients.kinesis.send(new ListShardsCommand({ StreamName: STREAM_NAME }));
    const open = (listed.Shards ?? []).filter((shard) => !shard.SequenceNumberRange?.EndingSequenceNumber);
    const expected = Object.fromEntries(
      open.map((shard) => {
        const start = BigInt(shard.HashKeyRange?.StartingHashKey ?? '0');
        const end = BigInt(shard.HashKeyRange?.EndingHashKey ?? '0');
        const tickers = TUTORIAL_STOCK_PRICES.map((stock) => stock.tickerSymbol)
          .filter((ticker) => {
            const hash = BigInt(`0x${createHash('md5').update(ticker).digest('hex')}`);
            return hash >= start && hash <= end;
          })
          .sort();
        return [shard.ShardId ?? '', tickers.join(' ')];
      }),
    );
    const shown = await waitFor(
      'the hash-key ranges panel to list the open shards',
      async () => {
        const rows = await page.locator('#keyspace tbody tr').all();
        const entries = await Promise.all(
          rows.map(
            async (row): Promise<[string, string]> => [
              (await row.getAttribute('data-shard')) ?? '',
              ((await row.getAttribute('data-tickers')) ?? '').split(' ').filter(Boolean).sort().join(' '),
            ],
          ),
        );
        return entries.length === open.length ? Object.fromEntries(entries) : undefined;
      },
      10_000,
      250,
    );
    expect(shown).toEqual(expected);
    // Every ticker is on exactly one open shard.
    expect(
      Object.values(shown)
        .flatMap((tickers) => tickers.split(' ').filter(Boolean))
        .sort(),
    ).toEqual(TUTORIAL_STOCK_PRICES.map((stock) => stock.tickerSymbol).sort());
  };

  it('shows where each ticker’s MD5 lands: the tickers of each shard, as Kinesis splits the key space', async () => {
    await expectTickersTrue();
  });

  it('loads with no console errors and shows every shard with its owner', async () => {
    const owners = await waitFor(
      'four shards with owners on the page',
      async () => {
        const shown = await ownersShown();
        return Object.keys(shown).length === 4 && Object.values(shown).every((owner) => owner) ? shown : undefined;
      },
      60_000,
      250,
    );
    expect(Object.values(owners).every((owner) => owner === 'worker-1' || owner === 'worker-2')).toBe(true);
    expect(await page.textContent('#status')).toBe('connected');
    expect(consoleErrors).toEqual([]);
  });

  it('shows beside the producer the trades Kinesis takes a second: the 200 the producer sends, not what is read', async () => {
    // The producer sends 200 trades a second as KPL aggregates: a few records a second, many trades in each.
    const shown = await waitFor(
      'the producer arrow to settle near 200 trades/s',
      async () => {
        const value = Number(await page.textContent('#flow-trades'));
        return value >= 180 && value <= 220 ? value : undefined;
      },
      30_000,
      500,
    );
    expect(shown).toBeGreaterThanOrEqual(180);
    expect(await page.textContent('#flow-trades-note')).toMatch(/^in \d+ records\/s/);
  });

  /** At a projector's size: how wide the page is against the screen, the smallest text of each kind, where panels start. */
  const layoutAt = async (width: number, height: number) => {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(1500); // a push or two at this size
    return (await page.evaluate(LAYOUT_PROBE)) as {
      scrollWidth: number;
      panelsWiderThanTheirBox: string[];
      text: { titles: number; arrows: number; tables: number; chips: number };
      tops: { pipeline: number; shards: number; events: number };
    };
  };

  it.each([
    [1280, 720],
    [1024, 768],
  ])(
    'fits a %i×%i projector: no sideways scrolling, text of 16 px or more, the lesson above the fold',
    async (width, height) => {
      const layout = await layoutAt(width, height);
      expect(layout.scrollWidth).toBeLessThanOrEqual(width);
      expect(layout.panelsWiderThanTheirBox).toEqual([]);
      expect(Math.min(...Object.values(layout.text))).toBeGreaterThanOrEqual(14);
      expect(Math.min(layout.text.titles, layout.text.arrows, layout.text.tables)).toBeGreaterThanOrEqual(16);
      // The pipeline, the shards and their leases, and the start of the lease events, before scrolling.
      expect(layout.tops.events + 60).toBeLessThanOrEqual(height);
      await page.setViewportSize({ width: 1400, height: 1000 });
    },
  );

  it('shows every time in UTC and says so, in a browser whose own clock is New York’s', async () => {
    const utc = (iso: string) => iso.slice(11, 19);
    await waitFor(
      'lease events and a window',
      async () => (await page.locator('#windows tbody tr').count()) > 0,
      60_000,
      250,
    );
    for (const item of await page.locator('#events li').all()) {
      expect((await item.textContent())?.slice(0, 8)).toBe(utc((await item.getAttribute('data-at')) ?? ''));
    }
    const row = page.locator('#windows tbody tr').first();
    const start = (await row.getAttribute('data-window-start')) ?? '';
    expect((await row.locator('td').first().textContent())?.slice(0, 8)).toBe(utc(start));
    for (const panel of ['#events-panel', '#chart-panel', '#history-panel']) {
      expect(await page.textContent(`${panel} h2`)).toMatch(/\(UTC\)/);
    }
    expect(await page.textContent('#windows th')).toBe('window (UTC)');
    // The chart's cursor time (its legend), at the newest point: UTC, 24-hour, within the last seconds.
    await page.locator('#chart .u-over').scrollIntoViewIfNeeded();
    const box = await page.locator('#chart .u-over').boundingBox();
    if (!box) throw new Error('no chart');
    const shown = await waitFor(
      'the chart’s legend to show the time under the cursor',
      async () => {
        // Moved a little each time: the chart redraws every second, and the legend follows the cursor's moves.
        await page.mouse.move(box.x + box.width * 0.95, box.y + box.height / 2);
        await page.mouse.move(box.x + box.width * 0.97, box.y + box.height / 2, { steps: 3 });
        const text = (await page.locator('#chart .u-legend .u-series').first().locator('.u-value').textContent()) ?? '';
        return /^\d\d:\d\d:\d\d$/.test(text) ? text : undefined;
      },
      10_000,
      250,
    );
    const now = new Date();
    const at = Date.parse(`${now.toISOString().slice(0, 11)}${shown}Z`);
    expect(Math.abs(now.getTime() - at)).toBeLessThan(30_000);
    await page.mouse.move(0, 0);
    await page.evaluate('window.scrollTo(0, 0)');
  });

  it('feeds the chart a point a second', async () => {
    const points = async () => Number(await page.getAttribute('#chart', 'data-points'));
    const before = await points();
    await waitFor('three more chart points', async () => (await points()) >= before + 3, 15_000, 250);
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
  });

  it('shows each shard’s writes against its allowance, and the throttling when one is pushed past it', async () => {
    const rows = () => page.locator('#throttling tbody tr').count();
    await waitFor(
      'the shard-limits panel with four shards and no throttling',
      async () => (await rows()) === 4 && (await page.textContent('#throttling-state')) === 'no throttling',
      20_000,
      250,
    );
    // 1,500 records into shard 0 within a second: about 500 over its 1,000 (the workers count them as malformed
    // trades). A client of its own: the page's test client gives up after 3 s, which a busy machine can exceed.
    const burst = Array.from({ length: 500 }, (_, index) => ({
      Data: Buffer.from(`not a trade ${index}`),
      PartitionKey: 'burst',
      ExplicitHashKey: '0',
    }));
    const sender = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    try {
      await Promise.all(
        [1, 2, 3].map(() =>
          sender.kinesisSingleAttempt.send(new PutRecordsCommand({ StreamName: STREAM_NAME, Records: burst })),
        ),
      );
    } finally {
      sender.destroy();
    }
    await waitFor(
      'the page to show shard 0 throttled',
      async () => (await page.textContent('#throttling-state')) === 'throttling now',
      10_000,
      100,
    );
    const refused = page.locator('#throttling tbody tr[data-shard="shardId-000000000000"] td').nth(3);
    expect(Number(await refused.textContent())).toBeGreaterThan(0);
    expect(await page.textContent('#throttling-note')).toMatch(/[1-9]\d* records refused/);
  });

  /** Shard → the lag the page shows for it, in ms (null: none shown). */
  const lagsShown = async (): Promise<Record<string, number | null>> => {
    const rows = await page.locator('#shards tbody tr[data-shard]').all();
    const pairs = await Promise.all(
      rows.map(async (row) => {
        const lag = (await row.getAttribute('data-lag')) ?? '';
        return [(await row.getAttribute('data-shard')) ?? '', lag === '' ? null : Number(lag)] as const;
      }),
    );
    return Object.fromEntries(pairs);
  };

  it('pauses a worker: its shards’ lag rises for the pause, it keeps its leases, and the lag falls back', async () => {
    const owners = await waitFor(
      'two leases each',
      async () => {
        const shown = await ownersShown();
        const count = (worker: string) => Object.values(shown).filter((owner) => owner === worker).length;
        return count('worker-1') === 2 && count('worker-2') === 2 ? shown : undefined;
      },
      90_000,
      250,
    );
    const paused = Object.keys(owners).filter((shardId) => owners[shardId] === 'worker-1');
    const others = Object.keys(owners).filter((shardId) => owners[shardId] === 'worker-2');
    const pausedAt = new Date().toISOString();
    await page.click('button[data-action="pause-worker"][data-worker="worker-1"]');
    // The page shows "…" until the dashboard answers.
    await waitFor('the dashboard’s answer', async () => (await page.textContent('#action-result')) !== '…', 10_000, 50);
    expect(await page.textContent('#action-result')).toMatch(/paused worker-1 for 12 s/);
    // Lag grows on the paused worker's shards while it keeps them (a busy processor is no dead worker)...
    const peak = await waitFor(
      'lag of 6 s or more on worker-1’s shards',
      async () => {
        const lags = await lagsShown();
        return paused.every((shardId) => (lags[shardId] ?? 0) >= 6000) ? lags : undefined;
      },
      PAUSE_S * 1000,
      250,
    );
    expect(others.every((shardId) => (peak[shardId] ?? 0) < 3000)).toBe(true);
    expect(Object.fromEntries(paused.map((shardId) => [shardId, owners[shardId]]))).toEqual(
      Object.fromEntries(paused.map((shardId) => [shardId, 'worker-1'])),
    );
    // ...and falls back once the pause is over.
    await waitFor(
      'worker-1’s shards caught up',
      async () => {
        const lags = await lagsShown();
        return paused.every((shardId) => lags[shardId] !== null && (lags[shardId] ?? 0) < 1000);
      },
      PAUSE_S * 1000 + 20_000,
      250,
    );
    // The leases never moved: no expiry, no steal, no take for the paused worker's shards.
    const moved = (await eventsShown()).filter((event) => event.at >= pausedAt && paused.includes(event.shard));
    expect(moved).toEqual([]);
    // The history tells the same: IteratorAgeMilliseconds peaked at 6 s or more on those shards, not on the others.
    const ages = JSON.parse(
      (await page.getAttribute('#history figure[data-metric="IteratorAgeMilliseconds"]', 'data-totals')) ?? '{}',
    ) as Record<string, number>;
    for (const shardId of paused) expect(ages[shardId], shardId).toBeGreaterThanOrEqual(6000);
  });

  it('charts IncomingRecords as the stack counted them: every record Kinesis accepted, each once', async () => {
    const accepted = async () =>
      Object.values((await readShardTraffic(stack.kinesisEndpoint))?.streams[STREAM_NAME] ?? {}).reduce(
        (sum, counts) => sum + counts.recordsIn,
        0,
      );
    const shownTotal = async () =>
      Object.values(
        JSON.parse(
          (await page.getAttribute('#history figure[data-metric="IncomingRecords"]', 'data-totals')) ?? '{}',
        ) as Record<string, number>,
      ).reduce((sum, value) => sum + value, 0);
    // The page started counting before anything was written, and this run is shorter than its 15 minutes.
    const before = await accepted();
    await page.waitForTimeout(2500); // two pushes, each with a report read after `before`
    const shown = await shownTotal();
    const after = await accepted();
    expect(before).toBeGreaterThan(0);
    expect(shown).toBeGreaterThanOrEqual(before);
    expect(shown).toBeLessThanOrEqual(after);
    expect(await page.locator('#history figure').count()).toBe(5);
  });

  it('prices the run as AWS would bill it: shard-hours of both streams and the PUT payload units Kinesis took', async () => {
    const units = payloadUnits;
    const cell = (row: string, column: number) =>
      page.locator(`#cost tr[data-cost="${row}"] td`).nth(column).textContent();
    const before = await units();
    await page.waitForTimeout(2500);
    const shownUnits = Number((await cell('put-payload-units', 1))?.replaceAll(',', ''));
    const shownHours = Number(await cell('shard-hours', 1));
    const after = await units();
    const note = (await page.textContent('#cost-note')) ?? '';
    // Since the page started counting, nothing had been written before it: all the stack counted, each once.
    expect(shownUnits).toBeGreaterThanOrEqual(before);
    expect(shownUnits).toBeLessThanOrEqual(after);
    // 4 trade shards and 1 stats shard, all along (no reshard yet), since the time the note gives.
    const since = /^Since (\d\d:\d\d:\d\d) UTC/.exec(note)?.[1];
    const elapsedHours = (Date.now() - Date.parse(`${new Date().toISOString().slice(0, 11)}${since}Z`)) / 3_600_000;
    expect(shownHours).toBeGreaterThan(0);
    expect(Math.abs(shownHours - 5 * elapsedHours)).toBeLessThanOrEqual(5 * (4 / 3600)); // within a few seconds
    // Per hour now: 5 shard-hours, and the PUT payload units at the rate of the last minute, as the stack counted them.
    const perHour = Number(/Now 5 open shards: \$(\d+\.\d{4}) an hour/.exec(note)?.[1]);
    const { shardHourUsd, perMillionPutPayloadUnitsUsd } = KINESIS_LIST_PRICES;
    const shownRate = ((perHour - 5 * shardHourUsd) * 1_000_000) / perMillionPutPayloadUnitsUsd / 3600;
    const now = Date.now();
    const minuteAgo = unitsSeen.find((sample) => sample.at >= now - 60_000);
    const latest = unitsSeen.at(-1);
    expect(minuteAgo && latest && latest.at - minuteAgo.at > 10_000).toBe(true);
    const trueRate =
      ((latest?.units ?? 0) - (minuteAgo?.units ?? 0)) / (((latest?.at ?? 0) - (minuteAgo?.at ?? 0)) / 1000);
    expect(trueRate).toBeGreaterThan(0);
    // Within a tenth, and the $0.0001 the note rounds to (two units a second).
    expect(Math.abs(shownRate - trueRate)).toBeLessThanOrEqual(trueRate / 10 + 2);
    expect(await page.textContent('#cost-prices')).toBe('(us-east-1 list prices of 2026-12-04)');
    expect(await page.textContent('#history-note')).toMatch(/embedded stack’s own counters, one point per 10 s/);
  });

  it('shows each application reading the stream, in its mode, with the records and throttling the stack counted', async () => {
    // A second application, reading through enhanced fan-out, printing its own stats and sending none on.
    audit = startCommand(
      'consumer',
      [
        ...['--application-name', 'Audit', '--retrieval', 'fan-out', '--no-stats-stream', '--quiet'],
        ...['--worker-id', 'audit-1', '--window', '5s', '--failover', '3s'],
      ],
      localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint),
      join(scratch, 'audit.log'),
    );
    const row = (application: string) => page.locator(`#readers tr[data-application="${application}"]`);
    await waitFor(
      'Audit to read through fan-out, and be shown doing so',
      async () => (await row('Audit').count()) === 1 && Number(await row('Audit').getAttribute('data-records')) > 0,
      60_000,
      250,
    );
    const counted = async () =>
      Object.fromEntries(
        ((await readShardTraffic(stack.kinesisEndpoint))?.readers?.[STREAM_NAME] ?? []).map((reader) => [
          `${reader.mode} ${reader.application}`,
          Object.values(reader.shards).reduce(
            (sum, shard) => ({
              records: sum.records + shard.recordsOut,
              throttled: sum.throttled + shard.readsThrottled,
            }),
            { records: 0, throttled: 0 },
          ),
        ]),
      );
    const before = await counted();
    await page.waitForTimeout(2500);
    const shown = async (application: string) => ({
      mode: await row(application).getAttribute('data-mode'),
      records: Number(await row(application).getAttribute('data-records')),
      throttled: Number(await row(application).getAttribute('data-throttled')),
      cells: await row(application).locator('td').allTextContents(),
    });
    const processor = await shown(CONSUMER_APPLICATION);
    const auditShown = await shown('Audit');
    const after = await counted();
    // The mode each was started in, and the counts the stack kept for it under that mode.
    expect(processor.mode).toBe('polling');
    expect(auditShown.mode).toBe('fan-out');
    expect(processor.cells[1]).toBe('polling');
    expect(auditShown.cells[1]).toBe('fan-out (ACTIVE)');
    for (const [key, seen] of [
      [`polling ${CONSUMER_APPLICATION}`, processor],
      ['fan-out Audit', auditShown],
    ] as const) {
      expect(seen.records).toBeGreaterThanOrEqual(before[key]?.records ?? Number.NaN);
      expect(seen.records).toBeLessThanOrEqual(after[key]?.records ?? Number.NaN);
      expect(seen.throttled).toBeGreaterThanOrEqual(before[key]?.throttled ?? Number.NaN);
      expect(seen.throttled).toBeLessThanOrEqual(after[key]?.throttled ?? Number.NaN);
    }
    // Only these two read the trade stream (the aggregator reads the stats stream).
    expect(Object.keys(after).sort()).toEqual(['fan-out Audit', `polling ${CONSUMER_APPLICATION}`]);
    // Every open shard has a line for each, and the registered consumer is named.
    expect(processor.cells[4]?.split(' · ')).toHaveLength(4);
    expect(await page.textContent('#consumers-note')).toMatch(
      /^Registered consumers \(enhanced fan-out\): Audit ACTIVE since \d\d:\d\d:\d\d UTC\.$/,
    );
  });

  it('shows results/min as the aggregator wrote them in the last minute, within one', async () => {
    // A full minute of the aggregator's results watched from the start (5 s windows: about 12 a minute).
    await page.waitForTimeout(Math.max(0, resultsWatchedFrom + 65_000 - Date.now()));
    const shown = Number(await page.textContent('#flow-results'));
    // The page reads the results table every 2 s and pushes a second later: its minute ends about 2 s before now.
    const end = Date.now() - 2000;
    const written = [...resultFirstSeen.values()].filter((at) => at > end - 60_000 && at <= end).length;
    expect(written).toBeGreaterThanOrEqual(8);
    expect(Math.abs(shown - written), `page ${shown}, aggregator ${written}`).toBeLessThanOrEqual(1);
  });

  it('moves a killed worker’s leases to the other within failover + renew interval (plus the page’s polling)', async () => {
    // Once they hold two leases each (the second steals its share within balancing rounds), kill one of them: the
    // survivor then has its share, steals nothing, and takes the victim's leases as they expire.
    const before = await waitFor(
      'two leases each',
      async () => {
        const owners = Object.values(await ownersShown());
        const count = (worker: string) => owners.filter((owner) => owner === worker).length;
        return count('worker-1') === 2 && count('worker-2') === 2 ? await ownersShown() : undefined;
      },
      90_000,
      250,
    );
    const victim = String(before['shardId-000000000000']);
    const survivor = victim === 'worker-1' ? 'worker-2' : 'worker-1';
    // What the victim holds as it dies (balancing may have moved a lease since the look above).
    const heldAtKill = await ownersShown();
    const killedAt = new Date().toISOString();
    await page.click(`button[data-action="kill-worker"][data-worker="${victim}"]`);
    // The banner says what happens next, and when.
    const announced = await waitFor(
      'the banner to announce the kill',
      async () => {
        const text = await page.textContent('#narration-text');
        return (await page.isVisible('#narration')) && text?.startsWith(`${victim} killed`) ? text : undefined;
      },
      5000,
      100,
    );
    const expiresAt = /expire at (\d\d:\d\d:\d\d) UTC/.exec(announced)?.[1];
    expect(expiresAt, announced).toBeDefined();
    await waitFor(
      `${victim}'s leases to be shown with ${survivor}`,
      async () => Object.values(await ownersShown()).every((owner) => owner === survivor),
      // The bound itself, plus a renewal round, the taker's lease poll and the dashboard's one-second read on each side.
      FAILOVER_MS + RENEW_MS + 250 + 2 * 1000 + 1000,
      100,
    );
    // What the page tells is what happened: each of the victim's leases expired, then the survivor took it; none stolen.
    const events = await eventsShown();
    // ...when the banner said they would (the page reads the table once a second), and the banner says it is done.
    const announcedAt = Date.parse(`${killedAt.slice(0, 11)}${expiresAt}Z`);
    for (const event of events.filter((entry) => entry.kind === 'expired' && entry.at >= killedAt)) {
      expect(Math.abs(Date.parse(event.at) - announcedAt), `${event.shard} expired at ${event.at}`).toBeLessThanOrEqual(
        2500,
      );
    }
    await waitFor(
      'the banner to say the leases were taken',
      async () =>
        (await page.getAttribute('#narration', 'data-state')) === 'done' &&
        (await page.textContent('#narration-outcome'))?.includes(`${survivor} took`),
      10_000,
      100,
    );
    for (const [shardId, owner] of Object.entries(heldAtKill)) {
      if (owner !== victim) continue;
      const mine = events.filter((event) => event.shard === shardId && event.at >= killedAt);
      expect(
        mine.map((event) => [event.kind, event.worker]),
        shardId,
      ).toEqual([
        ['expired', victim],
        ['took', survivor],
      ]);
    }
  });

  it('shows a clean stop as released, then taken by the other worker — never as a steal', async () => {
    await page.click('button[data-action="add-worker"]');
    // The new worker (worker-3) steals its share within a balancing round; then it is stopped cleanly.
    const held = await waitFor(
      'worker-3 to hold a lease',
      async () => {
        const shown = Object.entries(await ownersShown()).filter(([, owner]) => owner === 'worker-3');
        return shown.length > 0 ? shown.map(([shardId]) => shardId) : undefined;
      },
      60_000,
      250,
    );
    const stoppedAt = new Date().toISOString();
    await page.click('button[data-action="stop-worker"][data-worker="worker-3"]');
    await waitFor(
      'worker-3’s leases to be shown with another worker',
      async () => Object.values(await ownersShown()).every((owner) => owner !== 'worker-3'),
      30_000,
      100,
    );
    // The release and the re-take come within a second, between two reads of the table: the page still tells both.
    const events = await waitFor(
      'the events of the stop',
      async () => {
        const shown = (await eventsShown()).filter((event) => event.at >= stoppedAt && held.includes(event.shard));
        return shown.filter((event) => event.kind === 'took').length >= held.length ? shown : undefined;
      },
      10_000,
      250,
    );
    for (const shardId of held) {
      const mine = events.filter((event) => event.shard === shardId).map((event) => [event.kind, event.worker]);
      expect(mine[0], shardId).toEqual(['released', 'worker-3']);
      expect(mine[1]?.[0], shardId).toBe('took');
    }
    expect(events.filter((event) => event.kind === 'stole' && event.from === 'worker-3')).toEqual([]);
    // The stopped worker leaves the running processes, for the row of those that ended.
    await waitFor(
      'worker-3 among the ended processes',
      async () => /worker-3/.test((await page.textContent('#processes tr.ended-processes').catch(() => '')) ?? ''),
      10_000,
      250,
    );
    expect(await page.locator('#processes tr[data-process="worker-3"]').count()).toBe(0);
  });

  it('still fits a 1280×720 projector with 8 and then 16 open shards, the finished ones collapsed into one row', async () => {
    for (const open of [8, 16]) {
      await page.click('button[data-action="reshard"][data-direction="double"]');
      await waitFor(
        `${open} open shards on the page`,
        async () => (await page.locator('#shards tbody tr[data-shard]').count()) === open,
        60_000,
        250,
      );
      const layout = await layoutAt(1280, 720);
      expect(layout.scrollWidth).toBeLessThanOrEqual(1280);
      expect(layout.panelsWiderThanTheirBox).toEqual([]);
      // The lesson still starts on the first screen: the shard table below a pipeline of one or two rows of chips.
      expect(layout.tops.shards).toBeLessThan(360);
      expect(await page.textContent('#shards tr.closed-shards')).toMatch(
        new RegExp(`^closed shards \\(${open - 4}\\)`),
      );
      expect(await layoutAt(1024, 768).then((narrow) => narrow.scrollWidth)).toBeLessThanOrEqual(1024);
      await page.setViewportSize({ width: 1400, height: 1000 });
      // Resharding splits each range at its middle: each shard's tickers are shared between its two children.
      await expectTickersTrue();
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-16-shards-1280x720.png') });
    await page.setViewportSize({ width: 1400, height: 1000 });
  });

  it('shows each window’s result as the aggregator wrote it in its JSONL', async () => {
    const shown = await waitFor(
      'a complete window shown as the aggregator’s latest line',
      async () => {
        const latest = [...latestResults(readJsonLines<ResultLine>(join(scratch, 'results.jsonl'))).values()].filter(
          (result) => result.complete && result.trades > 0,
        );
        for (const result of latest) {
          const row = page.locator(`#windows tr[data-window-start="${result.windowStart}"]`);
          if ((await row.count()) === 0) continue;
          const cells = await row.locator('td').allTextContents();
          const popular = (entry: ResultLine['mostPopularBuy']) => (entry ? `${entry.ticker} (${entry.count})` : '–');
          const largest = result.largestSell ? `${result.largestSell.quantity} ${result.largestSell.ticker}` : '–';
          const expected = [
            String(result.trades),
            popular(result.mostPopularBuy),
            popular(result.mostPopularSell),
            largest,
          ];
          if (JSON.stringify(cells.slice(2, 6)) === JSON.stringify(expected)) return { result, cells, row };
        }
        return undefined;
      },
      60_000,
      500,
    );
    expect(shown.cells[1]).toMatch(/^complete/);
    // Beside the count, what the producer's own log says Kinesis acknowledged in that window: the same, nothing lost
    // or doubled (worked out here from the trade log, not by the page's code).
    const start = Date.parse(shown.result.windowStart);
    const end = Date.parse(shown.result.windowEnd);
    const acknowledged = readJsonLines<TradeLogLine>(join(tradeLogs, 'p-200.jsonl')).filter((line) => {
      const at = Date.parse(line.trade.timestamp);
      return line.status === 'acknowledged' && at >= start && at < end;
    }).length;
    const cell = shown.row.locator('td.acked');
    expect(Number(await cell.getAttribute('data-acknowledged'))).toBe(acknowledged);
    expect(acknowledged).toBe(shown.result.trades);
    expect(await cell.textContent()).toBe(`${acknowledged} ✓`);
  });

  it('shows "disconnected" while the stack is down, and recovers when it is back', async () => {
    await stack.stop();
    await waitFor(
      'the page to say disconnected',
      async () => (await page.getAttribute('#status', 'data-state')) === 'disconnected',
      30_000,
      250,
    );
    expect(await page.textContent('#status')).toMatch(/^disconnected: /);
    stack = await startLocalStack({ kinesisPort: ports.kinesis, dynamodbPort: ports.dynamodb, dataDir });
    await waitFor(
      'the page to say connected again',
      async () => (await page.getAttribute('#status', 'data-state')) === 'connected',
      60_000,
      250,
    );
  });
});

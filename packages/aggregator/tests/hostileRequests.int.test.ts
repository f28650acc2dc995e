import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamAdmin } from '@stock-trades/aws';
import {
  fastAggregatorArgs,
  fastWorkerArgs,
  readJsonLines,
  type TradeLogLine,
  useEmbeddedStack,
  waitForExactResults,
  whyIncomplete,
} from '@stock-trades/testkit';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { HostileKind, pickHostileKind, seededRandom, sendHostile } from './helpers/hostileRequests.js';

const WINDOW_MS = 5000;
const CHROMIUM = '/usr/bin/chromium';
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

/** What a page on another local site runs: a CORS DeleteStream, then `rounds` of no-cors 5 MiB POSTs to both ports. */
const ATTACK_PAGE = `<!doctype html><script>
async function attack(kinesis, dynamodb, streamName, rounds) {
  let cors;
  try {
    const answer = await fetch(kinesis + '/', {
      method: 'POST',
      headers: { 'x-amz-target': 'Kinesis_20131202.DeleteStream', 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ StreamName: streamName }),
    });
    cors = 'answered ' + answer.status;
  } catch (error) {
    cors = 'blocked';
  }
  const big = 'a'.repeat(5 << 20);
  let sent = 0;
  for (let round = 0; round < rounds; round++) {
    await Promise.allSettled([kinesis, dynamodb].map((url) => fetch(url + '/', { method: 'POST', mode: 'no-cors', body: big })));
    sent += 2;
  }
  return { cors, sent };
}
</script>`;

/**
 * The embedded stack cannot be taken down by a request. While a pipeline runs on it —
 * producer, two workers, the aggregator — Node sends it a seeded stream of hostile requests
 * (random and oversized bodies, slow and truncated requests, bytes that are not HTTP,
 * idle connections) and a page on another local site, in real Chromium, tries a CORS
 * DeleteStream and floods both ports with 5 MiB no-cors POSTs. The stack answers every
 * hostile request that gets an answer with a 4xx, never a 5xx; the stream survives; and
 * the results still equal the trade log, window by window.
 */
describe('hostile requests against the embedded stack, with a pipeline running', () => {
  const env = useEmbeddedStack();

  it(`keeps the stack up and the pipeline exact (FUZZ_SEED=${SEED})`, async () => {
    await env.createStream('Trades', 4);
    await env.createStream('Stats', 1);
    const workerArgs = [...fastWorkerArgs('Trades', 'Consumer'), '--stats-stream', 'Stats'];
    const workers = [env.startWorker('A', workerArgs), env.startWorker('B', workerArgs)];
    const aggregator = env.startAggregator('aggregator', fastAggregatorArgs('Stats', 'Trades', 'Aggregator', '30s'));
    const producer = env.startProducer('fuzz', [
      '--stream',
      'Trades',
      '--rate',
      '200',
      '--duration',
      '30s',
      '--aggregate',
    ]);
    const kinesisPort = Number(new URL(env.env.STOCK_TRADES_KINESIS_ENDPOINT ?? '').port);
    const dynamodbPort = Number(new URL(env.env.STOCK_TRADES_DYNAMODB_ENDPOINT ?? '').port);

    // Node: four senders of 30 requests each, every request of a random kind to a random one of the two ports.
    const random = seededRandom(SEED);
    const statuses = new Map<HostileKind, Array<number | undefined>>();
    const sender = async () => {
      for (let request = 0; request < 30; request++) {
        const kind = pickHostileKind(random);
        const status = await sendHostile(random() < 0.5 ? kinesisPort : dynamodbPort, kind, random);
        statuses.set(kind, [...(statuses.get(kind) ?? []), status]);
      }
    };
    // Chromium: a page served from a third port, another origin than either service's.
    const site: Server = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(ATTACK_PAGE);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    let fromBrowser: { cors: string; sent: number };
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
      [fromBrowser] = await Promise.all([
        page.evaluate(
          ([kinesis, dynamodb]) =>
            (
              globalThis as unknown as { attack: (...args: unknown[]) => Promise<{ cors: string; sent: number }> }
            ).attack(kinesis, dynamodb, 'Trades', 10),
          [env.env.STOCK_TRADES_KINESIS_ENDPOINT, env.env.STOCK_TRADES_DYNAMODB_ENDPOINT],
        ),
        ...Array.from({ length: 4 }, sender),
      ]);
    } finally {
      await browser.close();
      site.close();
    }

    expect(await producer.exited).toBe(0);
    if (process.env.FUZZ_DEBUG) console.log(Object.fromEntries(statuses), fromBrowser);
    // Every kind was sent, and whatever got an answer got a 4xx: refused, never a fault of the stack. The kinds a
    // server can answer were each answered, every time.
    expect([...statuses.keys()].sort()).toEqual(Object.values(HostileKind).sort());
    const answered = [...statuses.values()].flat().filter((status): status is number => status !== undefined);
    expect(answered.filter((status) => status < 400 || status >= 500)).toEqual([]);
    for (const kind of [HostileKind.RANDOM_BYTES, HostileKind.WRONG_SHAPE, HostileKind.NOT_HTTP]) {
      expect(
        statuses.get(kind)?.every((status) => status !== undefined),
        kind,
      ).toBe(true);
    }
    // Past 10 MiB a body is refused with 413 and the connection closed (a sender still writing may meet the close first).
    expect(new Set(statuses.get(HostileKind.OVERSIZED_DECLARED))).toEqual(new Set([413]));
    expect(statuses.get(HostileKind.OVERSIZED_CHUNKED)).toContain(413);
    expect(statuses.get(HostileKind.OVERSIZED_CHUNKED)?.every((status) => status === 413 || status === undefined)).toBe(
      true,
    );
    // A body that is not JSON is answered (400 SerializationException, or the emulator's 4xx for a foreign operation).
    expect(statuses.get(HostileKind.BAD_JSON)?.every((status) => status !== undefined && status < 500)).toBe(true);
    // The page could neither delete the stream nor bring the stack down.
    expect(fromBrowser.cors).toBe('blocked');
    expect(fromBrowser.sent).toBe(20);
    expect((await new StreamAdmin(env.clients).describe('Trades'))?.status).toBe('ACTIVE');

    const log = readJsonLines<TradeLogLine>(env.path('fuzz.trades.jsonl'));
    expect(log.length).toBeGreaterThan(4000);
    const { differences, results } = await waitForExactResults(env.path('aggregator.jsonl'), log, WINDOW_MS, 90_000);
    const pipeline = { application: 'Consumer', workers: ['A', 'B'], statsStream: 'Stats' };
    expect(differences, differences.length > 0 ? await whyIncomplete(env, results, pipeline) : '').toEqual([]);
    expect([...workers, aggregator].map((running) => running.child.exitCode)).toEqual([null, null, null]);
  });
});

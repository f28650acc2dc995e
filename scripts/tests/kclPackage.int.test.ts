import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { type AwsClients, localClients, StreamAdmin } from '@stock-trades/aws';
import { DynamoLeaseStore } from '@stock-trades/kcl';
import { type RunningLocalStack, startLocalStack } from '@stock-trades/local-stack';
import { waitFor } from '@stock-trades/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const KCL = fileURLToPath(new URL('../../packages/kcl/', import.meta.url));
const KPL = fileURLToPath(new URL('../../packages/kpl/', import.meta.url));
const RECORDS = 400;

interface Line {
  readonly workerId: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly words: number;
}

/**
 * packages/kcl as a stranger gets it: packed (pnpm pack builds it to JavaScript and .d.ts),
 * installed from the tarball with npm into a fresh project outside the workspace, and its
 * README's example (examples/word-count.mjs, plain JavaScript) run twice against the
 * embedded stack: the two workers share the four shards and every record is read.
 */
/** The versions of every copy of `@aws-sdk/<name>` installed under `dir`, nested ones included. */
function sdkCopies(dir: string, name: string): string[] {
  const versions: string[] = [];
  const walk = (modules: string) => {
    if (!existsSync(modules)) return;
    const own = join(modules, '@aws-sdk', name, 'package.json');
    if (existsSync(own)) versions.push(JSON.parse(readFileSync(own, 'utf8')).version);
    for (const entry of readdirSync(modules)) {
      const scoped = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((sub) => join(entry, sub)) : [entry];
      for (const pkg of scoped) walk(join(modules, pkg, 'node_modules'));
    }
  };
  walk(join(dir, 'node_modules'));
  return versions;
}

describe('the packed kcl, installed in a fresh project', () => {
  const project = mkdtempSync(join(tmpdir(), 'kcl-user-'));
  const packs = mkdtempSync(join(tmpdir(), 'kcl-pack-'));
  let stack: RunningLocalStack;
  let clients: AwsClients;
  const workers: ChildProcess[] = [];
  const scratch: string[] = [];
  let tarballs: string[] = [];

  beforeAll(async () => {
    // kcl and the KPL-format package it deaggregates with, as a stranger installs the two.
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: KPL });
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: KCL });
    tarballs = readdirSync(packs)
      .filter((name) => name.endsWith('.tgz'))
      .map((name) => join(packs, name));
    expect(tarballs).toHaveLength(2);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'word-count', private: true, type: 'module', dependencies: {} }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], {
      cwd: project,
      timeout: 240_000,
    });
    copyFileSync(join(KCL, 'examples', 'word-count.mjs'), join(project, 'word-count.mjs'));
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
    clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  }, 300_000);

  /** Only the SDK's standard environment points a stranger's worker at the embedded stack. */
  const sdkEnv = () => ({
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_KINESIS: stack.kinesisEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
  });

  /** Each JSON line a worker prints, parsed, as it comes. */
  const onJsonLines = <T>(worker: ChildProcess, onLine: (line: T) => void) => {
    let pending = '';
    worker.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) if (line.trim()) onLine(JSON.parse(line) as T);
    });
  };

  afterAll(async () => {
    for (const worker of workers) worker.kill('SIGKILL');
    clients?.destroy();
    await stack?.stop();
    rmSync(project, { recursive: true, force: true });
    rmSync(packs, { recursive: true, force: true });
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it('gives its types, runs from plain JavaScript, and two workers share the shards and read every record', async () => {
    for (const [name, minLinks] of [
      ['kcl', 3],
      ['kpl', 1],
    ] as const) {
      // The package a stranger installed: JavaScript and declarations, no TypeScript sources.
      const installed = join(project, 'node_modules', '@stock-trades', name);
      expect(readdirSync(join(installed, 'dist'))).toEqual(expect.arrayContaining(['index.js', 'index.d.ts']));
      expect(readdirSync(installed)).not.toContain('src');
      // So its source maps carry their sources: a stack trace (node --enable-source-maps) or a debugger shows the
      // TypeScript, and nothing points at a file the package does not have (no declaration maps).
      const dist = readdirSync(join(installed, 'dist'));
      expect(dist.filter((file) => file.endsWith('.d.ts.map'))).toEqual([]);
      const maps = dist.filter((file) => file.endsWith('.js.map'));
      expect(maps.length).toBeGreaterThan(0);
      for (const file of maps) {
        const map = JSON.parse(readFileSync(join(installed, 'dist', file), 'utf8')) as {
          sources: string[];
          sourcesContent?: Array<string | null>;
        };
        expect(map.sourcesContent?.length).toBe(map.sources.length);
        expect(map.sourcesContent?.every((content) => typeof content === 'string' && content.length > 0)).toBe(true);
      }
      // Every link of its README to a file of its own resolves inside the package as installed.
      const readme = readFileSync(join(installed, 'README.md'), 'utf8');
      const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map(([, target]) => target ?? '')
        .filter((target) => !/^[a-z]+:/.test(target));
      expect(links.length).toBeGreaterThanOrEqual(minLinks);
      expect(links.filter((target) => !existsSync(join(installed, target)))).toEqual([]);
    }

    // The KPL format on its own: no AWS SDK among its dependencies, and its example runs as installed.
    const kpl = join(project, 'node_modules', '@stock-trades', 'kpl');
    expect(Object.keys(JSON.parse(readFileSync(join(kpl, 'package.json'), 'utf8')).dependencies)).toEqual([
      'protobufjs',
    ]);
    copyFileSync(join(kpl, 'examples', 'round-trip.mjs'), join(project, 'round-trip.mjs'));
    const { stdout } = await run(process.execPath, ['round-trip.mjs'], { cwd: project });
    expect(JSON.parse(stdout)).toMatchObject({ userRecords: 5000, inOrder: true, outOfRange: 0 });
    expect(JSON.parse(stdout).aggregates).toBeGreaterThan(1);

    const streams = new StreamAdmin(clients);
    await streams.create('log-lines', { capacity: 'PROVISIONED', shards: 4 });
    await streams.waitUntilActive('log-lines');
    for (let batch = 0; batch < RECORDS / 100; batch++) {
      await clients.kinesis.send(
        new PutRecordsCommand({
          StreamName: 'log-lines',
          Records: Array.from({ length: 100 }, (_, index) => ({
            Data: Buffer.from(`line ${batch * 100 + index} has five words`),
            PartitionKey: `key-${batch * 100 + index}`,
          })),
        }),
      );
    }

    const env = { ...sdkEnv(), FAILOVER_MS: '3000' };
    const lines: Line[] = [];
    const exits: Array<Promise<number | null>> = [];
    for (const name of ['alpha', 'beta']) {
      const worker = spawn(process.execPath, ['word-count.mjs', name], { cwd: project, env, stdio: 'pipe' });
      workers.push(worker);
      exits.push(new Promise((resolve) => worker.once('exit', (code) => resolve(code))));
      onJsonLines<Line>(worker, (line) => lines.push(line));
    }

    const leases = new DynamoLeaseStore({ tableName: 'word-count', dynamodbClient: clients.dynamodb });
    await waitFor(
      'every record read, and the shards shared between the two workers',
      async () => {
        // The first worker up creates the lease table.
        const table = await leases.listLeases().catch(() => []);
        const owners = new Set(table.map((lease) => lease.leaseOwner));
        const read = new Set(lines.map((line) => `${line.shardId}/${line.sequenceNumber}`));
        return read.size === RECORDS && owners.has('alpha') && owners.has('beta');
      },
      90_000,
      500,
    );
    expect(lines.every((line) => line.words === 5)).toBe(true);

    for (const worker of workers) worker.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
    // A clean stop checkpoints and releases: every lease is left without an owner.
    expect((await leases.listLeases()).map((lease) => lease.leaseOwner ?? null)).toEqual([null, null, null, null]);
  });

  it('runs on the lowest AWS SDK its peer range allows, with the user’s own single copy', async () => {
    // The floor of kcl's peer range, installed by the user beside the two tarballs.
    const manifest = JSON.parse(readFileSync(join(KCL, 'package.json'), 'utf8'));
    const lowest = (name: string) => `${name}@${String(manifest.peerDependencies[name]).replace(/^\^/, '')}`;
    const low = mkdtempSync(join(tmpdir(), 'kcl-lowest-sdk-'));
    scratch.push(low);
    writeFileSync(join(low, 'package.json'), JSON.stringify({ name: 'lowest', private: true, type: 'module' }));
    const sdk = [lowest('@aws-sdk/client-kinesis'), lowest('@aws-sdk/client-dynamodb')];
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, ...sdk], {
      cwd: low,
      timeout: 240_000,
    });
    // One copy of each client in either project: the user's own (the floor here, the newest in the first project).
    for (const [dir, version] of [
      [low, sdk[0]?.split('@')[2]],
      [project, undefined],
    ] as const) {
      const copies = sdkCopies(dir, 'client-kinesis');
      expect(copies).toHaveLength(1);
      if (version) expect(copies[0]).toBe(version);
      expect(sdkCopies(dir, 'client-dynamodb')).toHaveLength(1);
    }

    const streams = new StreamAdmin(clients);
    await streams.create('lowest-lines', { capacity: 'PROVISIONED', shards: 2 });
    await streams.waitUntilActive('lowest-lines');
    await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'lowest-lines',
        Records: Array.from({ length: 50 }, (_, index) => ({
          Data: Buffer.from(`a b ${index}`),
          PartitionKey: `k${index}`,
        })),
      }),
    );
    copyFileSync(join(KCL, 'examples', 'word-count.mjs'), join(low, 'word-count.mjs'));
    // Polling, then enhanced fan-out (HTTP/2, an event stream): the SDK of that time against the stack as against AWS.
    for (const retrieval of ['polling', 'fan-out']) {
      const env = {
        ...sdkEnv(),
        STREAM_NAME: 'lowest-lines',
        APPLICATION_NAME: `lowest-sdk-${retrieval}`,
        RETRIEVAL: retrieval,
      };
      const worker = spawn(process.execPath, ['word-count.mjs', 'floor'], { cwd: low, env, stdio: 'pipe' });
      workers.push(worker);
      const exit = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
      const lines: Line[] = [];
      onJsonLines<Line>(worker, (line) => lines.push(line));
      await waitFor(`every record read on the lowest SDK, ${retrieval}`, () => lines.length >= 50, 60_000, 250);
      expect(new Set(lines.map((line) => line.sequenceNumber)).size).toBe(50);
      worker.kill('SIGTERM');
      expect(await exit).toBe(0);
    }
  });

  it('gets a batch its processor threw on twice done within a few seconds, in place, its lease never lost', async () => {
    const streams = new StreamAdmin(clients);
    await streams.create('flaky-lines', { capacity: 'PROVISIONED', shards: 1 });
    await streams.waitUntilActive('flaky-lines');
    await clients.kinesis.send(
      new PutRecordsCommand({
        StreamName: 'flaky-lines',
        Records: Array.from({ length: 200 }, (_, index) => ({ Data: Buffer.from(`line ${index}`), PartitionKey: 'k' })),
      }),
    );
    // Plain JavaScript, as a service owner writes it: a processor that throws the first two times it sees line 7.
    writeFileSync(
      join(project, 'flaky.mjs'),
      `import { createWorker } from '@stock-trades/kcl';
let thrown = 0;
const say = (line) => console.log(JSON.stringify({ ...line, at: Date.now() }));
const worker = createWorker({
  applicationName: 'flaky',
  streamName: 'flaky-lines',
  workerId: 'flaky',
  failoverMs: 3000,
  processorFactory: () => ({
    initialize: () => {},
    processRecords: async ({ records, checkpointer }) => {
      for (const record of records) {
        const text = Buffer.from(record.data).toString('utf8');
        if (text === 'line 7' && thrown < 2) {
          thrown++;
          say({ threw: text });
          throw new Error('the database is down');
        }
        say({ processed: text });
      }
      if (records.length > 0) await checkpointer.checkpoint();
    },
    leaseLost: () => say({ leaseLost: true }),
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  }),
});
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
await worker.run(stop.signal);
`,
    );
    const env = sdkEnv();
    const worker = spawn(process.execPath, ['flaky.mjs'], { cwd: project, env, stdio: 'pipe' });
    workers.push(worker);
    type Event = { threw?: string; processed?: string; leaseLost?: boolean; at: number };
    const events: Event[] = [];
    onJsonLines<Event>(worker, (event) => events.push(event));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    await waitFor(
      'all 200 lines processed',
      () => new Set(events.flatMap((event) => (event.processed ? [event.processed] : []))).size === 200,
      60_000,
      100,
    );
    const throws = events.filter((event) => event.threw);
    const done = events.find((event) => event.processed === 'line 7');
    expect(throws).toHaveLength(2);
    // Before, each throw cost a lease expiry (22.6 s for two); now the batch is retried in place within seconds.
    expect((done?.at ?? Number.POSITIVE_INFINITY) - (throws[0]?.at ?? 0)).toBeLessThan(5000);
    expect(events.filter((event) => event.leaseLost)).toEqual([]);
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Taken once and kept: the lease's own record of changes of owner has a single take.
    const [lease] = await new DynamoLeaseStore({ tableName: 'flaky', dynamodbClient: clients.dynamodb }).listLeases();
    expect(lease?.checkpoint.sequenceNumber).not.toBe('TRIM_HORIZON');
    expect(lease?.transitions?.map((transition) => [transition.kind, transition.worker])).toEqual([
      ['took', 'flaky'],
      ['released', 'flaky'],
    ]);
  });

  it('stops within its shutdown timeout though a processor never returns, naming the shard and giving its lease back', async () => {
    // A worker whose processor hangs on its first records (a call that never answers, a deadlock).
    writeFileSync(
      join(project, 'hung.mjs'),
      `import { createWorker } from '@stock-trades/kcl';
const worker = createWorker({
  applicationName: 'hung',
  streamName: 'log-lines',
  workerId: 'hung',
  failoverMs: 3000,
  shutdownTimeoutMs: 2000,
  processorFactory: () => ({
    initialize: () => {},
    processRecords: ({ records }) => (records.length > 0 ? new Promise(() => console.log('hung')) : undefined),
    leaseLost: () => {},
    shardEnded: ({ checkpointer }) => checkpointer.checkpoint(),
    shutdownRequested: ({ checkpointer }) => checkpointer.checkpoint(),
  }),
});
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
const { unfinishedShards } = await worker.run(stop.signal);
console.log(JSON.stringify({ unfinishedShards }));
`,
    );
    const env = sdkEnv();
    const worker = spawn(process.execPath, ['hung.mjs'], { cwd: project, env, stdio: 'pipe' });
    workers.push(worker);
    let output = '';
    worker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    await waitFor('the processors to hang', () => output.includes('hung'), 60_000, 100);

    // Before the timeout, this never exited: run() waited for the hung processor (the test's own timeout fails it).
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);

    const { unfinishedShards } = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { unfinishedShards: string[] };
    expect(unfinishedShards.length).toBeGreaterThan(0);
    const leases = await new DynamoLeaseStore({ tableName: 'hung', dynamodbClient: clients.dynamodb }).listLeases();
    for (const shardId of unfinishedShards) {
      expect(leases.find((lease) => lease.leaseKey === shardId)?.leaseOwner).toBeUndefined();
    }
  });
});

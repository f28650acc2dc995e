import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { type AwsClients, localClients, localTargetEnv, readAllRecords, StreamAdmin } from '@stock-trades/aws';
import { PROJECT_RESOURCES, parseTrade, STREAM_NAME } from '@stock-trades/core';
import { type RunningLocalStack, startLocalStack } from '@stock-trades/local-stack';
import { runCommand } from '@stock-trades/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('tutorial steps 1, 3 and clean-up on the embedded stack', () => {
  let stack: RunningLocalStack;
  let clients: AwsClients;
  let env: NodeJS.ProcessEnv;
  const scratch = mkdtempSync(join(tmpdir(), 'steps-'));

  beforeAll(async () => {
    stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
    clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    env = localTargetEnv(stack.kinesisEndpoint, stack.dynamodbEndpoint);
  });
  afterAll(async () => {
    clients?.destroy();
    await stack?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('create-stream makes 4 shards, and says so again without error the second time', async () => {
    const first = await runCommand('create-stream', ['--shards', '4'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/StockTradeStream is ACTIVE with 4 open shards/);

    const second = await runCommand('create-stream', ['--shards', '4'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('StockTradeStream already exists (ACTIVE, 4 open shards): nothing to do.');

    const mismatch = await runCommand('create-stream', ['--shards', '2'], env);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^error: StockTradeStream already exists with 4 open shards, not 2/);
  });

  it('producer --count 1000 --trade-log: the stream holds exactly the logged trades, where the log says', async () => {
    // Act
    const tradeLog = join(scratch, 'trades.jsonl');
    const run = await runCommand(
      'producer',
      ['--count', '1000', '--rate', 'max', '--seed', '11', '--trade-log', tradeLog],
      env,
    );
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Sent 1000 trades to StockTradeStream/);
    const logged = readFileSync(tradeLog, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { shardId: string; sequenceNumber: string; trade: { id: number; tickerSymbol: string } },
      );
    expect(logged).toHaveLength(1000);
    expect(logged.map((line) => line.trade.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, index) => index + 1),
    );

    const stored = await readAllRecords(clients, STREAM_NAME);
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((record) => record.shardId)).size).toBe(4);
    const bySequence = new Map(stored.map((record) => [`${record.shardId}/${record.sequenceNumber}`, record]));
    for (const line of logged) {
      const record = bySequence.get(`${line.shardId}/${line.sequenceNumber}`);
      expect(record, `trade ${line.trade.id} at ${line.shardId}/${line.sequenceNumber}`).toBeDefined();
      const parsed = parseTrade(record?.data ?? new Uint8Array());
      expect(parsed).toMatchObject({ ok: true, trade: line.trade });
      expect(record?.partitionKey).toBe(line.trade.tickerSymbol);
    }
  });

  it('producer refuses bad flags with one line and exit 2', async () => {
    const run = await runCommand('producer', ['--count', 'lots'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --count must be a whole number, got "lots"\n');
  });

  it.each([
    ['producer', ['--stream', 'bad name!'], /^error: --stream must be a Kinesis stream name: 1-128 letters/],
    ['producer', ['--stream', 's'.repeat(200)], /\(200 characters\)$/],
    ['producer', ['--rate', '0x10'], /^error: --rate must be a number, got "0x10"$/],
    ['consumer', ['--application-name', 'x'], /^error: --application-name must be a DynamoDB table name: 3-255/],
    ['consumer', ['--application-name', 'a'.repeat(300)], /\(300 characters\)$/],
    ['aggregator', ['--stream', ''], /^error: --stream must be a Kinesis stream name/],
    ['create-stream', ['--stream', 'no/slash'], /^error: --stream must be a Kinesis stream name/],
  ])('%s %s: one line by AWS’s naming rule, exit 2, before anything is called', async (command, args, message) => {
    const run = await runCommand(command, args, env);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('producer opens its trade log before sending anything: a path that cannot be written sends no trade', async () => {
    const before = (await readAllRecords(clients, STREAM_NAME)).length;
    const missing = await runCommand('producer', ['--count', '200', '--trade-log', '/nonexistent/x.jsonl'], env);
    const folder = await runCommand('producer', ['--count', '200', '--trade-log', scratch], env);
    expect(missing.stderr).toBe(
      'error: --trade-log /nonexistent/x.jsonl cannot be written: its folder /nonexistent does not exist\n',
    );
    expect(missing.code).toBe(2);
    expect(folder.stderr).toBe(`error: --trade-log ${scratch} cannot be written: it is a folder\n`);
    expect(folder.code).toBe(2);
    expect((await readAllRecords(clients, STREAM_NAME)).length).toBe(before);
  });

  it('producer on a full disk (--trade-log /dev/full): stops sending, names every trade the stream got, exits 1 with one line', async () => {
    // Prepare: a stream of its own, so what is in it is exactly what this run sent.
    await new StreamAdmin(clients).create('FullDisk', { capacity: 'PROVISIONED', shards: 2 });
    await new StreamAdmin(clients).waitUntilActive('FullDisk');
    // Act
    const run = await runCommand(
      'producer',
      ['--stream', 'FullDisk', '--count', '5000', '--rate', '2000', '--trade-log', '/dev/full'],
      env,
    );
    // Assess: no stack trace; a line of ids, then the one error line.
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^trades acknowledged by Kinesis but not in the trade log: [\d, -]+$/);
    expect(lines[1]).toMatch(
      /^error: --trade-log \/dev\/full could not be written: no space left on the device \(ENOSPC\): stopped sending; \d+ trades Kinesis acknowledged are not in the log \(ids above\)$/,
    );
    // What the stream holds is exactly the trades named: none left unaccounted for, and it stopped early.
    const named = (lines[0] ?? '')
      .split(': ')[1]
      ?.split(', ')
      .flatMap((range) => {
        const [from = 0, to = from] = range.split('-').map(Number);
        return Array.from({ length: to - from + 1 }, (_, index) => from + index);
      });
    const stored = (await readAllRecords(clients, 'FullDisk')).map((record) => {
      const parsed = parseTrade(record.data);
      return parsed.ok ? parsed.trade.id : -1;
    });
    expect(stored.sort((a, b) => a - b)).toEqual(named);
    expect(stored.length).toBeLessThan(5000);
    expect(Number(/(\d+) trades Kinesis acknowledged/.exec(lines[1] ?? '')?.[1])).toBe(stored.length);
  });

  it('an endpoint variable that is not a URL, or one port for both emulators, is a usage error (exit 2)', async () => {
    const endpoint = await runCommand('producer', ['--count', '1'], {
      ...env,
      STOCK_TRADES_KINESIS_ENDPOINT: 'notaurl',
    });
    expect(endpoint.stderr).toMatch(/^error: STOCK_TRADES_KINESIS_ENDPOINT must be an http\(s\) URL/);
    expect(endpoint.code).toBe(2);
    const ports = await runCommand('local-stack', ['--kinesis-port', '4806', '--dynamodb-port', '4806'], env);
    expect(ports.stdout).not.toMatch(/is up/);
    expect(ports.stderr).toBe('error: --kinesis-port and --dynamodb-port must differ, both are 4806\n');
    expect(ports.code).toBe(2);
  });

  it('--target aws reaches an endpoint that speaks the Kinesis API over HTTP/1.1 (kinesis-local, as LocalStack runs it)', async () => {
    const awsEnv = {
      STOCK_TRADES_TARGET: 'aws',
      AWS_ENDPOINT_URL_KINESIS: stack.kinesisEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const run = await runCommand('producer', ['--count', '1000', '--rate', 'max'], awsEnv);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/Sent 1000 trades to StockTradeStream/);
    expect(run.code).toBe(0);
  });

  it('teardown deletes everything the project made, twice without error, and nothing is left', async () => {
    const refused = await runCommand('teardown', [], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/run `pnpm teardown --yes`/);

    const first = await runCommand('teardown', ['--yes'], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('stream StockTradeStream: deleted');
    // Before deleting, what it would have cost on AWS: the shards since created, and the PUT payload units the stack
    // counted (at least one per trade the producers above sent, each a record of its own).
    expect(first.stdout).toMatch(/^If this ran on AWS \(us-east-1 list prices of 2026-12-04/m);
    expect(first.stdout).toMatch(
      /^ {2}\d+\.\d\d shard-hours \(\d+ open shards since created\) × \$0\.015 = \$0\.\d{4}$/m,
    );
    const units = Number(/^ {2}([\d,]+) PUT payload units/m.exec(first.stdout)?.[1]?.replaceAll(',', ''));
    expect(units).toBeGreaterThanOrEqual(1000);

    const second = await runCommand('teardown', ['--yes'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('stream StockTradeStream: already gone');
    expect(second.stdout).toContain('Nothing to delete.');

    const ours = new Set(PROJECT_RESOURCES.map((resource) => resource.name));
    const streams = (await clients.kinesis.send(new ListStreamsCommand({}))).StreamNames ?? [];
    const tables = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    expect([...streams, ...tables].filter((name) => ours.has(name))).toEqual([]);
  });
});

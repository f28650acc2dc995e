import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { localClients } from '@stock-trades/aws';
import { afterAll, describe, expect, it } from 'vitest';
import { PortInUseError, type RunningLocalStack, startLocalStack } from '../src/index.js';

/** Local addresses of the TCP sockets listening on `port`, read from /proc (IPv4 and IPv6). */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const addresses: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) addresses.push(local.split(':')[0] ?? '');
    }
  }
  return addresses;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilDead(pids: readonly number[], timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (pids.every((pid) => !isAlive(pid))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

describe('startLocalStack', () => {
  const running: RunningLocalStack[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'stack-data-'));
  afterAll(async () => {
    await Promise.all(running.map((stack) => stack.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts both emulators on free ports, bound to 127.0.0.1 only, and both answer', async () => {
    // Act
    const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
    running.push(stack);
    const clients = localClients(stack.kinesisEndpoint, stack.dynamodbEndpoint);
    // Assess
    await expect(clients.kinesis.send(new ListStreamsCommand({}))).resolves.toMatchObject({ StreamNames: [] });
    await expect(clients.dynamodb.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
    for (const endpoint of [stack.kinesisEndpoint, stack.dynamodbEndpoint]) {
      expect(listeningAddresses(Number(new URL(endpoint).port))).toEqual(['0100007F']);
    }
    clients.destroy();
  });

  it('fails at once with a one-line error when a port is taken', async () => {
    const [first] = running;
    const busy = Number(new URL(first?.kinesisEndpoint ?? '').port);
    const started = Date.now();
    const attempt = startLocalStack({ kinesisPort: busy, dynamodbPort: 0 });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(`port ${busy} for Kinesis is already in use on 127.0.0.1`);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops both processes and leaves none behind', async () => {
    const stack = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0 });
    expect(stack.pids).toHaveLength(2);
    await stack.stop();
    expect(await waitUntilDead(stack.pids)).toBe(true);
    await stack.stop(); // a second stop is harmless
  });

  it('keeps streams and tables across a restart with a data folder', async () => {
    // Prepare
    const first = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, dataDir });
    const before = localClients(first.kinesisEndpoint, first.dynamodbEndpoint);
    await before.kinesis.send(new CreateStreamCommand({ StreamName: 'Kept', ShardCount: 1 }));
    await before.dynamodb.send(
      new CreateTableCommand({
        TableName: 'KeptTable',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    before.destroy();
    await new Promise((resolve) => setTimeout(resolve, 2500)); // kinesis-local persists every second
    await first.stop();
    // Act
    const second = await startLocalStack({ kinesisPort: 0, dynamodbPort: 0, dataDir });
    running.push(second);
    const after = localClients(second.kinesisEndpoint, second.dynamodbEndpoint);
    // Assess
    expect((await after.kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(['Kept']);
    expect((await after.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(['KeptTable']);
    after.destroy();
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { InvalidOptionError } from '@stock-trades/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClients, localClients, localTargetEnv, resolveTarget, Target } from '../src/index.js';

/** A loopback HTTP/1.1 server; `answer` says what each request gets (or nothing, to hang). */
async function serve(answer: (respond: (body: object) => void) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    answer((body) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const SUMMARY = {
  StreamDescriptionSummary: { StreamName: 'S', StreamStatus: 'ACTIVE', OpenShardCount: 1, RetentionPeriodHours: 24 },
};

describe('createClients', () => {
  const servers: Server[] = [];
  afterEach(() => {
    vi.unstubAllEnvs();
    for (const server of servers.splice(0)) server.close();
  });

  it('aborts a request that outlasts the timeout instead of waiting on a hung endpoint', async () => {
    const { server, url } = await serve(() => {}); // accepts, never answers
    servers.push(server);
    const clients = localClients(url, url, { requestTimeoutMs: 200 });
    try {
      const call = clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'S' }));
      await expect(call).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      clients.destroy();
    }
  }, 10_000);

  it('reaches a Kinesis endpoint that speaks HTTP/1.1 only with --target aws (as LocalStack users point AWS_ENDPOINT_URL_KINESIS)', async () => {
    const { server, url } = await serve((respond) => respond(SUMMARY));
    servers.push(server);
    // The SDK reads its standard variables from the process environment itself.
    vi.stubEnv('AWS_ENDPOINT_URL_KINESIS', url);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
    const clients = createClients(Target.AWS);
    try {
      const answer = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'S' }));
      expect(answer.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    } finally {
      clients.destroy();
    }
  }, 20_000);

  it.each([
    ['STOCK_TRADES_KINESIS_ENDPOINT', Target.LOCAL],
    ['STOCK_TRADES_DYNAMODB_ENDPOINT', Target.LOCAL],
    ['AWS_ENDPOINT_URL_KINESIS', Target.AWS],
  ])('refuses %s that is not a URL with one line naming it (a usage error)', (name, target) => {
    const build = () => createClients(target, { [name]: 'notaurl' });
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(`${name} must be an http(s) URL like http://127.0.0.1:4568, got "notaurl"`);
  });
});

describe('localTargetEnv', () => {
  it('is the environment a started command reads to reach that embedded stack', () => {
    const env = localTargetEnv('http://127.0.0.1:4001', 'http://127.0.0.1:4002');
    expect(resolveTarget(undefined, env)).toBe(Target.LOCAL);
    const clients = createClients(resolveTarget(undefined, env), env);
    try {
      expect([clients.kinesisEndpoint, clients.dynamodbEndpoint]).toEqual([
        'http://127.0.0.1:4001',
        'http://127.0.0.1:4002',
      ]);
    } finally {
      clients.destroy();
    }
  });
});

import { Readable } from 'node:stream';
import {
  type KinesisClient,
  type KinesisClientConfig,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { KinesisStreamPort } from '../src/KinesisStreamPort.js';

/** A Kinesis client that fails every call as throttled. */
const throttling = {
  send: async () => {
    throw new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
  },
} as unknown as KinesisClient;

describe('KinesisStreamPort: a failed call says what it was doing', () => {
  it.each([
    ['list shards of Trades', (port: KinesisStreamPort) => port.listShards()],
    ['get an iterator for shard-1', (port: KinesisStreamPort) => port.getShardIterator('shard-1', { type: 'LATEST' })],
    ['get records', (port: KinesisStreamPort) => port.getRecords('iterator', 100)],
  ])('%s', async (action, call) => {
    await expect(call(new KinesisStreamPort({ streamName: 'Trades', kinesisClient: throttling }))).rejects.toThrow(
      `${action}: ProvisionedThroughputExceededException: Rate exceeded`,
    );
  });

  it('and when Kinesis returns no iterator, says so', async () => {
    const port = new KinesisStreamPort({
      streamName: 'Trades',
      kinesisClient: { send: async () => ({}) } as unknown as KinesisClient,
    });
    await expect(port.getShardIterator('shard-1', { type: 'LATEST' })).rejects.toThrow(
      'get an iterator for shard-1 failed: Error: GetShardIterator returned no iterator',
    );
  });
});

describe('KinesisStreamPort: the client', () => {
  it('builds its own Kinesis client from a configuration', async () => {
    // The SDK's own client, with an HTTP handler that answers ListShards with one shard.
    const targets: string[] = [];
    const body = JSON.stringify({
      Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' } }],
    });
    const config: KinesisClientConfig = {
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          targets.push(request.headers['x-amz-target'] ?? '');
          const headers = { 'content-type': 'application/x-amz-json-1.1' };
          return { response: { statusCode: 200, headers, body: Readable.from([Buffer.from(body)]) } };
        },
      } as unknown as KinesisClientConfig['requestHandler'],
    };

    const shards = await new KinesisStreamPort({ streamName: 'Trades', kinesisConfig: config }).listShards();

    expect(shards.map((shard) => shard.shardId)).toEqual(['shardId-000000000000']);
    expect(targets).toEqual(['Kinesis_20131202.ListShards']);
  });
});

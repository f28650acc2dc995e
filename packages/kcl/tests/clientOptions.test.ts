import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { createWorker, DynamoLeaseStore, InvalidConfigError, KinesisStreamPort } from '../src/index.js';

const processorFactory = () => {
  throw new Error('never called: the worker is not run');
};

describe('createWorker’s own options', () => {
  const names = { applicationName: 'App', streamName: 'clicks', workerId: 'w' };
  it.each([
    ['no processor factory', {}, 'processorFactory must be a function: (shardId) => the processor for that shard'],
    [
      'a logger without its methods',
      { processorFactory, log: console.log },
      'log must have debug, info, warn and error methods (pino-compatible)',
    ],
    [
      'metrics without record',
      { processorFactory, metrics: {} },
      'metrics must have a record method: emfMetrics(…), openTelemetryMetrics(meter) or yours',
    ],
    [
      'a misspelt option',
      { processorFactory, processorFactry: processorFactory },
      'unknown setting processorFactry (did you mean processorFactory?)',
    ],
    // Misspelt, the factory is named as such rather than reported missing.
    [
      'a misspelt factory and nothing else',
      { procesorFactory: processorFactory },
      'unknown setting procesorFactory (did you mean processorFactory?)',
    ],
    [
      'a logger with only some of its methods',
      { processorFactory, log: { info: () => {} } },
      'log must have debug, info, warn and error methods (pino-compatible)',
    ],
    [
      'a metrics record that is not a function',
      { processorFactory, metrics: { record: 5 } },
      'metrics must have a record method: emfMetrics(…), openTelemetryMetrics(meter) or yours',
    ],
  ])('refuses %s with one INVALID_CONFIG error', (_, options, message) => {
    const make = () => createWorker({ ...names, ...(options as object) } as never);
    expect(make).toThrow(InvalidConfigError);
    expect(make).toThrow(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  it('refuses no options at all, and takes a whole logger and a metrics sink', () => {
    for (const nothing of [null, undefined, 'App'])
      expect(() => createWorker(nothing as never)).toThrow(/^createWorker takes an options object$/);
    const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    expect(createWorker({ ...names, processorFactory, log, metrics: { record: () => {} } }).workerId).toBe('w');
  });
});

describe('named client options', () => {
  it('uses the client it is given, as it is', async () => {
    let sent = '';
    const kinesisClient = new KinesisClient({ region: 'eu-west-1' });
    kinesisClient.send = (async (command: { constructor: { name: string } }) => {
      sent = command.constructor.name;
      return { Shards: [] };
    }) as never;
    await new KinesisStreamPort({ streamName: 'clicks', kinesisClient }).listShards();
    expect(sent).toBe('ListShardsCommand');
  });

  it('makes a client from the configuration it is given', async () => {
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbConfig: { region: 'ap-south-1' } });
    const client = (store as unknown as { dynamodb: DynamoDBClient }).dynamodb;
    expect(client).toBeInstanceOf(DynamoDBClient);
    expect(await client.config.region()).toBe('ap-south-1');
    const port = new KinesisStreamPort({ streamName: 'clicks', kinesisConfig: { region: 'sa-east-1' } });
    expect(await (port as unknown as { kinesis: KinesisClient }).kinesis.config.region()).toBe('sa-east-1');
  });

  it.each([
    ['kinesisClient and kinesisConfig', { kinesisClient: new KinesisClient({}), kinesisConfig: {} }],
    ['dynamodbClient and dynamodbConfig', { dynamodbClient: new DynamoDBClient({}), dynamodbConfig: {} }],
  ])('refuses %s together, with an INVALID_CONFIG error', (_, clients) => {
    const make = () =>
      createWorker({ applicationName: 'App', streamName: 'clicks', workerId: 'w', processorFactory, ...clients });
    expect(make).toThrow(InvalidConfigError);
    expect(make).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining('not both') }),
    );
  });
});

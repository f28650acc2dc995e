import { Readable } from 'node:stream';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type DynamoDBClientConfig,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLeaseStore } from '../src/DynamoLeaseStore.js';
import { DependencyError, TableNotReadyError, ThrottledError } from '../src/errors.js';
import { FakeClock } from './helpers/FakeClock.js';

type Command = { readonly input: object };
const metadata = { $metadata: {} };
const missing = () => new ResourceNotFoundException({ message: 'Requested resource not found', ...metadata });

/**
 * A DynamoDB client that answers DescribeTable with the statuses the test lists (one per call, the last
 * one repeated; an Error is thrown) and CreateTable with `onCreate`, recording every command.
 */
function tableClient(statuses: Array<string | Error>, onCreate: () => Error | undefined = () => undefined) {
  const sent: Command[] = [];
  const client = {
    send: async (command: Command) => {
      sent.push(command);
      if (command instanceof DescribeTableCommand) {
        const status = statuses.length > 1 ? statuses.shift() : statuses[0];
        if (status instanceof Error) throw status;
        return { Table: { TableName: 'App', TableStatus: status } };
      }
      if (command instanceof CreateTableCommand) {
        const failure = onCreate();
        if (failure) throw failure;
        return {};
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  };
  const creates = () => sent.filter((command) => command instanceof CreateTableCommand).map(({ input }) => input);
  const described = () => sent.filter((command) => command instanceof DescribeTableCommand).map(({ input }) => input);
  const looks = () => described().length;
  return { client: client as unknown as DynamoDBClient, creates, looks, described };
}

describe('DynamoLeaseStore.ensureTable', () => {
  it('creates a missing table keyed by leaseKey, on demand, then waits until it is ACTIVE', async () => {
    const clock = new FakeClock(0);
    const { client, creates, looks } = tableClient([missing(), 'CREATING', 'CREATING', 'ACTIVE']);

    await new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client, clock }).ensureTable();

    expect(creates()).toEqual([
      {
        TableName: 'App',
        AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      },
    ]);
    expect(looks()).toBe(4);
    expect(clock.monotonicNow()).toBe(500); // looked again every 250 ms while CREATING
  });

  it('uses a table that is already ACTIVE as it is', async () => {
    const clock = new FakeClock(0);
    const { client, creates, described } = tableClient(['ACTIVE']);

    await new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client, clock }).ensureTable();

    expect(described()).toEqual([{ TableName: 'App' }, { TableName: 'App' }]); // its own table, each look
    expect(creates()).toEqual([]);
    expect(clock.monotonicNow()).toBe(0);
  });

  it('waits for a table another worker is creating at the same moment (ResourceInUseException)', async () => {
    const { client, creates, looks } = tableClient([missing(), 'CREATING', 'ACTIVE'], () => {
      return new ResourceInUseException({ message: 'Table already exists: App', ...metadata });
    });

    await expect(
      new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client, clock: new FakeClock(0) }).ensureTable(),
    ).resolves.toBeUndefined();

    expect(creates()).toHaveLength(1);
    expect(looks()).toBe(3);
  });

  it('fails with the translated error when the table cannot be created, naming the table', async () => {
    const refused = Object.assign(new Error('not authorized to perform dynamodb:CreateTable'), {
      name: 'AccessDeniedException',
    });
    const { client, looks } = tableClient([missing()], () => refused);

    const error = await new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client, clock: new FakeClock(0) })
      .ensureTable()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toMatch(/^create table App failed: AccessDeniedException/);
    expect(looks()).toBe(1);
  });

  it('fails with the translated error when the table cannot be described, without creating it', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const { client, creates } = tableClient([throttled]);

    const error = await new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client, clock: new FakeClock(0) })
      .ensureTable()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toMatch(/^describe table App: ThrottlingException/);
    expect(creates()).toEqual([]);
  });

  it('gives up with TableNotReadyError (TABLE_NOT_READY) once the table has not become ACTIVE for two minutes', async () => {
    const clock = new FakeClock(0);
    const { client } = tableClient(['CREATING']);

    const error = await new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client, clock })
      .ensureTable()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TableNotReadyError);
    expect(error).toMatchObject({ code: 'TABLE_NOT_READY', message: 'table App did not become ACTIVE within 120 s' });
    // Past the two minutes by less than one 250 ms look, not before.
    expect(clock.monotonicNow()).toBeGreaterThan(120_000);
    expect(clock.monotonicNow()).toBeLessThanOrEqual(120_250);
  });
});

describe('DynamoLeaseStore: the client', () => {
  it('builds its own DynamoDB client from a configuration', async () => {
    // The SDK's own client, with an HTTP handler that answers every request with an empty JSON object.
    const targets: string[] = [];
    const config: DynamoDBClientConfig = {
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          targets.push(request.headers['x-amz-target'] ?? '');
          const headers = { 'content-type': 'application/x-amz-json-1.0' };
          return { response: { statusCode: 200, headers, body: Readable.from([Buffer.from('{}')]) } };
        },
      } as unknown as DynamoDBClientConfig['requestHandler'],
    };

    expect(
      await new DynamoLeaseStore({ tableName: 'App', dynamodbConfig: config }).getLease('shardId-000000000001'),
    ).toBeUndefined();
    expect(targets).toEqual(['DynamoDB_20120810.GetItem']);
  });
});

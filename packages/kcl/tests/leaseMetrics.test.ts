import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLeaseStore } from '../src/index.js';
import { leaseFromItem } from '../src/leaseItem.js';
import { aLease } from './helpers/leaseFactory.js';

/** A DynamoDB client that records what it is sent and answers every call with nothing. */
function recordingClient() {
  const sent: Array<Record<string, unknown>> = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      sent.push(command.input);
      return {};
    },
  };
  return { client: client as unknown as DynamoDBClient, sent };
}

describe('lease metrics (beyond KCL: what a holder publishes for dashboards)', () => {
  it('are set by the renewal’s own conditional UpdateItem, beside the counter, touching nothing else', async () => {
    const { client, sent } = recordingClient();
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client });
    const lease = aLease('shardId-000000000001', { leaseOwner: 'worker-a', leaseCounter: 7 });

    const renewed = await store.renewLease(lease, { millisBehindLatest: 1234.4, recordsPerSecond: 99.96 });

    expect(sent).toEqual([
      {
        TableName: 'App',
        Key: { leaseKey: { S: 'shardId-000000000001' } },
        UpdateExpression:
          'SET leaseCounter = :next, millisBehindLatest = :behind, recordsPerSecond = :rate, processingFailures = :failures',
        ConditionExpression: 'leaseCounter = :expected AND leaseOwner = :expectedOwner',
        ExpressionAttributeValues: {
          ':behind': { N: '1234' },
          ':rate': { N: '100' },
          ':failures': { N: '0' },
          ':next': { N: '8' },
          ':expected': { N: '7' },
          ':expectedOwner': { S: 'worker-a' },
        },
      },
    ]);
    expect(renewed).toMatchObject({
      leaseCounter: 8,
      metrics: { millisBehindLatest: 1234.4, recordsPerSecond: 99.96 },
    });
  });

  it('carry a shard’s failures in a row as a whole number, never below zero', async () => {
    const { client, sent } = recordingClient();
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: client });
    const lease = aLease('shardId-000000000001', { leaseOwner: 'worker-a', leaseCounter: 7 });
    const failuresSent = async (processingFailures: number) => {
      await store.renewLease(lease, { millisBehindLatest: 0, recordsPerSecond: 0, processingFailures });
      const values = sent.at(-1)?.ExpressionAttributeValues as Record<string, { N: string }>;
      return values[':failures']?.N;
    };
    // A shard stuck on a batch shows on the dashboard by this number.
    expect(await failuresSent(3)).toBe('3');
    expect(await failuresSent(2.6)).toBe('3');
    expect(await failuresSent(-1)).toBe('0');
  });

  it('are read back when present, and absent from items the Java KCL wrote', () => {
    const base = { leaseKey: { S: 's' }, leaseCounter: { N: '3' }, checkpoint: { S: 'TRIM_HORIZON' } };
    expect(
      leaseFromItem({ ...base, millisBehindLatest: { N: '20' }, recordsPerSecond: { N: '12.5' } }).metrics,
    ).toEqual({
      millisBehindLatest: 20,
      recordsPerSecond: 12.5,
    });
    expect(leaseFromItem({ ...base, throughputKBps: { N: '4.2' } }).metrics).toBeUndefined();
    // A shard stuck on a batch: the failures in a row its holder published.
    expect(
      leaseFromItem({
        ...base,
        millisBehindLatest: { N: '0' },
        recordsPerSecond: { N: '0' },
        processingFailures: { N: '4' },
      }).metrics,
    ).toEqual({ millisBehindLatest: 0, recordsPerSecond: 0, processingFailures: 4 });
  });
});

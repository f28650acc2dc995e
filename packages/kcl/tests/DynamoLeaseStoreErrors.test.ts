import {
  ConditionalCheckFailedException,
  GetItemCommand,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLeaseStore } from '../src/DynamoLeaseStore.js';
import { LeaseLostError, ThrottledError } from '../src/errors.js';
import type { Lease } from '../src/Lease.js';
import { leaseToItem } from '../src/leaseItem.js';
import { FakeDynamoTable } from './helpers/FakeDynamoTable.js';
import { aLease } from './helpers/leaseFactory.js';

const KEY = 'shardId-000000000001';
const position = { sequenceNumber: '49590338271490256608559692538361571095921575989136588898', subSequenceNumber: 0 };

function setup(lease: Lease = aLease(KEY, { leaseOwner: 'worker-a', leaseCounter: 7 })) {
  const table = new FakeDynamoTable();
  table.put(leaseToItem(lease));
  return { table, store: new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client }), lease };
}

const throttled = () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} });

describe('DynamoLeaseStore: a failed call says what it was doing, and on which lease', () => {
  it.each([
    ['renew lease', (store: DynamoLeaseStore, lease: Lease) => store.renewLease(lease)],
    [
      'renew lease',
      (store: DynamoLeaseStore, lease: Lease) =>
        store.renewLease(lease, { millisBehindLatest: 0, recordsPerSecond: 0 }),
    ],
    ['take lease', (store: DynamoLeaseStore, lease: Lease) => store.takeLease(lease, 'worker-b')],
    ['release lease', (store: DynamoLeaseStore, lease: Lease) => store.releaseLease(lease)],
    ['checkpoint lease', (store: DynamoLeaseStore, lease: Lease) => store.checkpoint(lease, position)],
    ['record children of lease', (store: DynamoLeaseStore, lease: Lease) => store.setChildShards(lease, ['c'])],
    ['delete lease', (store: DynamoLeaseStore, lease: Lease) => store.deleteLease(lease)],
    ['create lease', (store: DynamoLeaseStore) => store.createLeaseIfAbsent(aLease(KEY))],
    ['get lease', (store: DynamoLeaseStore) => store.getLease(KEY)],
  ])('%s', async (action, call) => {
    const { table, store, lease } = setup();
    table.failures.push(throttled());

    const error = await call(store, lease).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toBe(`${action} ${KEY}: ProvisionedThroughputExceededException: slow down`);
  });

  it('scan of the table', async () => {
    const { table, store } = setup();
    table.failures.push(throttled());

    await expect(store.listLeases()).rejects.toThrow('scan App: ProvisionedThroughputExceededException: slow down');
  });

  it('a failed condition: the lease is lost, and the message says which write found it changed', async () => {
    const { table, store, lease } = setup();
    table.failures.push(
      new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
    );

    const error = await store.renewLease(lease).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as Error).message).toBe(`lease ${KEY} was lost: renew lease ${KEY} found another owner or counter`);
  });
});

describe('DynamoLeaseStore: what a write returns, and how it reads', () => {
  it('taking back a lease this worker already owns is no owner switch', async () => {
    const { table, store, lease } = setup(aLease(KEY, { leaseOwner: 'worker-a', ownerSwitchesSinceCheckpoint: 2 }));

    const taken = await store.takeLease(lease, 'worker-a');

    expect(taken.ownerSwitchesSinceCheckpoint).toBe(2);
    expect(table.get(KEY)?.ownerSwitchesSinceCheckpoint).toEqual({ N: '2' });
  });

  it('a checkpoint without processor state keeps the state stored with the last one', async () => {
    const { store, lease } = setup(aLease(KEY, { leaseOwner: 'worker-a', applicationState: '{"marks":1}' }));

    const checkpointed = await store.checkpoint(lease, position);

    expect(checkpointed.applicationState).toBe('{"marks":1}');
    expect(await store.getLease(KEY)).toEqual(checkpointed);
  });

  it('a take removes what a KCL 3 handoff left on the lease, in the table and in the lease it returns', async () => {
    const { table, store, lease } = setup(aLease(KEY, { leaseOwner: 'java-b', checkpointOwner: 'java-a' }));

    const taken = await store.takeLease(lease, 'worker-a');

    expect(taken).not.toHaveProperty('checkpointOwner');
    expect(table.get(KEY)?.checkpointOwner).toBeUndefined();
    expect(await store.getLease(KEY)).toEqual(taken);
  });

  it('reads a lease with a strongly consistent read', async () => {
    const { table, store } = setup();

    await store.getLease(KEY);

    expect(table.inputsOf(GetItemCommand)).toEqual([
      { TableName: 'App', Key: { leaseKey: { S: KEY } }, ConsistentRead: true },
    ]);
  });
});

import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DependencyError,
  DynamoLeaseStore,
  type Lease,
  LeaseLostError,
  ResourceNotFoundError,
  ThrottledError,
  TransientError,
} from '../src/index.js';
import { leaseToItem } from '../src/leaseItem.js';
import { FakeClock } from './helpers/FakeClock.js';
import { FakeDynamoTable } from './helpers/FakeDynamoTable.js';
import { aLease } from './helpers/leaseFactory.js';

const HELD_CONDITION = 'leaseCounter = :expected AND leaseOwner = :expectedOwner';
const UNOWNED_CONDITION = 'leaseCounter = :expected AND attribute_not_exists(leaseOwner)';
const key = { leaseKey: { S: 'shardId-000000000001' } };
/** The store's clock (monotonic 0); its wall clock reads WALL_NOW. */
const WALL = 0;
const WALL_NOW = new FakeClock(WALL).wallNow();

/** A table holding `lease`, and a store on it. */
function setup(lease: Lease = held()) {
  const table = new FakeDynamoTable();
  table.put(leaseToItem(lease));
  return {
    table,
    store: new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client, clock: new FakeClock(WALL) }),
    lease,
  };
}

function held(overrides: Partial<Lease> = {}): Lease {
  return aLease('shardId-000000000001', { leaseOwner: 'worker-a', leaseCounter: 7, ...overrides });
}

/** The one UpdateItem the store sent. */
function onlyUpdate(table: FakeDynamoTable) {
  const updates = table.inputsOf(UpdateItemCommand);
  expect(updates).toHaveLength(1);
  return updates[0];
}

describe('DynamoLeaseStore: every write on a lease is conditional on the counter and owner it last saw', () => {
  it('renews: counter + 1, on condition counter and owner are as seen', async () => {
    const { table, store, lease } = setup();

    const renewed = await store.renewLease(lease);

    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression: 'SET leaseCounter = :next',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: { ':next': { N: '8' }, ':expected': { N: '7' }, ':expectedOwner': { S: 'worker-a' } },
    });
    expect(renewed.leaseCounter).toBe(8);
    expect(table.get('shardId-000000000001')?.leaseCounter).toEqual({ N: '8' });
  });

  it('renews with metrics in the same conditional write', async () => {
    const { table, store, lease } = setup();

    await store.renewLease(lease, { millisBehindLatest: 250, recordsPerSecond: 12.34 });

    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression:
        'SET leaseCounter = :next, millisBehindLatest = :behind, recordsPerSecond = :rate, processingFailures = :failures',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: {
        ':behind': { N: '250' },
        ':rate': { N: '12.3' },
        ':failures': { N: '0' },
        ':next': { N: '8' },
        ':expected': { N: '7' },
        ':expectedOwner': { S: 'worker-a' },
      },
    });
  });

  it('steals a held lease on condition its counter and its current owner are as seen', async () => {
    const { table, store, lease } = setup(held({ ownerSwitchesSinceCheckpoint: 2 }));

    const taken = await store.takeLease(lease, 'worker-b', 'stole');

    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression:
        'SET leaseOwner = :owner, leaseCounter = :next, ownerSwitchesSinceCheckpoint = :switches, leaseTransitions = :transitions REMOVE checkpointOwner',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: {
        ':owner': { S: 'worker-b' },
        ':switches': { N: '3' },
        ':transitions': {
          S: JSON.stringify([{ kind: 'stole', worker: 'worker-b', from: 'worker-a', at: WALL_NOW, counter: 8 }]),
        },
        ':next': { N: '8' },
        ':expected': { N: '7' },
        ':expectedOwner': { S: 'worker-a' },
      },
    });
    expect(taken).toMatchObject({ leaseOwner: 'worker-b', leaseCounter: 8, ownerSwitchesSinceCheckpoint: 3 });
  });

  it('takes an unowned lease on condition it is still unowned (attribute_not_exists(leaseOwner))', async () => {
    const { table, store, lease } = setup(held({ leaseOwner: undefined }));

    await store.takeLease(lease, 'worker-b');

    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression:
        'SET leaseOwner = :owner, leaseCounter = :next, ownerSwitchesSinceCheckpoint = :switches, leaseTransitions = :transitions REMOVE checkpointOwner',
      ConditionExpression: UNOWNED_CONDITION,
      ExpressionAttributeValues: {
        ':owner': { S: 'worker-b' },
        ':switches': { N: '1' },
        ':transitions': {
          S: JSON.stringify([{ kind: 'took', worker: 'worker-b', from: null, at: WALL_NOW, counter: 8 }]),
        },
        ':next': { N: '8' },
        ':expected': { N: '7' },
      },
    });
    expect(table.get('shardId-000000000001')?.leaseOwner).toEqual({ S: 'worker-b' });
  });

  it('releases: removes the owner, counter + 1, on condition counter and owner are as seen', async () => {
    const { table, store, lease } = setup();

    const released = await store.releaseLease(lease);

    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression: 'REMOVE leaseOwner SET leaseCounter = :next, leaseTransitions = :transitions',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: {
        ':next': { N: '8' },
        ':expected': { N: '7' },
        ':expectedOwner': { S: 'worker-a' },
        ':transitions': {
          S: JSON.stringify([{ kind: 'released', worker: 'worker-a', from: null, at: WALL_NOW, counter: 8 }]),
        },
      },
    });
    expect(released).toMatchObject({ leaseOwner: undefined, leaseCounter: 8 });
    expect(table.get('shardId-000000000001')?.leaseOwner).toBeUndefined();
  });

  it('keeps the last four changes of owner on the lease, readable by a watcher, newest last', async () => {
    const { table, store } = setup(held({ leaseOwner: undefined }));
    let lease = (await store.listLeases())[0] as Lease;
    lease = await store.takeLease(lease, 'worker-a');
    lease = await store.releaseLease(lease);
    lease = await store.takeLease(lease, 'worker-b');
    lease = await store.takeLease(lease, 'worker-c', 'stole');
    lease = await store.takeLease({ ...lease }, 'worker-d', 'took-expired');
    // Not told how: an owned lease is taken as expired (the only way a take finds an owner), an unowned one as free.
    lease = await store.takeLease(lease, 'worker-e');

    const [read] = await store.listLeases();
    expect(read?.transitions?.map((transition) => [transition.kind, transition.worker, transition.from])).toEqual([
      ['took', 'worker-b', null],
      ['stole', 'worker-c', 'worker-b'],
      ['took-expired', 'worker-d', 'worker-c'],
      ['took-expired', 'worker-e', 'worker-d'],
    ]);
    expect(read?.transitions?.map((transition) => transition.counter)).toEqual([10, 11, 12, 13]);
    expect(lease.transitions).toEqual(read?.transitions);
    // A value that is not a list of transitions (written by someone else) is ignored, never trusted.
    table.put({ ...leaseToItem(lease), leaseTransitions: { S: '[{"kind":"exploded"}]' } });
    expect((await store.listLeases())[0]?.transitions).toBeUndefined();
  });

  it('checkpoints (and resets the owner switches), with the processor state when given', async () => {
    const { table, store, lease } = setup(held({ ownerSwitchesSinceCheckpoint: 1 }));
    const position = {
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      subSequenceNumber: 3,
    };

    const checkpointed = await store.checkpoint(lease, position, '{"marks":{}}');
    await store.checkpoint(checkpointed, position);

    const [withState, withoutState] = table.inputsOf(UpdateItemCommand);
    expect(withState).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression:
        'SET leaseCounter = :next, checkpoint = :checkpoint, checkpointSubSequenceNumber = :sub, ownerSwitchesSinceCheckpoint = :zero, applicationState = :state',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: {
        ':checkpoint': { S: position.sequenceNumber },
        ':sub': { N: '3' },
        ':zero': { N: '0' },
        ':state': { S: '{"marks":{}}' },
        ':next': { N: '8' },
        ':expected': { N: '7' },
        ':expectedOwner': { S: 'worker-a' },
      },
    });
    expect(withoutState).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression:
        'SET leaseCounter = :next, checkpoint = :checkpoint, checkpointSubSequenceNumber = :sub, ownerSwitchesSinceCheckpoint = :zero',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: {
        ':checkpoint': { S: position.sequenceNumber },
        ':sub': { N: '3' },
        ':zero': { N: '0' },
        ':next': { N: '9' },
        ':expected': { N: '8' },
        ':expectedOwner': { S: 'worker-a' },
      },
    });
    expect(table.get('shardId-000000000001')?.applicationState).toEqual({ S: '{"marks":{}}' });
  });

  it('records a closed shard’s children; with no children it writes nothing', async () => {
    const { table, store, lease } = setup();

    await store.setChildShards(lease, []);
    const recorded = await store.setChildShards(lease, ['shardId-000000000002', 'shardId-000000000003']);

    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: key,
      UpdateExpression: 'SET leaseCounter = :next, childShardIds = :children',
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: {
        ':children': { SS: ['shardId-000000000002', 'shardId-000000000003'] },
        ':next': { N: '8' },
        ':expected': { N: '7' },
        ':expectedOwner': { S: 'worker-a' },
      },
    });
    expect(recorded).toMatchObject({
      leaseCounter: 8,
      childShardIds: ['shardId-000000000002', 'shardId-000000000003'],
    });
  });

  it('deletes on condition nobody wrote on the lease since it was read', async () => {
    const { table, store, lease } = setup(held({ leaseOwner: undefined }));
    const owned = setup(held());

    await store.deleteLease(lease);
    await owned.store.deleteLease(owned.lease);

    expect(table.inputsOf(DeleteItemCommand)).toEqual([
      {
        TableName: 'App',
        Key: key,
        ConditionExpression: UNOWNED_CONDITION,
        ExpressionAttributeValues: { ':expected': { N: '7' } },
      },
    ]);
    expect(owned.table.inputsOf(DeleteItemCommand)[0]).toMatchObject({
      ConditionExpression: HELD_CONDITION,
      ExpressionAttributeValues: { ':expected': { N: '7' }, ':expectedOwner': { S: 'worker-a' } },
    });
    expect(table.items.size).toBe(0);
  });

  it('creates a lease with an UpdateItem that only creates (attribute_not_exists(leaseKey)), never a PutItem', async () => {
    const table = new FakeDynamoTable();
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client });
    const lease = aLease('shardId-000000000004', {
      parentShardIds: ['shardId-000000000001'],
      hashKeyRange: { startingHashKey: '0', endingHashKey: '99' },
    });

    expect(await store.createLeaseIfAbsent(lease)).toBe(true);

    expect(table.inputsOf(PutItemCommand)).toEqual([]);
    expect(onlyUpdate(table)).toEqual({
      TableName: 'App',
      Key: { leaseKey: { S: 'shardId-000000000004' } },
      UpdateExpression:
        'SET leaseCounter = :leaseCounter, checkpoint = :checkpoint, checkpointSubSequenceNumber = :checkpointSubSequenceNumber, ownerSwitchesSinceCheckpoint = :ownerSwitchesSinceCheckpoint, parentShardId = :parentShardId, startingHashKey = :startingHashKey, endingHashKey = :endingHashKey',
      ConditionExpression: 'attribute_not_exists(leaseKey)',
      ExpressionAttributeValues: {
        ':leaseCounter': { N: '0' },
        ':checkpoint': { S: 'TRIM_HORIZON' },
        ':checkpointSubSequenceNumber': { N: '0' },
        ':ownerSwitchesSinceCheckpoint': { N: '0' },
        ':parentShardId': { SS: ['shardId-000000000001'] },
        ':startingHashKey': { S: '0' },
        ':endingHashKey': { S: '99' },
      },
    });
    expect(table.get('shardId-000000000004')).toEqual(leaseToItem(lease));
  });

  it('does not create over an existing item, and leaves that item as it was', async () => {
    const { table, store } = setup(held({ checkpoint: { sequenceNumber: '123', subSequenceNumber: 0 } }));
    const before = structuredClone(table.get('shardId-000000000001'));

    expect(await store.createLeaseIfAbsent(aLease('shardId-000000000001'))).toBe(false);
    expect(table.get('shardId-000000000001')).toEqual(before);
  });

  it('fails a write whose owner changed even though the counter did not (a KCL 3 handoff moves no counter)', async () => {
    const { table, store, lease } = setup();
    // What DynamoDBLeaseRefresher.initiateGracefulLeaseHandoff writes: new leaseOwner, checkpointOwner = old one, same counter.
    table.put({ ...leaseToItem(lease), leaseOwner: { S: 'java-b' }, checkpointOwner: { S: 'worker-a' } });
    const before = structuredClone(table.get('shardId-000000000001'));

    await expect(store.renewLease(lease)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(store.checkpoint(lease, { sequenceNumber: '5', subSequenceNumber: 0 })).rejects.toBeInstanceOf(
      LeaseLostError,
    );
    await expect(store.releaseLease(lease)).rejects.toBeInstanceOf(LeaseLostError);
    expect(table.get('shardId-000000000001')).toEqual(before);
  });

  it.each([
    ['renew', (store: DynamoLeaseStore, lease: Lease) => store.renewLease(lease)],
    ['take', (store: DynamoLeaseStore, lease: Lease) => store.takeLease(lease, 'worker-b')],
    ['release', (store: DynamoLeaseStore, lease: Lease) => store.releaseLease(lease)],
    [
      'checkpoint',
      (store: DynamoLeaseStore, lease: Lease) => store.checkpoint(lease, { sequenceNumber: '9', subSequenceNumber: 0 }),
    ],
    ['set children', (store: DynamoLeaseStore, lease: Lease) => store.setChildShards(lease, ['shardId-000000000002'])],
    ['delete', (store: DynamoLeaseStore, lease: Lease) => store.deleteLease(lease)],
  ])('%s: a failed condition becomes LeaseLostError naming the lease', async (_what, write) => {
    const { table, store, lease } = setup();
    table.failures.push(
      new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
    );

    const error = await write(store, lease).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ code: 'LEASE_LOST', leaseKey: 'shardId-000000000001' });
  });

  it('translates throttling to ThrottledError, a 5xx to TransientError, a missing table to ResourceNotFoundError, anything else to DependencyError', async () => {
    const { table, store, lease } = setup();
    const metadata = { $metadata: {} };
    table.failures.push(
      new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata }),
      new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata }),
      new InternalServerError({ message: 'oops', ...metadata }),
      new ResourceNotFoundException({ message: 'no table', ...metadata }),
      Object.assign(new Error('bad request'), { name: 'ValidationException' }),
    );

    await expect(store.renewLease(lease)).rejects.toBeInstanceOf(ThrottledError);
    await expect(store.listLeases()).rejects.toBeInstanceOf(ThrottledError);
    await expect(store.createLeaseIfAbsent(aLease('x'))).rejects.toBeInstanceOf(TransientError);
    await expect(store.getLease('shardId-000000000001')).rejects.toBeInstanceOf(ResourceNotFoundError);
    await expect(store.deleteLease(lease)).rejects.toBeInstanceOf(DependencyError);
  });

  it('lists every lease across scan pages, each page starting where the last ended, with consistent reads', async () => {
    const table = new FakeDynamoTable(2);
    const keys = [
      'shardId-000000000000',
      'shardId-000000000001',
      'shardId-000000000002',
      'shardId-000000000003',
      'shardId-000000000004',
    ];
    for (const leaseKey of keys) table.put(leaseToItem(aLease(leaseKey)));
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client });

    const leases = await store.listLeases();

    expect(leases.map((lease) => lease.leaseKey)).toEqual(keys);
    expect(table.inputsOf(ScanCommand)).toEqual([
      { TableName: 'App', ConsistentRead: true, ExclusiveStartKey: undefined },
      { TableName: 'App', ConsistentRead: true, ExclusiveStartKey: { leaseKey: { S: 'shardId-000000000001' } } },
      { TableName: 'App', ConsistentRead: true, ExclusiveStartKey: { leaseKey: { S: 'shardId-000000000003' } } },
    ]);
  });

  it('gets one lease with a consistent read; none for a key with no item', async () => {
    const { store, lease } = setup();

    expect(await store.getLease('shardId-000000000001')).toEqual(lease);
    expect(await store.getLease('shardId-000000000099')).toBeUndefined();
  });
});

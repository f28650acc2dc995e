import { type AttributeValue, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoLeaseStore, type Logger } from '../src/index.js';
import { isLeaseItem, leaseFromItem, leaseToItem } from '../src/leaseItem.js';
import { FakeDynamoTable } from './helpers/FakeDynamoTable.js';
import { aLease } from './helpers/leaseFactory.js';

/** Attributes our writes may name (UpdateExpression), per docs/kcl3.md. */
const OURS = new Set([
  'leaseOwner',
  'leaseCounter',
  'checkpoint',
  'checkpointSubSequenceNumber',
  'ownerSwitchesSinceCheckpoint',
  'childShardIds',
  'applicationState',
  'millisBehindLatest',
  'recordsPerSecond',
  'processingFailures', // ours alone, beside the two above: a shard stuck on a batch
  'checkpointOwner', // only REMOVEd, by a take, as the Java KCL's take does
  'leaseTransitions', // ours alone: the last changes of owner, for watchers
]);

/**
 * A lease as a Java KCL 3.5 worker leaves it (DynamoDBLeaseSerializer.toDynamoRecord), with the
 * attributes KCL 3 adds and one we cannot know of yet.
 */
function kcl3LeaseItem(overrides: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
  return {
    leaseKey: { S: 'shardId-000000000001' },
    leaseOwner: { S: 'java-worker' },
    leaseCounter: { N: '41' },
    checkpoint: { S: '49590338271490256608559692538361571095921575989136588898' },
    checkpointSubSequenceNumber: { N: '0' },
    ownerSwitchesSinceCheckpoint: { N: '0' },
    parentShardId: { SS: ['shardId-000000000000'] },
    startingHashKey: { S: '0' },
    endingHashKey: { S: '170141183460469231731687303715884105727' },
    throughputKBps: { N: '12.5' },
    pendingCheckpoint: { S: '49590338271490256608559692538361571095921575989136589999' },
    pendingCheckpointSubSequenceNumber: { N: '0' },
    pendingCheckpointState: { B: new Uint8Array([1, 2, 3]) },
    entityType: { S: 'LEASE' },
    someFutureAttribute: { M: { nested: { L: [{ S: 'kept' }, { BOOL: true }] } } },
    ...overrides,
  };
}

/** Attributes of that item that no write of ours may change (KCL 2.x and 3.x ones, and the unknown one). */
const NOT_OURS = [
  'parentShardId',
  'startingHashKey',
  'endingHashKey',
  'throughputKBps',
  'pendingCheckpoint',
  'pendingCheckpointSubSequenceNumber',
  'pendingCheckpointState',
  'entityType',
  'someFutureAttribute',
];

function pick(item: Record<string, AttributeValue> | undefined, names: readonly string[]) {
  return Object.fromEntries(names.map((name) => [name, item?.[name]]));
}

function attributeNames(updateExpression: string | undefined): string[] {
  return (
    (updateExpression ?? '').match(/(?<![:#\w])[A-Za-z]\w*/g)?.filter((word) => !['SET', 'REMOVE'].includes(word)) ?? []
  );
}

function recordingLogger() {
  const debug: Array<{ fields: object; message: string }> = [];
  const log: Logger = {
    debug: (fields, message) => void debug.push({ fields, message }),
    info: () => {},
    warn: () => {},
    error: () => {},
  };
  return { log, debug };
}

describe('sharing a lease table with the Java KCL 3.x', () => {
  it('takes, renews, checkpoints and releases a KCL 3 lease without touching an attribute it does not own', async () => {
    const table = new FakeDynamoTable();
    table.put(kcl3LeaseItem());
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client });
    const untouched = structuredClone(pick(table.get('shardId-000000000001'), NOT_OURS));
    const [seen] = await store.listLeases();
    if (!seen) throw new Error('the KCL 3 lease was not listed');

    const taken = await store.takeLease(seen, 'node-worker');
    const renewed = await store.renewLease(taken, { millisBehindLatest: 5, recordsPerSecond: 100 });
    const checkpointed = await store.checkpoint(
      renewed,
      { sequenceNumber: '49590338271490256608559692538361571095921575989136589000', subSequenceNumber: 2 },
      'state',
    );
    const withChildren = await store.setChildShards(checkpointed, ['shardId-000000000002']);
    await store.releaseLease(withChildren);

    const after = table.get('shardId-000000000001');
    expect(pick(after, NOT_OURS)).toEqual(untouched);
    expect(after).toMatchObject({
      leaseCounter: { N: '46' },
      checkpoint: { S: '49590338271490256608559692538361571095921575989136589000' },
      checkpointSubSequenceNumber: { N: '2' },
      ownerSwitchesSinceCheckpoint: { N: '0' },
      childShardIds: { SS: ['shardId-000000000002'] },
      applicationState: { S: 'state' },
    });
    expect(after?.leaseOwner).toBeUndefined();
    expect(table.inputsOf(PutItemCommand)).toEqual([]);
    const named = table.inputsOf(UpdateItemCommand).flatMap((input) => attributeNames(input.UpdateExpression));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !OURS.has(name))).toEqual([]);
  });

  it('reads checkpointOwner, and a take (of an expired handoff) removes it as the Java KCL’s take does', async () => {
    const table = new FakeDynamoTable();
    table.put(kcl3LeaseItem({ leaseOwner: { S: 'java-b' }, checkpointOwner: { S: 'java-a' } }));
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client });
    const untouched = structuredClone(pick(table.get('shardId-000000000001'), NOT_OURS));

    const seen = await store.getLease('shardId-000000000001');
    expect(seen).toMatchObject({ leaseOwner: 'java-b', checkpointOwner: 'java-a' });
    if (!seen) throw new Error('unreachable');
    const taken = await store.takeLease(seen, 'node-worker');

    expect(taken.checkpointOwner).toBeUndefined();
    const after = table.get('shardId-000000000001');
    expect(after?.checkpointOwner).toBeUndefined();
    expect(after?.leaseOwner).toEqual({ S: 'node-worker' });
    expect(pick(after, NOT_OURS)).toEqual(untouched);
  });

  it('exposes checkpointOwner only when present, and writes it back when creating from a lease that has one', () => {
    expect(leaseFromItem(kcl3LeaseItem())).not.toHaveProperty('checkpointOwner');
    expect(leaseFromItem(kcl3LeaseItem({ checkpointOwner: { S: 'java-a' } })).checkpointOwner).toBe('java-a');
    const lease = aLease('s', { leaseOwner: 'b', checkpointOwner: 'a' });
    expect(leaseFromItem(leaseToItem(lease))).toEqual(lease);
  });

  it('skips worker metrics and coordinator state kept in the lease table (KCL 3.5 single-table mode), and says so at debug', async () => {
    const table = new FakeDynamoTable(2);
    table.put(kcl3LeaseItem());
    table.put(leaseToItem(aLease('shardId-000000000002'))); // ours, or KCL 2.x: no entityType at all
    table.put({
      leaseKey: { S: 'java-worker' },
      entityType: { S: 'WORKER_METRIC_STATS' },
      lut: { N: '1767225600' },
      sts: { M: { C: { L: [{ N: '10' }, { N: '12' }] } } },
      opr: { M: { C: { L: [{ N: '100' }] } } },
    });
    table.put({
      leaseKey: { S: 'Migration3.0' },
      entityType: { S: 'CLIENT_VERSION_MIGRATION' },
      cv: { S: 'CLIENT_VERSION_3X' },
    });
    table.put({ leaseKey: { S: 'TableMigration3.5' }, entityType: { S: 'TABLE_MIGRATION' } });
    // An entityType we do not know yet is not a lease either, whatever else it carries.
    table.put({ ...kcl3LeaseItem(), leaseKey: { S: 'shardId-000000000009' }, entityType: { S: 'SOMETHING_NEW' } });
    // No entityType, but not a lease: no counter, no checkpoint.
    table.put({ leaseKey: { S: 'stray' }, note: { S: 'written by hand' } });
    const { log, debug } = recordingLogger();
    const store = new DynamoLeaseStore({ tableName: 'App', dynamodbClient: table.client, log });

    const leases = await store.listLeases();

    expect(leases.map((lease) => lease.leaseKey).sort()).toEqual(['shardId-000000000001', 'shardId-000000000002']);
    expect(debug).toEqual([{ fields: { table: 'App', skipped: 5 }, message: 'skipped items that are not leases' }]);
    expect(await store.getLease('java-worker')).toBeUndefined();
    expect(await store.getLease('Migration3.0')).toBeUndefined();
    expect(debug).toHaveLength(3);
  });

  it('tells a lease from another item by entityType and by the attributes every lease has', () => {
    const lease = kcl3LeaseItem();
    const { entityType: _entityType, ...untagged } = lease;
    const { leaseCounter: _leaseCounter, ...noCounter } = untagged;
    const { checkpoint: _checkpoint, ...noCheckpoint } = untagged;
    expect(isLeaseItem(lease)).toBe(true);
    expect(isLeaseItem(untagged)).toBe(true);
    expect(isLeaseItem({ ...lease, entityType: { S: 'WORKER_METRIC_STATS' } })).toBe(false);
    expect(isLeaseItem(noCounter)).toBe(false);
    expect(isLeaseItem(noCheckpoint)).toBe(false);
    expect(isLeaseItem({ ...untagged, leaseCounter: { S: '41' } })).toBe(false);
  });
});

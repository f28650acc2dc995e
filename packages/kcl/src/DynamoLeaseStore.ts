import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Clock, systemClock } from './Clock.js';
import type { ExtendedSequenceNumber } from './ExtendedSequenceNumber.js';
import { LeaseLostError, ResourceNotFoundError } from './errors.js';
import type { Lease, LeaseMetrics } from './Lease.js';
import type { LeaseStore } from './LeaseStore.js';
import { leaseFromItem, leaseToItem } from './leaseItem.js';
import { errorName, translateSdkError } from './translateSdkError.js';

const TABLE_WAIT_MS = 120_000;

/** The lease table in DynamoDB, written with the same conditional updates as the Java KCL. */
export class DynamoLeaseStore implements LeaseStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    readonly tableName: string,
    private readonly clock: Clock = systemClock,
  ) {}

  async ensureTable(): Promise<void> {
    if ((await this.tableStatus()) === undefined) {
      try {
        await this.dynamodb.send(
          new CreateTableCommand({
            TableName: this.tableName,
            AttributeDefinitions: [{ AttributeName: 'leaseKey', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'leaseKey', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      } catch (error) {
        if (errorName(error) !== 'ResourceInUseException')
          throw translateSdkError(error, `create table ${this.tableName}`);
      }
    }
    const deadline = this.clock.monotonicNow() + TABLE_WAIT_MS;
    while ((await this.tableStatus()) !== 'ACTIVE') {
      if (this.clock.monotonicNow() > deadline)
        throw new ResourceNotFoundError(`table ${this.tableName} is not ACTIVE`);
      await this.clock.sleep(250);
    }
  }

  async listLeases(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.call(`scan ${this.tableName}`, () =>
        this.dynamodb.send(
          new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
        ),
      );
      for (const item of page.Items ?? []) leases.push(leaseFromItem(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return leases;
  }

  async getLease(leaseKey: string): Promise<Lease | undefined> {
    const { Item: item } = await this.call(`get lease ${leaseKey}`, () =>
      this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: key(leaseKey), ConsistentRead: true })),
    );
    return item ? leaseFromItem(item) : undefined;
  }

  async createLeaseIfAbsent(lease: Lease): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: leaseToItem(lease),
          ConditionExpression: 'attribute_not_exists(leaseKey)',
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw translateSdkError(error, `create lease ${lease.leaseKey}`);
    }
  }

  async renewLease(lease: Lease, metrics?: LeaseMetrics): Promise<Lease> {
    if (!metrics) {
      await this.update(lease, 'renew', 'SET leaseCounter = :next', {});
      return { ...lease, leaseCounter: lease.leaseCounter + 1 };
    }
    await this.update(
      lease,
      'renew',
      'SET leaseCounter = :next, millisBehindLatest = :behind, recordsPerSecond = :rate',
      {
        ':behind': { N: String(Math.max(0, Math.round(metrics.millisBehindLatest))) },
        ':rate': { N: String(Math.max(0, Math.round(metrics.recordsPerSecond * 10) / 10)) },
      },
    );
    return { ...lease, leaseCounter: lease.leaseCounter + 1, metrics };
  }

  async takeLease(lease: Lease, owner: string): Promise<Lease> {
    const switches = lease.ownerSwitchesSinceCheckpoint + (lease.leaseOwner === owner ? 0 : 1);
    await this.update(
      lease,
      'take',
      'SET leaseOwner = :owner, leaseCounter = :next, ownerSwitchesSinceCheckpoint = :switches',
      {
        ':owner': { S: owner },
        ':switches': { N: String(switches) },
      },
    );
    return {
      ...lease,
      leaseOwner: owner,
      leaseCounter: lease.leaseCounter + 1,
      ownerSwitchesSinceCheckpoint: switches,
    };
  }

  async releaseLease(lease: Lease): Promise<Lease> {
    await this.update(lease, 'release', 'REMOVE leaseOwner SET leaseCounter = :next', {});
    return { ...lease, leaseOwner: undefined, leaseCounter: lease.leaseCounter + 1 };
  }

  async checkpoint(lease: Lease, position: ExtendedSequenceNumber, applicationState?: string): Promise<Lease> {
    const state = applicationState === undefined ? '' : ', applicationState = :state';
    await this.update(
      lease,
      'checkpoint',
      `SET leaseCounter = :next, checkpoint = :checkpoint, checkpointSubSequenceNumber = :sub, ownerSwitchesSinceCheckpoint = :zero${state}`,
      {
        ':checkpoint': { S: position.sequenceNumber },
        ':sub': { N: String(position.subSequenceNumber) },
        ':zero': { N: '0' },
        ...(applicationState === undefined ? {} : { ':state': { S: applicationState } }),
      },
    );
    return {
      ...lease,
      leaseCounter: lease.leaseCounter + 1,
      checkpoint: position,
      ownerSwitchesSinceCheckpoint: 0,
      applicationState: applicationState ?? lease.applicationState,
    };
  }

  async setChildShards(lease: Lease, childShardIds: readonly string[]): Promise<Lease> {
    if (childShardIds.length === 0) return lease;
    await this.update(lease, 'record children of', 'SET leaseCounter = :next, childShardIds = :children', {
      ':children': { SS: [...childShardIds] },
    });
    return { ...lease, leaseCounter: lease.leaseCounter + 1, childShardIds: [...childShardIds] };
  }

  async deleteLease(lease: Lease): Promise<void> {
    try {
      await this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          ConditionExpression: 'leaseCounter = :expected',
          ExpressionAttributeValues: { ':expected': { N: String(lease.leaseCounter) } },
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') throw new LeaseLostError(lease.leaseKey);
      throw translateSdkError(error, `delete lease ${lease.leaseKey}`);
    }
  }

  /** A conditional UpdateItem on the counter and owner last seen; every write also sets counter + 1. */
  private async update(
    lease: Lease,
    what: string,
    expression: string,
    values: Record<string, AttributeValue>,
  ): Promise<void> {
    const ownerCheck =
      lease.leaseOwner === undefined ? ' AND attribute_not_exists(leaseOwner)' : ' AND leaseOwner = :expectedOwner';
    await this.call(
      `${what} lease ${lease.leaseKey}`,
      () =>
        this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(lease.leaseKey),
            UpdateExpression: expression,
            ConditionExpression: `leaseCounter = :expected${ownerCheck}`,
            ExpressionAttributeValues: {
              ...values,
              ':next': { N: String(lease.leaseCounter + 1) },
              ':expected': { N: String(lease.leaseCounter) },
              ...(lease.leaseOwner === undefined ? {} : { ':expectedOwner': { S: lease.leaseOwner } }),
            },
          }),
        ),
      lease.leaseKey,
    );
  }

  private async tableStatus(): Promise<string | undefined> {
    try {
      const { Table: table } = await this.dynamodb.send(new DescribeTableCommand({ TableName: this.tableName }));
      return table?.TableStatus;
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw translateSdkError(error, `describe table ${this.tableName}`);
    }
  }

  /** Sends one request; a failed condition on `leaseKey` means the lease is lost. */
  private async call<T>(action: string, send: () => Promise<T>, leaseKey?: string): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (leaseKey !== undefined && errorName(error) === 'ConditionalCheckFailedException') {
        throw new LeaseLostError(leaseKey, `${action} found another owner or counter`);
      }
      throw translateSdkError(error, action);
    }
  }
}

function key(leaseKey: string): Record<string, AttributeValue> {
  return { leaseKey: { S: leaseKey } };
}

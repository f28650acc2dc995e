import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Clock, systemClock } from './Clock.js';
import { type DynamoDBClientOptions, dynamodbClientFrom } from './clientOptions.js';
import type { ExtendedSequenceNumber } from './ExtendedSequenceNumber.js';
import { LeaseLostError, TableNotReadyError } from './errors.js';
import { type Lease, type LeaseMetrics, TransitionKind } from './Lease.js';
import type { LeaseStore, TakeKind } from './LeaseStore.js';
import { type Logger, silentLogger } from './Logger.js';
import { isLeaseItem, leaseFromItem, leaseToItem, withTransition } from './leaseItem.js';
import { errorName, translateSdkError } from './translateSdkError.js';

const TABLE_WAIT_MS = 120_000;

export interface DynamoLeaseStoreOptions extends DynamoDBClientOptions {
  /** The lease table: the application's name, as the Java KCL names it. */
  readonly tableName: string;
  /** Time, for tests; the system's by default. */
  readonly clock?: Clock;
  /** pino-compatible; silent by default. */
  readonly log?: Logger;
}

/**
 * The lease table in DynamoDB, written with the same conditional updates as the Java KCL.
 * It may be shared with Java KCL 2.x and 3.x workers (docs/kcl3.md): every write is an
 * UpdateItem that SETs or REMOVEs only the attributes it names, so attributes we do not know
 * survive; items that are not leases (KCL 3.5+ worker metrics, coordinator state) are skipped.
 * The table is named after the application, as the Java KCL names it, and created (on demand
 * billing) by the first worker that finds none.
 *
 * @example
 * import { DynamoLeaseStore } from '@stock-trades/kcl';
 *
 * const leases = new DynamoLeaseStore({ tableName: 'click-counter', dynamodbConfig: { region: 'eu-west-1' } });
 * for (const lease of await leases.listLeases()) console.log(lease.leaseKey, lease.leaseOwner, lease.checkpoint);
 * // or with a client of your own: new DynamoLeaseStore({ tableName: 'click-counter', dynamodbClient })
 */
export class DynamoLeaseStore implements LeaseStore {
  private readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(options: DynamoLeaseStoreOptions) {
    this.dynamodb = dynamodbClientFrom(options);
    this.tableName = options.tableName;
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLogger;
  }

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
        throw new TableNotReadyError(`table ${this.tableName} did not become ACTIVE within ${TABLE_WAIT_MS / 1000} s`);
      await this.clock.sleep(250);
    }
  }

  /** Every lease in the table (one Scan, paged); items that are not leases are skipped. */
  async listLeases(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let skipped = 0;
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.call(`scan ${this.tableName}`, () =>
        this.dynamodb.send(
          new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
        ),
      );
      for (const item of page.Items ?? []) {
        if (isLeaseItem(item)) leases.push(leaseFromItem(item));
        else skipped++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    if (skipped > 0) this.log.debug({ table: this.tableName, skipped }, 'skipped items that are not leases');
    return leases;
  }

  /** One lease, read consistently; undefined when there is none. */
  async getLease(leaseKey: string): Promise<Lease | undefined> {
    const { Item: item } = await this.call(`get lease ${leaseKey}`, () =>
      this.dynamodb.send(new GetItemCommand({ TableName: this.tableName, Key: key(leaseKey), ConsistentRead: true })),
    );
    if (!item) return undefined;
    if (isLeaseItem(item)) return leaseFromItem(item);
    this.log.debug({ table: this.tableName, leaseKey }, 'skipped an item that is not a lease');
    return undefined;
  }

  /** An UpdateItem that creates the item only if no item has the key: nothing is ever written over. */
  async createLeaseIfAbsent(lease: Lease): Promise<boolean> {
    const attributes = Object.entries(leaseToItem(lease)).filter(([name]) => name !== 'leaseKey');
    try {
      await this.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(lease.leaseKey),
          UpdateExpression: `SET ${attributes.map(([name]) => `${name} = :${name}`).join(', ')}`,
          ConditionExpression: 'attribute_not_exists(leaseKey)',
          ExpressionAttributeValues: Object.fromEntries(attributes.map(([name, value]) => [`:${name}`, value])),
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
      'SET leaseCounter = :next, millisBehindLatest = :behind, recordsPerSecond = :rate, processingFailures = :failures',
      {
        ':behind': { N: String(Math.max(0, Math.round(metrics.millisBehindLatest))) },
        ':rate': { N: String(Math.max(0, Math.round(metrics.recordsPerSecond * 10) / 10)) },
        ':failures': { N: String(Math.max(0, Math.round(metrics.processingFailures ?? 0))) },
      },
    );
    return { ...lease, leaseCounter: lease.leaseCounter + 1, metrics };
  }

  /**
   * Takes the lease as the Java KCL does (DynamoDBLeaseSerializer.getDynamoTakeLeaseUpdate), which
   * also removes `checkpointOwner`: a take is a fresh assignment. Only an expired or unowned lease
   * in a KCL 3 handoff is ever taken (handoff.ts); its draining owner has stopped renewing it.
   */
  async takeLease(lease: Lease, owner: string, how?: TakeKind): Promise<Lease> {
    const switches = lease.ownerSwitchesSinceCheckpoint + (lease.leaseOwner === owner ? 0 : 1);
    const transitions = withTransition(lease, {
      kind: how ?? (lease.leaseOwner === undefined ? TransitionKind.TOOK : TransitionKind.TOOK_EXPIRED),
      worker: owner,
      from: lease.leaseOwner ?? null,
      at: this.clock.wallNow(),
      counter: lease.leaseCounter + 1,
    });
    await this.update(
      lease,
      'take',
      'SET leaseOwner = :owner, leaseCounter = :next, ownerSwitchesSinceCheckpoint = :switches, leaseTransitions = :transitions REMOVE checkpointOwner',
      {
        ':owner': { S: owner },
        ':switches': { N: String(switches) },
        ':transitions': { S: JSON.stringify(transitions) },
      },
    );
    return {
      ...withoutHandoff(lease),
      leaseOwner: owner,
      leaseCounter: lease.leaseCounter + 1,
      ownerSwitchesSinceCheckpoint: switches,
      transitions,
    };
  }

  async releaseLease(lease: Lease): Promise<Lease> {
    const transitions = withTransition(lease, {
      kind: TransitionKind.RELEASED,
      worker: lease.leaseOwner ?? '',
      from: null,
      at: this.clock.wallNow(),
      counter: lease.leaseCounter + 1,
    });
    await this.update(lease, 'release', 'REMOVE leaseOwner SET leaseCounter = :next, leaseTransitions = :transitions', {
      ':transitions': { S: JSON.stringify(transitions) },
    });
    return { ...lease, leaseOwner: undefined, leaseCounter: lease.leaseCounter + 1, transitions };
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

  /** Deletes the lease if nobody wrote on it since it was read: same counter, same owner. */
  async deleteLease(lease: Lease): Promise<void> {
    const seen = asSeen(lease);
    await this.call(
      `delete lease ${lease.leaseKey}`,
      () =>
        this.dynamodb.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: key(lease.leaseKey),
            ConditionExpression: seen.condition,
            ExpressionAttributeValues: seen.values,
          }),
        ),
      lease.leaseKey,
    );
  }

  /** A conditional UpdateItem on the counter and owner last seen; every write also sets counter + 1. */
  private async update(
    lease: Lease,
    what: string,
    expression: string,
    values: Record<string, AttributeValue>,
  ): Promise<void> {
    const seen = asSeen(lease);
    await this.call(
      `${what} lease ${lease.leaseKey}`,
      () =>
        this.dynamodb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(lease.leaseKey),
            UpdateExpression: expression,
            ConditionExpression: seen.condition,
            ExpressionAttributeValues: { ...values, ':next': { N: String(lease.leaseCounter + 1) }, ...seen.values },
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

/**
 * The condition of every write on an existing lease: the counter and the owner as last seen
 * (no owner: still none). A counter alone is not enough: a KCL 3 leader's graceful handoff
 * changes `leaseOwner` without moving the counter (DynamoDBLeaseRefresher.initiateGracefulLeaseHandoff).
 */
function asSeen(lease: Lease): { condition: string; values: Record<string, AttributeValue> } {
  if (lease.leaseOwner === undefined) {
    return {
      condition: 'leaseCounter = :expected AND attribute_not_exists(leaseOwner)',
      values: { ':expected': { N: String(lease.leaseCounter) } },
    };
  }
  return {
    condition: 'leaseCounter = :expected AND leaseOwner = :expectedOwner',
    values: { ':expected': { N: String(lease.leaseCounter) }, ':expectedOwner': { S: lease.leaseOwner } },
  };
}

function withoutHandoff(lease: Lease): Lease {
  if (lease.checkpointOwner === undefined) return lease;
  const { checkpointOwner: _removedByTake, ...rest } = lease;
  return rest;
}

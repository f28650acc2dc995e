import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import type { AwsClients } from './createClients.js';
import { ResourceStateError } from './errors.js';
import { type AwsCallContext, sdkErrorName, translateAwsError } from './translateAwsError.js';
import { viaWaiter, type WaitOptions, waiterTiming } from './waitFor.js';

export interface TableDescription {
  readonly name: string;
  /** CREATING | ACTIVE | UPDATING | DELETING … */
  readonly status: string;
}

/** Describes and deletes DynamoDB tables; SDK errors are translated here. */
export class TableAdmin {
  private readonly dynamodb: DynamoDBClient;

  constructor(private readonly clients: Pick<AwsClients, 'dynamodb' | 'dynamodbEndpoint' | 'target'>) {
    this.dynamodb = clients.dynamodb;
  }

  async describe(name: string): Promise<TableDescription | undefined> {
    try {
      const { Table: table } = await this.dynamodb.send(new DescribeTableCommand({ TableName: name }));
      return table ? { name, status: table.TableStatus ?? 'UNKNOWN' } : undefined;
    } catch (error) {
      if (sdkErrorName(error) === 'ResourceNotFoundException') return undefined;
      throw translateAwsError(error, this.context(`describe table ${name}`));
    }
  }

  /** Creates a table keyed by one string attribute, on-demand billing; false when it already existed. */
  async create(name: string, keyAttribute: string): Promise<boolean> {
    try {
      await this.dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [{ AttributeName: keyAttribute, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: keyAttribute, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return true;
    } catch (error) {
      if (sdkErrorName(error) === 'ResourceInUseException') return false;
      throw translateAwsError(error, this.context(`create table ${name}`));
    }
  }

  /** Until the table is ACTIVE, by the SDK's own waiter; one look first, so an access error is told at once. */
  async waitUntilActive(name: string, options: WaitOptions = {}): Promise<TableDescription> {
    const now = await this.describe(name);
    if (now?.status !== 'ACTIVE') {
      await viaWaiter(`table ${name} to become ACTIVE`, options, () =>
        waitUntilTableExists({ client: this.dynamodb, ...waiterTiming(options) }, { TableName: name }),
      );
    }
    const table = now?.status === 'ACTIVE' ? now : await this.describe(name);
    if (!table) throw new ResourceStateError(`table ${name} is gone`);
    return table;
  }

  /** Asks for deletion; false when the table was already gone. */
  async delete(name: string): Promise<boolean> {
    try {
      await this.dynamodb.send(new DeleteTableCommand({ TableName: name }));
      return true;
    } catch (error) {
      if (sdkErrorName(error) === 'ResourceNotFoundException') return false;
      throw translateAwsError(error, this.context(`delete table ${name}`));
    }
  }

  /** Until the table is deleted, by the SDK's own waiter. */
  async waitUntilGone(name: string, options: WaitOptions = {}): Promise<void> {
    if ((await this.describe(name)) === undefined) return;
    await viaWaiter(`table ${name} to be deleted`, options, () =>
      waitUntilTableNotExists({ client: this.dynamodb, ...waiterTiming(options) }, { TableName: name }),
    );
  }

  private context(action: string): AwsCallContext {
    return { service: 'DynamoDB', endpoint: this.clients.dynamodbEndpoint, target: this.clients.target, action };
  }
}

import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { AwsClients } from './createClients.js';
import { type PollOptions, pollUntil } from './pollUntil.js';
import { type AwsCallContext, sdkErrorName, translateAwsError } from './translateAwsError.js';

export interface TableDescription {
  readonly name: string;
  /** CREATING | ACTIVE | UPDATING | DELETING … */
  readonly status: string;
}

const DEFAULT_WAIT: PollOptions = { timeoutMs: 300_000, intervalMs: 500 };

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

  async waitUntilActive(name: string, options: Partial<PollOptions> = {}): Promise<TableDescription> {
    return pollUntil(
      `table ${name} to become ACTIVE`,
      async () => {
        const table = await this.describe(name);
        return table?.status === 'ACTIVE' ? table : undefined;
      },
      { ...DEFAULT_WAIT, ...options },
    );
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

  async waitUntilGone(name: string, options: Partial<PollOptions> = {}): Promise<void> {
    await pollUntil(
      `table ${name} to be deleted`,
      async () => ((await this.describe(name)) === undefined ? true : undefined),
      { ...DEFAULT_WAIT, ...options },
    );
  }

  private context(action: string): AwsCallContext {
    return { service: 'DynamoDB', endpoint: this.clients.dynamodbEndpoint, target: this.clients.target, action };
  }
}

import { DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

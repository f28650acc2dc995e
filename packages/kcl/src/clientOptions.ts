import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { InvalidConfigError } from './errors.js';

/** The Kinesis client kcl uses: yours, or one it makes from a configuration (the SDK's defaults when neither). */
export interface KinesisClientOptions {
  /** A client of your own (from your own `@aws-sdk/client-kinesis`); kcl never destroys it. */
  readonly kinesisClient?: KinesisClient;
  /** The configuration of the client kcl makes, e.g. `{ region: 'eu-west-1' }`; the SDK's defaults when absent. */
  readonly kinesisConfig?: KinesisClientConfig;
}

/** The DynamoDB client for the lease table: yours, or one kcl makes from a configuration. */
export interface DynamoDBClientOptions {
  /** A client of your own (from your own `@aws-sdk/client-dynamodb`); kcl never destroys it. */
  readonly dynamodbClient?: DynamoDBClient;
  /** The configuration of the client kcl makes; the SDK's defaults when absent. */
  readonly dynamodbConfig?: DynamoDBClientConfig;
}

/**
 * The Kinesis client to use. One made here speaks HTTP/1.1: polling needs nothing of HTTP/2
 * (the SDK's default for Kinesis, kept for SubscribeToShard), and local emulators answer HTTP/1.1.
 */
export function kinesisClientFrom(options: KinesisClientOptions): KinesisClient {
  if (options.kinesisClient && options.kinesisConfig) {
    throw new InvalidConfigError('give kinesisClient or kinesisConfig, not both');
  }
  return (
    options.kinesisClient ?? new KinesisClient({ requestHandler: new NodeHttpHandler(), ...options.kinesisConfig })
  );
}

/** The DynamoDB client to use. */
export function dynamodbClientFrom(options: DynamoDBClientOptions): DynamoDBClient {
  if (options.dynamodbClient && options.dynamodbConfig) {
    throw new InvalidConfigError('give dynamodbClient or dynamodbConfig, not both');
  }
  return options.dynamodbClient ?? new DynamoDBClient({ ...options.dynamodbConfig });
}

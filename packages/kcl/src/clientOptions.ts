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
 * The Kinesis client to use. For polling, one made here speaks HTTP/1.1: polling needs nothing of
 * HTTP/2, and local emulators answer HTTP/1.1. For fan-out it speaks HTTP/2, the SDK's own default
 * for Kinesis and what SubscribeToShard needs.
 */
export function kinesisClientFrom(options: KinesisClientOptions, protocol: 'http1' | 'http2' = 'http1'): KinesisClient {
  if (options.kinesisClient && options.kinesisConfig) {
    throw new InvalidConfigError('give kinesisClient or kinesisConfig, not both');
  }
  if (options.kinesisClient) return options.kinesisClient;
  return protocol === 'http2'
    ? new KinesisClient({ ...options.kinesisConfig })
    : new KinesisClient({ requestHandler: new NodeHttpHandler(), ...options.kinesisConfig });
}

/** The DynamoDB client to use. */
export function dynamodbClientFrom(options: DynamoDBClientOptions): DynamoDBClient {
  if (options.dynamodbClient && options.dynamodbConfig) {
    throw new InvalidConfigError('give dynamodbClient or dynamodbConfig, not both');
  }
  return options.dynamodbClient ?? new DynamoDBClient({ ...options.dynamodbConfig });
}

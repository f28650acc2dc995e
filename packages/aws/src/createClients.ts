import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_DYNAMODB_PORT, LOCAL_HOST, LOCAL_KINESIS_PORT } from '@stock-trades/core';
import { Target } from './Target.js';

/** Override where the embedded target's emulators are (e.g. `pnpm stack --kinesis-port`). */
export const LOCAL_KINESIS_ENDPOINT_ENV = 'STOCK_TRADES_KINESIS_ENDPOINT';
export const LOCAL_DYNAMODB_ENDPOINT_ENV = 'STOCK_TRADES_DYNAMODB_ENDPOINT';

const LOCAL_REGION = 'us-east-1';
/** The emulators accept any credentials; these never leave the machine. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface AwsClients {
  readonly target: Target;
  readonly kinesis: KinesisClient;
  readonly dynamodb: DynamoDBClient;
  /** Where the clients point, for messages ("the embedded stack at http://127.0.0.1:4568"). */
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  destroy(): void;
}

/** The one place SDK clients are built, for either target. */
export function createClients(target: Target, env: NodeJS.ProcessEnv = process.env): AwsClients {
  // The SDK warns on every Node 20 process that its next versions need Node 22; the CLIs show users no such noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (target === Target.AWS) {
    const kinesis = new KinesisClient({});
    const dynamodb = new DynamoDBClient({});
    return {
      target,
      kinesis,
      dynamodb,
      kinesisEndpoint: env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL ?? 'AWS Kinesis',
      dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL ?? 'AWS DynamoDB',
      destroy: () => {
        kinesis.destroy();
        dynamodb.destroy();
      },
    };
  }
  const kinesisEndpoint = env[LOCAL_KINESIS_ENDPOINT_ENV] ?? `http://${LOCAL_HOST}:${LOCAL_KINESIS_PORT}`;
  const dynamodbEndpoint = env[LOCAL_DYNAMODB_ENDPOINT_ENV] ?? `http://${LOCAL_HOST}:${LOCAL_DYNAMODB_PORT}`;
  return localClients(kinesisEndpoint, dynamodbEndpoint);
}

/** Clients for emulators at the given endpoints (tests use this with their own free ports). */
export function localClients(kinesisEndpoint: string, dynamodbEndpoint: string): AwsClients {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 };
  const kinesis = new KinesisClient({ ...common, endpoint: kinesisEndpoint, requestHandler: plainHttpHandler() });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: dynamodbEndpoint, requestHandler: plainHttpHandler() });
  return {
    target: Target.LOCAL,
    kinesis,
    dynamodb,
    kinesisEndpoint,
    dynamodbEndpoint,
    destroy: () => {
      kinesis.destroy();
      dynamodb.destroy();
    },
  };
}

/** kinesis-local's plain-HTTP port, reached over HTTP/1.1 with kept-alive sockets. */
function plainHttpHandler(): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
    connectionTimeout: 2000,
    requestTimeout: 30_000,
  });
}

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { InvalidOptionError, LOCAL_DYNAMODB_PORT, LOCAL_HOST, LOCAL_KINESIS_PORT } from '@stock-trades/core';
import { TARGET_ENV, Target } from './Target.js';

/** Override where the embedded target's emulators are (e.g. `pnpm stack --kinesis-port`). */
export const LOCAL_KINESIS_ENDPOINT_ENV = 'STOCK_TRADES_KINESIS_ENDPOINT';
export const LOCAL_DYNAMODB_ENDPOINT_ENV = 'STOCK_TRADES_DYNAMODB_ENDPOINT';

/** The environment that points a command of ours at one embedded stack (for the processes it starts). */
export function localTargetEnv(kinesisEndpoint: string, dynamodbEndpoint: string): Record<string, string> {
  return {
    [TARGET_ENV]: Target.LOCAL,
    [LOCAL_KINESIS_ENDPOINT_ENV]: kinesisEndpoint,
    [LOCAL_DYNAMODB_ENDPOINT_ENV]: dynamodbEndpoint,
  };
}

const LOCAL_REGION = 'us-east-1';
/** The SDK's own endpoint variables that this project's services read. */
const AWS_ENDPOINT_ENVS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL_DYNAMODB'] as const;
/** The emulators accept any credentials; these never leave the machine. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface AwsClients {
  readonly target: Target;
  readonly kinesis: KinesisClient;
  /**
   * The same Kinesis, without the SDK's own retries: for a call path that retries by
   * itself (the writer), so one record is never attempted maxAttempts × SDK attempts times.
   */
  readonly kinesisSingleAttempt: KinesisClient;
  /**
   * The same Kinesis over HTTP/2, the SDK's own default: what SubscribeToShard (enhanced fan-out)
   * needs on AWS. Made when first asked for.
   */
  kinesisHttp2(): KinesisClient;
  readonly dynamodb: DynamoDBClient;
  /** Where the clients point, for messages ("the embedded stack at http://127.0.0.1:4568"). */
  readonly kinesisEndpoint: string;
  readonly dynamodbEndpoint: string;
  destroy(): void;
}

/**
 * The Kinesis client a reader of the stream needs: the HTTP/2 one for enhanced fan-out
 * (SubscribeToShard requires it), the HTTP/1.1 one for polling.
 */
export function readerKinesisClient(
  clients: AwsClients,
  retrieval: { readonly mode: 'polling' | 'fan-out' } | undefined,
): KinesisClient {
  return retrieval?.mode === 'fan-out' ? clients.kinesisHttp2() : clients.kinesis;
}

/** How long one HTTP request may take before it is aborted (and retried): a hung endpoint is never waited on. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface ClientOptions {
  /** Default REQUEST_TIMEOUT_MS; tests shorten it. */
  readonly requestTimeoutMs?: number;
  /**
   * The SDK's `userAgentAppId`: `app/<id>` in every call's User-Agent (AWS CloudTrail shows it; the
   * embedded stack counts each application's reads under it). The consumers send their application
   * name. The SDK takes at most 50 characters; longer ids are cut.
   */
  readonly appId?: string;
}

/** The SDK's limit on `userAgentAppId`. */
const MAX_APP_ID = 50;

/**
 * The one place SDK clients are built, for either target. Both speak HTTP/1.1: the Kinesis
 * client's default is HTTP/2, which nothing here needs (we poll, we never SubscribeToShard)
 * and which endpoints that speak the Kinesis API over HTTP/1.1 only half support —
 * kinesis-local, as LocalStack uses it, answers some HTTP/2 calls with bodies the SDK
 * cannot read ("Deserialization error").
 */
export function createClients(
  target: Target,
  env: NodeJS.ProcessEnv = process.env,
  options: ClientOptions = {},
): AwsClients {
  // The SDK warns on every Node 20 process that its next versions need Node 22; the CLIs show users no such noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (target === Target.AWS) {
    for (const name of AWS_ENDPOINT_ENVS) endpointFrom(env, name);
    const common = appIdConfig(options);
    const kinesis = new KinesisClient({ ...common, requestHandler: http1Handler(options) });
    const kinesisSingleAttempt = new KinesisClient({
      ...common,
      requestHandler: http1Handler(options),
      maxAttempts: 1,
    });
    const dynamodb = new DynamoDBClient({ ...common, requestHandler: http1Handler(options) });
    let http2: KinesisClient | undefined;
    return {
      target,
      kinesis,
      kinesisSingleAttempt,
      kinesisHttp2: () => {
        http2 ??= new KinesisClient(common);
        return http2;
      },
      dynamodb,
      kinesisEndpoint: env.AWS_ENDPOINT_URL_KINESIS ?? env.AWS_ENDPOINT_URL ?? 'AWS Kinesis',
      dynamodbEndpoint: env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL ?? 'AWS DynamoDB',
      destroy: () => {
        kinesis.destroy();
        kinesisSingleAttempt.destroy();
        http2?.destroy();
        dynamodb.destroy();
      },
    };
  }
  const kinesisEndpoint = endpointFrom(env, LOCAL_KINESIS_ENDPOINT_ENV) ?? `http://${LOCAL_HOST}:${LOCAL_KINESIS_PORT}`;
  const dynamodbEndpoint =
    endpointFrom(env, LOCAL_DYNAMODB_ENDPOINT_ENV) ?? `http://${LOCAL_HOST}:${LOCAL_DYNAMODB_PORT}`;
  return localClients(kinesisEndpoint, dynamodbEndpoint, options);
}

/** Clients for emulators at the given endpoints (tests use this with their own free ports). */
export function localClients(
  kinesisEndpoint: string,
  dynamodbEndpoint: string,
  options: ClientOptions = {},
): AwsClients {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const common = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3, ...appIdConfig(options) };
  const kinesis = new KinesisClient({ ...common, endpoint: kinesisEndpoint, requestHandler: http1Handler(options) });
  const kinesisSingleAttempt = new KinesisClient({
    ...common,
    maxAttempts: 1,
    endpoint: kinesisEndpoint,
    requestHandler: http1Handler(options),
  });
  const dynamodb = new DynamoDBClient({ ...common, endpoint: dynamodbEndpoint, requestHandler: http1Handler(options) });
  let http2: KinesisClient | undefined;
  return {
    target: Target.LOCAL,
    kinesis,
    kinesisSingleAttempt,
    kinesisHttp2: () => {
      http2 ??= new KinesisClient({ ...common, endpoint: kinesisEndpoint });
      return http2;
    },
    dynamodb,
    kinesisEndpoint,
    dynamodbEndpoint,
    destroy: () => {
      kinesis.destroy();
      kinesisSingleAttempt.destroy();
      http2?.destroy();
      dynamodb.destroy();
    },
  };
}

function appIdConfig(options: ClientOptions): { userAgentAppId?: string } {
  return options.appId ? { userAgentAppId: options.appId.slice(0, MAX_APP_ID) } : {};
}

/**
 * HTTP/1.1 with kept-alive sockets, for http and https endpoints alike; a request that
 * takes longer than the timeout is aborted (`throwOnRequestTimeout`: without it the SDK
 * only logs a warning and goes on waiting) and the SDK's retry takes over.
 */
function http1Handler(options: ClientOptions): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    connectionTimeout: 5000,
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  });
}

/** An endpoint variable's value, checked: an http(s) URL, or one line naming the variable (exit 2). */
function endpointFrom(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidOptionError(`${name} must be an http(s) URL like http://127.0.0.1:4568, got "${value}"`);
  }
  return value;
}

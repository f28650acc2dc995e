import type { Service } from './FaultPlan.js';

/** An answer the proxy makes itself, shaped as AWS's own so the SDK maps it to its exception types. */
export interface ProxyAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const CONTENT_TYPE: Readonly<Record<Service, string>> = {
  kinesis: 'application/x-amz-json-1.1',
  dynamodb: 'application/x-amz-json-1.0',
};

/** AWS JSON protocol error: the `__type` (and `x-amzn-ErrorType`) name the exception; `message` says why. */
export function awsError(service: Service, status: number, type: string, message: string): ProxyAnswer {
  const qualified = service === 'dynamodb' ? `com.amazonaws.dynamodb.v20120810#${type}` : type;
  return {
    status,
    headers: { 'content-type': CONTENT_TYPE[service], 'x-amzn-errortype': type },
    body: Buffer.from(JSON.stringify({ __type: qualified, message })),
  };
}

export function throttled(service: Service, message: string): ProxyAnswer {
  return awsError(service, 400, 'ProvisionedThroughputExceededException', message);
}

export function internalError(service: Service): ProxyAnswer {
  return service === 'dynamodb'
    ? awsError(service, 500, 'InternalServerError', 'Internal server error (injected by pnpm stack --faults)')
    : awsError(service, 500, 'InternalFailure', 'Internal failure (injected by pnpm stack --faults)');
}

export function json(service: Service, value: unknown): ProxyAnswer {
  return { status: 200, headers: { 'content-type': CONTENT_TYPE[service] }, body: Buffer.from(JSON.stringify(value)) };
}

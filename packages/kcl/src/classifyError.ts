/** What retrying can do about a failed call. */
export const ErrorKind = {
  /** The service asked to slow down: retry after a pause. */
  THROTTLED: 'throttled',
  /** A fault a later attempt can get past: a timeout, a dropped or refused connection, a 5xx. */
  TRANSIENT: 'transient',
  /** Retrying cannot help: a missing resource, a denied action, a bad request. */
  PERMANENT: 'permanent',
} as const;
export type ErrorKind = (typeof ErrorKind)[keyof typeof ErrorKind];

const THROTTLING_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'LimitExceededException',
  'KMSThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  'SlowDown',
]);
const TRANSIENT_NAMES = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
/** Node's codes for a connection that failed, dropped or timed out. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * The one classification of a failed AWS call for this package: by the SDK error's name,
 * its `$retryable` mark and HTTP status (as the SDK's own retry strategy decides), and by
 * Node's network codes anywhere in its causes.
 *
 * @example
 * classifyError(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })); // 'throttled'
 * classifyError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })); // 'transient'
 */
export function classifyError(error: unknown): ErrorKind {
  if (typeof error !== 'object' || error === null) return ErrorKind.PERMANENT;
  const sdk = error as SdkErrorShape;
  const name = typeof sdk.name === 'string' ? sdk.name : '';
  const status = sdk.$metadata?.httpStatusCode ?? 0;
  if (THROTTLING_NAMES.has(name) || sdk.$retryable?.throttling === true || status === 429) return ErrorKind.THROTTLED;
  if (TRANSIENT_NAMES.has(name) || sdk.$retryable !== undefined || status >= 500 || hasNetworkCode(error)) {
    return ErrorKind.TRANSIENT;
  }
  return ErrorKind.PERMANENT;
}

function hasNetworkCode(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, cause, errors } = current as SdkErrorShape & { errors?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (Array.isArray(errors) && errors.some(hasNetworkCode)) return true;
    current = cause;
  }
  return false;
}

import { classifyAwsError, ErrorClass } from './classifyAwsError.js';
import {
  AwsConfigurationError,
  AwsError,
  AwsRequestError,
  ConnectionLostError,
  ResourceStateError,
  ServiceUnreachableError,
  ThrottledRequestError,
} from './errors.js';
import { Target } from './Target.js';

export interface AwsCallContext {
  readonly service: 'Kinesis' | 'DynamoDB';
  readonly endpoint: string;
  readonly target: Target;
  /** What was being done, e.g. "describe stream StockTradeStream". */
  readonly action: string;
}

/** No connection could be made: nothing listens there, or the name or route is unknown. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** A connection was made and lost. */
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const PERMISSION_NAMES = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'KMSAccessDeniedException',
]);

/** The name an SDK error carries (ResourceNotFoundException, …), or undefined. */
export function sdkErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * Turns whatever the SDK threw into one of this package's errors with a one-line message.
 * SDK error types stop here: callers above see only AwsError and its subclasses.
 */
export function translateAwsError(error: unknown, context: AwsCallContext): AwsError {
  if (error instanceof AwsError) return error;
  const name = sdkErrorName(error) ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const where = `${context.service} at ${context.endpoint}`;
  if (hasCode(error, UNREACHABLE_CODES)) {
    const hint = context.target === Target.LOCAL ? ': is the embedded stack running? Start it with `pnpm stack`' : '';
    return new ServiceUnreachableError(`cannot reach ${where} to ${context.action}${hint}`, error);
  }
  if (name === 'TimeoutError' || hasCode(error, new Set(['ETIMEDOUT']))) {
    return new ConnectionLostError(`${where} did not answer in time to ${context.action}: ${oneLine(message)}`, error);
  }
  if (hasCode(error, DROPPED_CODES) || /socket hang up/i.test(message)) {
    return new ConnectionLostError(`the connection to ${where} dropped while trying to ${context.action}`, error);
  }
  if (name === 'CredentialsProviderError' || /credential/i.test(name)) {
    return new AwsConfigurationError(
      'no AWS credentials found: configure the credential chain (AWS_PROFILE, environment, SSO, instance role)',
      error,
    );
  }
  if (/region is missing/i.test(message)) {
    return new AwsConfigurationError('no AWS region: set AWS_REGION (or a region in your AWS_PROFILE)', error);
  }
  if (PERMISSION_NAMES.has(name)) {
    return new AwsConfigurationError(
      `${context.service} refused to ${context.action}: ${name}: ${oneLine(message)}`,
      error,
    );
  }
  if (classifyAwsError(error) === ErrorClass.THROTTLED) {
    return new ThrottledRequestError(`${where} is throttling ${context.action}: ${name}: ${oneLine(message)}`, error);
  }
  if (name === 'ResourceInUseException') {
    return new ResourceStateError(`cannot ${context.action}: ${name}: ${oneLine(message)}`, error);
  }
  return new AwsRequestError(`${where} failed to ${context.action}: ${name}: ${oneLine(message)}`, error);
}

/** Whether the error, its causes or the errors it gathers carry one of the codes. */
function hasCode(error: unknown, codes: ReadonlySet<string>): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string' && codes.has(code)) return true;
    if (Array.isArray(errors) && errors.some((inner) => hasCode(inner, codes))) return true;
    current = cause;
  }
  return false;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

import {
  DependencyError,
  ExpiredIteratorError,
  type KclError,
  ResourceNotFoundError,
  ThrottledError,
} from './errors.js';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'KMSThrottlingException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** SDK errors become KCL errors here, so nothing above the adapters sees an SDK type. */
export function translateSdkError(error: unknown, action: string): KclError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
  if (name === 'ExpiredIteratorException') return new ExpiredIteratorError(`${action}: ${message}`, error);
  if (name === 'ResourceNotFoundException') return new ResourceNotFoundError(`${action}: ${message}`, error);
  if (THROTTLING.has(name)) return new ThrottledError(`${action}: ${name}: ${message}`, error);
  return new DependencyError(`${action} failed: ${name}: ${message}`, error);
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

import { classifyError, ErrorKind } from './classifyError.js';
import {
  DependencyError,
  ExpiredIteratorError,
  KclError,
  ResourceNotFoundError,
  ThrottledError,
  TransientError,
} from './errors.js';

/**
 * SDK errors become KCL errors here, so nothing above the adapters sees an SDK type. A KCL error
 * (an adapter's own, thrown inside the call it wraps) stays what it is: a stream with no ARN is
 * not found, an answer with no event stream is transient, not a DependencyError around them.
 */
export function translateSdkError(error: unknown, action: string): KclError {
  if (error instanceof KclError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
  if (name === 'ExpiredIteratorException') return new ExpiredIteratorError(`${action}: ${message}`, error);
  if (name === 'ResourceNotFoundException') return new ResourceNotFoundError(`${action}: ${message}`, error);
  const kind = classifyError(error);
  if (kind === ErrorKind.THROTTLED) return new ThrottledError(`${action}: ${name}: ${message}`, error);
  if (kind === ErrorKind.TRANSIENT) return new TransientError(`${action} failed for now: ${name}: ${message}`, error);
  return new DependencyError(`${action} failed: ${name}: ${message}`, error);
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

import { describe, expect, it } from 'vitest';
import { classifyError, ErrorKind } from '../src/index.js';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });

describe('classifyError', () => {
  it.each([
    ['ProvisionedThroughputExceededException', named('ProvisionedThroughputExceededException'), ErrorKind.THROTTLED],
    ['an SDK error marked as throttling', named('Whatever', { $retryable: { throttling: true } }), ErrorKind.THROTTLED],
    ['HTTP 429', named('Unknown', { $metadata: { httpStatusCode: 429 } }), ErrorKind.THROTTLED],
    ['InternalServerError', named('InternalServerError'), ErrorKind.TRANSIENT],
    ['HTTP 503', named('Unknown', { $metadata: { httpStatusCode: 503 } }), ErrorKind.TRANSIENT],
    ['an SDK error marked retryable', named('Whatever', { $retryable: {} }), ErrorKind.TRANSIENT],
    [
      'a reset connection, deep in the causes',
      new Error('x', { cause: named('Error', { code: 'ECONNRESET' }) }),
      ErrorKind.TRANSIENT,
    ],
    ['a refused connection', named('Error', { code: 'ECONNREFUSED' }), ErrorKind.TRANSIENT],
    ['a request timeout', named('TimeoutError'), ErrorKind.TRANSIENT],
    [
      'a missing table',
      named('ResourceNotFoundException', { $metadata: { httpStatusCode: 400 } }),
      ErrorKind.PERMANENT,
    ],
    ['a denied action', named('AccessDeniedException'), ErrorKind.PERMANENT],
    ['a failed condition', named('ConditionalCheckFailedException'), ErrorKind.PERMANENT],
    ['not an error at all', 'text', ErrorKind.PERMANENT],
  ])('%s is %s', (_, error, kind) => {
    expect(classifyError(error)).toBe(kind);
  });
});

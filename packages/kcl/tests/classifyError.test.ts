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

describe('classifyError, name by name and at the edges', () => {
  it.each([
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
  ])('%s (HTTP 400) is throttling', (name) => {
    expect(classifyError(named(name, { $metadata: { httpStatusCode: 400 } }))).toBe(ErrorKind.THROTTLED);
  });

  it.each([
    'InternalServerError',
    'InternalFailure',
    'ServiceUnavailable',
    'ServiceUnavailableException',
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
  ])('%s (no status) is transient', (name) => {
    expect(classifyError(named(name))).toBe(ErrorKind.TRANSIENT);
  });

  it.each([
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
  ])('a socket error %s is transient, as a cause too', (code) => {
    expect(classifyError(named('Error', { code }))).toBe(ErrorKind.TRANSIENT);
    expect(classifyError(new Error('wrapped', { cause: named('Error', { code }) }))).toBe(ErrorKind.TRANSIENT);
  });

  it('reads a chain of causes that ends in null without failing', () => {
    expect(classifyError(new Error('x', { cause: null }))).toBe(ErrorKind.PERMANENT);
    expect(classifyError(named('TimeoutError', { cause: null }))).toBe(ErrorKind.TRANSIENT);
  });

  it('reads network codes five causes deep, not six; and in an AggregateError, any one of its errors', () => {
    const wrap = (levels: number) => {
      let error: Error = named('Error', { code: 'ECONNRESET' });
      for (let level = 0; level < levels; level++) error = new Error(`level ${level}`, { cause: error });
      return error;
    };
    expect(classifyError(wrap(4))).toBe(ErrorKind.TRANSIENT);
    expect(classifyError(wrap(5))).toBe(ErrorKind.PERMANENT);
    const refused = named('Error', { code: 'ECONNREFUSED' });
    expect(classifyError(new AggregateError([new Error('other'), refused], 'all failed'))).toBe(ErrorKind.TRANSIENT);
    expect(classifyError(new AggregateError([new Error('other')], 'all failed'))).toBe(ErrorKind.PERMANENT);
    // A code that is not a string, or not a network one, is not a network failure.
    expect(classifyError(named('Error', { code: 104 }))).toBe(ErrorKind.PERMANENT);
    expect(classifyError(named('Error', { code: 'ENOENT' }))).toBe(ErrorKind.PERMANENT);
  });

  it('HTTP 500 and up is transient, 499 is not; a name that is not a string is no name', () => {
    expect(classifyError(named('Unknown', { $metadata: { httpStatusCode: 500 } }))).toBe(ErrorKind.TRANSIENT);
    expect(classifyError(named('Unknown', { $metadata: { httpStatusCode: 499 } }))).toBe(ErrorKind.PERMANENT);
    expect(classifyError({ name: 42, $metadata: { httpStatusCode: 400 } })).toBe(ErrorKind.PERMANENT);
    // An object that is not an Error still classifies by its shape; null and undefined are permanent.
    expect(classifyError({ name: 'ThrottlingException' })).toBe(ErrorKind.THROTTLED);
    expect(classifyError(null)).toBe(ErrorKind.PERMANENT);
    expect(classifyError(undefined)).toBe(ErrorKind.PERMANENT);
  });
});

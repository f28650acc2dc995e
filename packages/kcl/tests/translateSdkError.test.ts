import { describe, expect, it } from 'vitest';
import {
  DependencyError,
  ExpiredIteratorError,
  ResourceNotFoundError,
  ThrottledError,
  TransientError,
} from '../src/errors.js';
import { errorName, translateSdkError } from '../src/translateSdkError.js';

const sdkError = (name: string, message = 'said the service') => Object.assign(new Error(message), { name });

describe('translateSdkError', () => {
  it.each([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'LimitExceededException',
    'KMSThrottlingException',
  ])('%s is throttling: retry after a pause', (name) => {
    const error = translateSdkError(sdkError(name), 'get records');
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.message).toBe(`get records: ${name}: said the service`);
  });

  it.each([
    ['InternalServerError', sdkError('InternalServerError')],
    ['InternalFailure', sdkError('InternalFailure')],
    ['ServiceUnavailableException', sdkError('ServiceUnavailableException')],
    [
      'a request timeout',
      Object.assign(sdkError('TimeoutError', 'exceeded the 30000 ms requestTimeout'), { code: 'ETIMEDOUT' }),
    ],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4570'), { code: 'ECONNREFUSED' })],
    ['any HTTP 5xx', Object.assign(sdkError('UnknownError'), { $metadata: { httpStatusCode: 502 } })],
  ])('%s is a transient fault: retry, but not a sign of life', (_, error) => {
    expect(translateSdkError(error, 'scan App')).toBeInstanceOf(TransientError);
  });

  it('says what failed and how, in one line, keeping the SDK error as the cause', () => {
    const original = sdkError('ExpiredIteratorException', 'Iterator expired.\n  The iterator was created at 12:00');
    const expired = translateSdkError(original, 'get records');
    expect(expired).toBeInstanceOf(ExpiredIteratorError);
    expect(expired.message).toBe('get records: Iterator expired. The iterator was created at 12:00');
    expect(expired.cause).toBe(original);

    const missing = translateSdkError(sdkError('ResourceNotFoundException', 'Stream S not found'), 'list shards');
    expect(missing).toBeInstanceOf(ResourceNotFoundError);
    expect(missing.message).toBe('list shards: Stream S not found');

    const other = translateSdkError(sdkError('ValidationException', 'bad   request'), 'scan App');
    expect(other).toBeInstanceOf(DependencyError);
    expect(other.message).toBe('scan App failed: ValidationException: bad request');
  });

  it('translates what is not an Error too', () => {
    const error = translateSdkError('a string', 'put records');
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toBe('put records failed: Error: a string');
    expect(errorName('socket hang up')).toBeUndefined();
    expect(errorName(sdkError('ThrottlingException'))).toBe('ThrottlingException');
  });

  it('leaves a KCL error an adapter threw inside the call as it is', () => {
    const own = new TransientError('SubscribeToShard for shard-1 gave no event stream');
    expect(translateSdkError(own, 'read a subscription')).toBe(own);
  });
});

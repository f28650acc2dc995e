import { describe, expect, it } from 'vitest';
import { DependencyError, ExpiredIteratorError, ResourceNotFoundError, ThrottledError } from '../src/errors.js';
import { errorName, translateSdkError } from '../src/translateSdkError.js';

const sdkError = (name: string, message = 'said the service') => Object.assign(new Error(message), { name });

describe('translateSdkError', () => {
  it.each([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'LimitExceededException',
    'KMSThrottlingException',
    'InternalServerError',
    'InternalFailure',
    'ServiceUnavailable',
    'ServiceUnavailableException',
  ])('%s is throttling or a transient fault: retry after a pause', (name) => {
    const error = translateSdkError(sdkError(name), 'get records');
    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.message).toBe(`get records: ${name}: said the service`);
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
    const error = translateSdkError('socket hang up', 'put records');
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toBe('put records failed: Error: socket hang up');
    expect(errorName('socket hang up')).toBeUndefined();
    expect(errorName(sdkError('ThrottlingException'))).toBe('ThrottlingException');
  });
});

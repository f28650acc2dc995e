import { classifyAwsError } from '@stock-trades/aws';
import { classifyError } from '@stock-trades/kcl';
import { describe, expect, it } from 'vitest';

/** An SDK-shaped error: a name, an HTTP status, perhaps the SDK's own retry mark and a network cause. */
function sdkError(name: string, status?: number, extra: object = {}): Error {
  return Object.assign(new Error(`${name}: failed`), {
    name,
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
    ...extra,
  });
}

const CASES: Array<[string, Error]> = [
  ['ProvisionedThroughputExceededException 400', sdkError('ProvisionedThroughputExceededException', 400)],
  ['LimitExceededException 400', sdkError('LimitExceededException', 400)],
  ['ThrottlingException 400', sdkError('ThrottlingException', 400)],
  ['RequestLimitExceeded 400', sdkError('RequestLimitExceeded', 400)],
  ['SlowDown 503', sdkError('SlowDown', 503)],
  ['any name, 429', sdkError('TooManyRequestsException', 429)],
  ['$retryable throttling', sdkError('SomethingElse', 400, { $retryable: { throttling: true } })],
  ['InternalServerError 500', sdkError('InternalServerError', 500)],
  ['InternalFailure 500', sdkError('InternalFailure', 500)],
  ['ServiceUnavailable 503', sdkError('ServiceUnavailable', 503)],
  ['any name, 502', sdkError('BadGateway', 502)],
  ['TimeoutError', sdkError('TimeoutError')],
  ['RequestTimeout 408', sdkError('RequestTimeout', 408)],
  ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4568'), { code: 'ECONNREFUSED' })],
  [
    'a reset wrapped by the SDK',
    Object.assign(new Error('request failed'), { cause: Object.assign(new Error('read'), { code: 'ECONNRESET' }) }),
  ],
  ['ETIMEDOUT', Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })],
  ['ResourceNotFoundException 400', sdkError('ResourceNotFoundException', 400)],
  ['AccessDeniedException 400', sdkError('AccessDeniedException', 400)],
  ['ValidationException 400', sdkError('ValidationException', 400)],
  ['ExpiredIteratorException 400', sdkError('ExpiredIteratorException', 400)],
];

describe('the two classifiers of AWS errors (aws, for the CLIs; kcl, which depends on nothing of ours)', () => {
  it.each(CASES)('agree on %s', (_name, error) => {
    expect(classifyAwsError(error)).toBe(classifyError(error));
  });
});

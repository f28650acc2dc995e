import { describe, expect, it } from 'vitest';
import {
  AwsConfigurationError,
  AwsRequestError,
  ConnectionLostError,
  classifyAwsError,
  ErrorClass,
  ResourceStateError,
  ServiceUnreachableError,
  Target,
  ThrottledRequestError,
  translateAwsError,
} from '../src/index.js';

const local = {
  service: 'Kinesis',
  endpoint: 'http://127.0.0.1:4568',
  target: Target.LOCAL,
  action: 'describe stream S',
} as const;

function sdkError(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('translateAwsError', () => {
  it('points at `pnpm stack` when the embedded Kinesis is not answering', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4568'), { code: 'ECONNREFUSED' });
    const error = translateAwsError(refused, local);
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect(error.message).toBe(
      'cannot reach Kinesis at http://127.0.0.1:4568 to describe stream S: is the embedded stack running? Start it with `pnpm stack`',
    );
  });

  it('tells a dropped connection and a timeout from a refused one: no "is the stack running?" for those', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const dropped = translateAwsError(reset, local);
    expect(dropped).toBeInstanceOf(ConnectionLostError);
    expect(dropped.message).toBe(
      'the connection to Kinesis at http://127.0.0.1:4568 dropped while trying to describe stream S',
    );
    const hangUp = translateAwsError(new Error('socket hang up'), local);
    expect(hangUp).toBeInstanceOf(ConnectionLostError);
    const timeout = sdkError('TimeoutError', 'a request has exceeded the configured 30000 ms requestTimeout.', {
      code: 'ETIMEDOUT',
    });
    const late = translateAwsError(timeout, local);
    expect(late).toBeInstanceOf(ConnectionLostError);
    expect(late.message).toMatch(/^Kinesis at http:\/\/127\.0\.0\.1:4568 did not answer in time to describe stream S/);
    for (const error of [dropped, hangUp, late]) expect(error.message).not.toContain('pnpm stack');
  });

  it('finds a refused connection inside an AggregateError', () => {
    const inner = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const error = translateAwsError(new AggregateError([inner], ''), { ...local, target: Target.AWS });
    expect(error).toBeInstanceOf(ServiceUnreachableError);
    expect(error.message).not.toContain('pnpm stack');
  });

  it('says what to configure for missing credentials or region, without echoing secrets', () => {
    const noCreds = translateAwsError(sdkError('CredentialsProviderError', 'Could not load credentials'), local);
    expect(noCreds).toBeInstanceOf(AwsConfigurationError);
    expect(noCreds.message).toMatch(/no AWS credentials found/);
    const noRegion = translateAwsError(new Error('Region is missing'), local);
    expect(noRegion.message).toBe('no AWS region: set AWS_REGION (or a region in your AWS_PROFILE)');
  });

  it('reports a denied action with the service and what was being done', () => {
    const error = translateAwsError(sdkError('AccessDeniedException', 'User is not authorized\n to perform'), local);
    expect(error).toBeInstanceOf(AwsConfigurationError);
    expect(error.message).toBe(
      'Kinesis refused to describe stream S: AccessDeniedException: User is not authorized to perform',
    );
  });

  it('keeps resource-state, throttling and other failures apart', () => {
    expect(translateAwsError(sdkError('ResourceInUseException', 'updating'), local)).toBeInstanceOf(ResourceStateError);
    expect(translateAwsError(sdkError('ValidationException', 'bad'), local)).toBeInstanceOf(AwsRequestError);
  });

  it.each([
    ['ProvisionedThroughputExceededException', ErrorClass.THROTTLED],
    ['LimitExceededException', ErrorClass.THROTTLED],
    ['ThrottlingException', ErrorClass.THROTTLED],
    ['TimeoutError', ErrorClass.TRANSIENT],
    ['InternalFailure', ErrorClass.PERMANENT],
    ['ResourceNotFoundException', ErrorClass.PERMANENT],
  ])('classifies %s once for every package, by the SDK’s own rules: %s', (name, expected) => {
    expect(classifyAwsError(sdkError(name, 'x'))).toBe(expected);
  });

  it('classifies an HTTP 5xx as transient, and translates throttling to ThrottledRequestError', () => {
    const internal = Object.assign(sdkError('InternalFailure', 'x'), { $metadata: { httpStatusCode: 500 } });
    expect(classifyAwsError(internal)).toBe(ErrorClass.TRANSIENT);
    expect(translateAwsError(sdkError('LimitExceededException', 'too many'), local)).toBeInstanceOf(
      ThrottledRequestError,
    );
  });
});

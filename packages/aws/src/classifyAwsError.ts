import { isThrottlingError, isTransientError } from '@smithy/core/retry';

export const ErrorClass = {
  /** The service asked us to slow down (ProvisionedThroughputExceeded, LimitExceeded, Throttling, HTTP 429). */
  THROTTLED: 'throttled',
  /** A fault a later attempt can get past: a timeout, a dropped connection, an HTTP 5xx. */
  TRANSIENT: 'transient',
  /** Retrying cannot help: a missing stream, a denied action, a bad request. */
  PERMANENT: 'permanent',
} as const;
export type ErrorClass = (typeof ErrorClass)[keyof typeof ErrorClass];

/**
 * The one classification of SDK errors for every package of ours, by the SDK's own rules
 * (`@smithy/core/retry`, what its retry strategy decides on): throttling, transient, or
 * permanent. kcl keeps its own copy of these rules (it depends on nothing of ours).
 */
export function classifyAwsError(error: unknown): ErrorClass {
  if (typeof error !== 'object' || error === null) return ErrorClass.PERMANENT;
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  if (isThrottlingError(sdkError)) return ErrorClass.THROTTLED;
  if (
    isTransientError(sdkError) ||
    ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500
  ) {
    return ErrorClass.TRANSIENT;
  }
  return ErrorClass.PERMANENT;
}

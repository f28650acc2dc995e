/** Base of every error the aws package raises; `code` is stable, the message is one line for people. */
export class AwsError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AwsError';
    this.code = code;
  }
}

/** Nothing answers at the endpoint (the embedded stack is not running, or the network is down). */
export class ServiceUnreachableError extends AwsError {
  constructor(message: string, cause?: unknown) {
    super('SERVICE_UNREACHABLE', message, { cause });
    this.name = 'ServiceUnreachableError';
  }
}

/**
 * The connection was made and then lost, or the service did not answer in time: a fault
 * of the moment (the service may even have done what was asked). Worth trying again.
 */
export class ConnectionLostError extends AwsError {
  constructor(message: string, cause?: unknown) {
    super('CONNECTION_LOST', message, { cause });
    this.name = 'ConnectionLostError';
  }
}

/** No credentials, no region, or no permission: something the user fixes in their AWS setup. */
export class AwsConfigurationError extends AwsError {
  constructor(message: string, cause?: unknown) {
    super('AWS_CONFIGURATION', message, { cause });
    this.name = 'AwsConfigurationError';
  }
}

/** A stream or table is not in the state asked for (wrong shard count, still deleting, timed out). */
export class ResourceStateError extends AwsError {
  constructor(message: string, cause?: unknown) {
    super('RESOURCE_STATE', message, { cause });
    this.name = 'ResourceStateError';
  }
}

/** The service refused or failed a request in a way the caller cannot fix by waiting. */
export class AwsRequestError extends AwsError {
  constructor(message: string, cause?: unknown) {
    super('AWS_REQUEST_FAILED', message, { cause });
    this.name = 'AwsRequestError';
  }
}

/** The service is throttling us (or a transient fault): the caller backs off and tries again. */
export class ThrottledRequestError extends AwsError {
  constructor(message: string, cause?: unknown) {
    super('THROTTLED', message, { cause });
    this.name = 'ThrottledRequestError';
  }
}

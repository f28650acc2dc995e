/**
 * Base of every error the KCL package raises; `code` is stable (the table in the README).
 *
 * @example
 * import { KclError } from '@stock-trades/kcl';
 *
 * try {
 *   await worker.run(stop.signal);
 * } catch (error) {
 *   if (error instanceof KclError && error.code === 'RESOURCE_NOT_FOUND') console.error('no such stream or table');
 *   else throw error;
 * }
 */
export class KclError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KclError';
    this.code = code;
  }
}

/** A conditional write on a lease failed: another worker owns it now, or it moved on without us. */
export class LeaseLostError extends KclError {
  readonly leaseKey: string;
  constructor(leaseKey: string, detail = 'its owner or counter changed') {
    super('LEASE_LOST', `lease ${leaseKey} was lost: ${detail}`);
    this.name = 'LeaseLostError';
    this.leaseKey = leaseKey;
  }
}

/** A checkpoint that would move backwards, past what was delivered, or off a lease we do not hold. */
export class InvalidCheckpointError extends KclError {
  constructor(message: string) {
    super('INVALID_CHECKPOINT', message);
    this.name = 'InvalidCheckpointError';
  }
}

/** A shard iterator that is older than five minutes: get a new one. */
export class ExpiredIteratorError extends KclError {
  constructor(message: string, cause?: unknown) {
    super('EXPIRED_ITERATOR', message, { cause });
    this.name = 'ExpiredIteratorError';
  }
}

/** Kinesis or DynamoDB said slow down: retry after a pause. */
export class ThrottledError extends KclError {
  constructor(message: string, cause?: unknown) {
    super('THROTTLED', message, { cause });
    this.name = 'ThrottledError';
  }
}

/** A fault a later attempt can get past: a timeout, a dropped or refused connection, a 5xx. */
export class TransientError extends KclError {
  constructor(message: string, cause?: unknown) {
    super('TRANSIENT', message, { cause });
    this.name = 'TransientError';
  }
}

/** The stream, shard or table is not there. */
export class ResourceNotFoundError extends KclError {
  constructor(message: string, cause?: unknown) {
    super('RESOURCE_NOT_FOUND', message, { cause });
    this.name = 'ResourceNotFoundError';
  }
}

/** Any other failure of a Kinesis or DynamoDB call, with the service's own words. */
export class DependencyError extends KclError {
  constructor(message: string, cause?: unknown) {
    super('DEPENDENCY_FAILED', message, { cause });
    this.name = 'DependencyError';
  }
}

/** A setting that cannot work (a renew interval not below the failover time, reads faster than Kinesis allows). */
export class InvalidConfigError extends KclError {
  constructor(message: string) {
    super('INVALID_CONFIG', message);
    this.name = 'InvalidConfigError';
  }
}

/** The lease table exists but did not become ACTIVE in time (it is being created, or deleted). */
export class TableNotReadyError extends KclError {
  constructor(message: string) {
    super('TABLE_NOT_READY', message);
    this.name = 'TableNotReadyError';
  }
}

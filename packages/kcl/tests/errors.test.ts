import { describe, expect, it } from 'vitest';
import {
  DependencyError,
  ExpiredIteratorError,
  InvalidCheckpointError,
  InvalidConfigError,
  KclError,
  LeaseLostError,
  ResourceNotFoundError,
  TableNotReadyError,
  ThrottledError,
  TransientError,
} from '../src/errors.js';

describe('errors', () => {
  it('each has its own name and stable code, is a KclError, and keeps its cause', () => {
    const cause = new Error('from the SDK');
    const errors: Array<[KclError, string, string]> = [
      [new KclError('SOMETHING', 'm'), 'KclError', 'SOMETHING'],
      [new LeaseLostError('shard-1'), 'LeaseLostError', 'LEASE_LOST'],
      [new InvalidCheckpointError('m'), 'InvalidCheckpointError', 'INVALID_CHECKPOINT'],
      [new ExpiredIteratorError('m', cause), 'ExpiredIteratorError', 'EXPIRED_ITERATOR'],
      [new ThrottledError('m', cause), 'ThrottledError', 'THROTTLED'],
      [new ResourceNotFoundError('m', cause), 'ResourceNotFoundError', 'RESOURCE_NOT_FOUND'],
      [new DependencyError('m', cause), 'DependencyError', 'DEPENDENCY_FAILED'],
      [new TransientError('m', cause), 'TransientError', 'TRANSIENT'],
      [new InvalidConfigError('m'), 'InvalidConfigError', 'INVALID_CONFIG'],
      [new TableNotReadyError('m'), 'TableNotReadyError', 'TABLE_NOT_READY'],
    ];
    for (const [error, name, code] of errors) {
      expect(error).toBeInstanceOf(KclError);
      expect(error).toMatchObject({ name, code });
    }
    for (const [error] of errors.slice(3, 8)) expect(error.cause).toBe(cause);
  });

  it('a lost lease names the lease, and why when told', () => {
    expect(new LeaseLostError('shard-1').message).toBe('lease shard-1 was lost: its owner or counter changed');
    expect(new LeaseLostError('shard-1', 'taken by w-2')).toMatchObject({
      leaseKey: 'shard-1',
      message: 'lease shard-1 was lost: taken by w-2',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/index.js';

const policy = { maxAttempts: 10, retryForMs: 60_000, baseDelayMs: 100, maxDelayMs: 1500 };

describe('backoffDelay', () => {
  it('doubles the jitter window each retry up to the ceiling', () => {
    const top = (retry: number) => backoffDelay(retry, policy, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 6].map(top)).toEqual([99, 199, 399, 799, 1499, 1499]);
  });

  it('draws anywhere in the window (full jitter)', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
  });
});

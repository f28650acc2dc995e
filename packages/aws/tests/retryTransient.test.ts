import { describe, expect, it } from 'vitest';
import { retryTransient, Target, translateAwsError } from '../src/index.js';

const context = {
  service: 'Kinesis',
  endpoint: 'http://127.0.0.1:4568',
  target: Target.LOCAL,
  action: 'describe S',
} as const;
const reset = () => translateAwsError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), context);
const refused = () =>
  translateAwsError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), context);
const internal = () =>
  translateAwsError(
    Object.assign(new Error('proxy'), { name: 'InternalFailure', $metadata: { httpStatusCode: 502 } }),
    context,
  );

/** A clock that a sleep moves at once, noting each. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

function failing(errors: Error[], value = 'ACTIVE') {
  let calls = 0;
  return {
    call: async () => {
      calls++;
      const error = errors.shift();
      if (error) throw error;
      return value;
    },
    calls: () => calls,
  };
}

describe('retryTransient', () => {
  it('rides out dropped connections and 5xx answers, telling each retry, backing off from 200 ms', async () => {
    const time = fakeTime();
    const { call, calls } = failing([reset(), internal(), reset()]);
    const retries: number[] = [];
    const value = await retryTransient(call, {
      sleep: time.sleep,
      now: time.now,
      onRetry: (_, waitMs) => retries.push(waitMs),
    });
    expect(value).toBe('ACTIVE');
    expect(calls()).toBe(4);
    expect(retries).toEqual([200, 400, 800]);
  });

  it('fails at once on a refused connection (nothing listens), or on an error retrying cannot fix', async () => {
    const time = fakeTime();
    const refusedCall = failing([refused()]);
    await expect(retryTransient(refusedCall.call, { sleep: time.sleep, now: time.now })).rejects.toThrow(
      /is the embedded stack running/,
    );
    expect(refusedCall.calls()).toBe(1);
    const denied = failing([
      translateAwsError(Object.assign(new Error('no'), { name: 'AccessDeniedException' }), context),
    ]);
    await expect(retryTransient(denied.call, { sleep: time.sleep, now: time.now })).rejects.toThrow(
      /refused to describe S/,
    );
    expect(denied.calls()).toBe(1);
  });

  it('gives up after a minute of faults with the last one', async () => {
    const time = fakeTime();
    const endless = { call: async () => Promise.reject(reset()) };
    await expect(retryTransient(endless.call, { sleep: time.sleep, now: time.now })).rejects.toThrow(/dropped/);
    expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(60_000);
    expect(time.sleeps.length).toBeGreaterThan(10);
  });
});

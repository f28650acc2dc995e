import { describe, expect, it } from 'vitest';
import { nextPollDelay } from '../src/pollDelay.js';

const policy = { minMs: 200, maxMs: 1000 };

describe('nextPollDelay', () => {
  it('polls at the minimum while behind the tip', () => {
    expect(nextPollDelay(1000, true, 5_000, policy)).toBe(200);
  });

  it('grows toward the maximum while the shard is quiet, and shrinks while records keep coming', () => {
    const quiet = [200];
    for (let i = 0; i < 5; i++) quiet.push(nextPollDelay(quiet.at(-1) ?? 0, false, 0, policy));
    expect(quiet).toEqual([200, 400, 800, 1000, 1000, 1000]);
    expect(nextPollDelay(1000, true, 0, policy)).toBe(500);
    expect(nextPollDelay(300, true, 0, policy)).toBe(200);
  });
});

import { describe, expect, it } from 'vitest';
import { resolveTarget, Target } from '../src/index.js';

describe('resolveTarget', () => {
  it('defaults to the embedded stack', () => {
    expect(resolveTarget(undefined, {})).toBe(Target.LOCAL);
  });

  it('takes STOCK_TRADES_TARGET, and --target over it', () => {
    expect(resolveTarget(undefined, { STOCK_TRADES_TARGET: 'aws' })).toBe(Target.AWS);
    expect(resolveTarget('local', { STOCK_TRADES_TARGET: 'aws' })).toBe(Target.LOCAL);
  });

  it('names the source of a bad value', () => {
    expect(() => resolveTarget('prod', {})).toThrow('--target must be "local" or "aws", got "prod"');
    expect(() => resolveTarget(undefined, { STOCK_TRADES_TARGET: 'AWS' })).toThrow(/^STOCK_TRADES_TARGET must be/);
  });
});

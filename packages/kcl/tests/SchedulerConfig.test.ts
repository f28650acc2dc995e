import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../src/errors.js';
import { TRIM_HORIZON } from '../src/InitialPosition.js';
import { schedulerConfig } from '../src/SchedulerConfig.js';

const names = { applicationName: 'App', streamName: 'S', workerId: 'w' };

describe('schedulerConfig', () => {
  it('has the Java KCL’s defaults, its timings derived from the failover time', () => {
    expect(schedulerConfig(names)).toMatchObject({
      initialPosition: TRIM_HORIZON,
      failoverMs: 10_000,
      renewIntervalMs: 3_333,
      takeIntervalMs: 20_050,
      leasePollIntervalMs: 1_000,
      readerStallMs: 10_000,
    });
    expect(TRIM_HORIZON).toEqual({ type: 'TRIM_HORIZON' });
    expect(schedulerConfig({ ...names, failoverMs: 1_500 })).toMatchObject({
      renewIntervalMs: 500,
      takeIntervalMs: 3_050,
      leasePollIntervalMs: 500,
      readerStallMs: 1_500,
    });
  });

  it('keeps what it is given, and ignores settings given as undefined', () => {
    const config = schedulerConfig({ ...names, maxRecords: 500, pollMaxMs: undefined });
    expect(config.maxRecords).toBe(500);
    expect(config.pollMaxMs).toBe(1_000);
  });

  it('refuses a renew interval not shorter than the failover time, and polling faster than Kinesis allows', () => {
    expect(() => schedulerConfig({ ...names, failoverMs: 1_000, renewIntervalMs: 1_000 })).toThrow(
      'renew interval (1000 ms) must be shorter than the failover time (1000 ms)',
    );
    expect(() => schedulerConfig({ ...names, pollMinMs: 199 })).toThrow(/pollMinMs below 200 ms/);
    // Every error kcl throws is a KclError with a documented code.
    expect(() => schedulerConfig({ ...names, pollMinMs: 199 })).toThrow(InvalidConfigError);
    expect(() => schedulerConfig({ ...names, failoverMs: 1000, renewIntervalMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(schedulerConfig({ ...names, pollMinMs: 200 }).pollMinMs).toBe(200);
  });
});

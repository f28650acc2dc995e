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

  it.each([
    [
      'a misspelt setting, naming what it likely meant',
      { failoverMS: 3000 },
      'unknown setting failoverMS (did you mean failoverMs?)',
    ],
    ['a setting it does not know at all', { speed: 'fast' }, 'unknown setting speed'],
    ['no workerId', { workerId: undefined }, 'workerId must be a non-empty string (unique per worker process)'],
    ['an empty stream name', { streamName: '' }, 'streamName must be a non-empty string (the stream to read)'],
    [
      'a position given as text',
      { initialPosition: 'LATEST' },
      "initialPosition must be { type: 'TRIM_HORIZON' }, { type: 'LATEST' } or { type: 'AT_TIMESTAMP', timestamp: <a Date> }, not 'LATEST'",
    ],
    [
      'AT_TIMESTAMP without a date',
      { initialPosition: { type: 'AT_TIMESTAMP', timestamp: '2026-01-01' } },
      /^initialPosition must be/,
    ],
    [
      'a retrieval mode given as text',
      { retrieval: 'fan-out' },
      "retrieval must be { mode: 'polling' } or { mode: 'fan-out', consumerName?: string }, not 'fan-out'",
    ],
    [
      'an error policy it does not know',
      { onProcessingError: 'ignore' },
      "onProcessingError must be 'retry', 'skip' or a function answering 'retry' | 'skip' | 'stop', not 'ignore'",
    ],
    [
      'more records a read than Kinesis gives',
      { maxRecords: 20_000 },
      'maxRecords must be a whole number from 1 to 10000, not 20000',
    ],
    [
      'a time that is not a number',
      { failoverMs: '3s' },
      "failoverMs must be a number of milliseconds above 0, not '3s'",
    ],
    [
      'a longest poll below the shortest',
      { pollMinMs: 500, pollMaxMs: 300 },
      'pollMaxMs (300 ms) is below pollMinMs (500 ms)',
    ],
    [
      'a backoff whose cap is below its start',
      { processingBackoffMs: { firstMs: 500, maxMs: 100 } },
      /^processingBackoffMs must be/,
    ],
    [
      'no worker share at all',
      { maxLeasesForWorker: 0 },
      'maxLeasesForWorker must be at least 1 (Infinity: no limit), not 0',
    ],
  ])('refuses %s with one INVALID_CONFIG error', (_, setting, message) => {
    const make = () => schedulerConfig({ ...names, ...(setting as object) });
    expect(make).toThrow(InvalidConfigError);
    expect(make).toThrow(message);
  });

  it('takes every setting it documents, at the edges of what they allow', () => {
    const config = schedulerConfig({
      ...names,
      initialPosition: { type: 'AT_TIMESTAMP', timestamp: new Date(0) },
      retrieval: { mode: 'fan-out', consumerName: 'audit' },
      maxRecords: 10_000,
      maxLeasesToStealAtOneTime: 0,
      maxLeasesForWorker: Number.POSITIVE_INFINITY,
      onProcessingError: () => 'skip',
      processingAttempts: 1,
      processingBackoffMs: { firstMs: 1, maxMs: 1 },
      pollMinMs: 200,
      pollMaxMs: 200,
      shutdownTimeoutMs: 1,
    });
    expect(config).toMatchObject({ maxRecords: 10_000, maxLeasesToStealAtOneTime: 0, pollMaxMs: 200 });
  });
});

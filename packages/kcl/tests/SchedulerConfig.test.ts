import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../src/errors.js';
import { TRIM_HORIZON } from '../src/InitialPosition.js';
import { schedulerConfig } from '../src/SchedulerConfig.js';

const names = { applicationName: 'App', streamName: 'S', workerId: 'w' };
const exactly = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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
    expect(make).toThrow(typeof message === 'string' ? new RegExp(`^${exactly(message)}$`) : message);
  });

  const refusal = (settings: unknown) => {
    try {
      schedulerConfig(settings as never);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      return (error as Error).message;
    }
    return undefined;
  };

  it('says exactly which setting, and what it was given', () => {
    expect(refusal(null)).toBe('settings must be an object');
    expect(refusal('App')).toBe('settings must be an object');
    expect(refusal({ ...names, applicationName: 7 })).toBe(
      'applicationName must be a non-empty string (it names the lease table)',
    );
    expect(refusal({ ...names, failoverMs: 0 })).toBe('failoverMs must be a number of milliseconds above 0, not 0');
    expect(refusal({ ...names, shutdownTimeoutMs: Number.POSITIVE_INFINITY })).toBe(
      'shutdownTimeoutMs must be a number of milliseconds above 0, not Infinity',
    );
    expect(refusal({ ...names, failoverMs: Number.NaN })).toBe(
      'failoverMs must be a number of milliseconds above 0, not NaN',
    );
    expect(refusal({ ...names, maxLeasesToStealAtOneTime: -1 })).toBe(
      'maxLeasesToStealAtOneTime must be a whole number from 0 up, not -1',
    );
    expect(refusal({ ...names, processingAttempts: 1.5 })).toBe(
      'processingAttempts must be a whole number from 1 up, not 1.5',
    );
    expect(refusal({ ...names, maxRecords: 0 })).toBe('maxRecords must be a whole number from 1 to 10000, not 0');
    expect(refusal({ ...names, maxLeasesForWorker: '2' })).toBe(
      "maxLeasesForWorker must be at least 1 (Infinity: no limit), not '2'",
    );
    const position =
      "initialPosition must be { type: 'TRIM_HORIZON' }, { type: 'LATEST' } or { type: 'AT_TIMESTAMP', timestamp: <a Date> }, not";
    expect(refusal({ ...names, initialPosition: null })).toBe(`${position} null`);
    expect(refusal({ ...names, initialPosition: { type: 'NOW' } })).toBe(`${position} {"type":"NOW"}`);
    expect(refusal({ ...names, initialPosition: { type: 'AT_TIMESTAMP' } })).toBe(
      `${position} {"type":"AT_TIMESTAMP"}`,
    );
    expect(refusal({ ...names, initialPosition: { type: 'AT_TIMESTAMP', timestamp: new Date('never') } })).toBe(
      `${position} {"type":"AT_TIMESTAMP","timestamp":null}`,
    );
    expect(refusal({ ...names, initialPosition: () => 'LATEST' })).toBe(`${position} a function`);
    expect(refusal({ ...names, initialPosition: Symbol('LATEST') })).toBe(`${position} Symbol(LATEST)`);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(refusal({ ...names, initialPosition: circular })).toBe(`${position} [object Object]`);
    expect(refusal({ ...names, retrieval: null })).toBe(
      "retrieval must be { mode: 'polling' } or { mode: 'fan-out', consumerName?: string }, not null",
    );
    expect(refusal({ ...names, retrieval: { mode: 'fan-out', consumerName: '' } })).toBe(
      "retrieval.consumerName must be a non-empty string, not ''",
    );
    expect(refusal({ ...names, retrieval: { mode: 'fan-out', consumerName: 5 } })).toBe(
      'retrieval.consumerName must be a non-empty string, not 5',
    );
    expect(refusal({ ...names, retrieval: { mode: 'polling', consumerName: 'audit' } })).toBe(
      "retrieval.consumerName names a fan-out consumer: give it with mode 'fan-out'",
    );
    expect(refusal({ ...names, onProcessingError: 5 })).toBe(
      "onProcessingError must be 'retry', 'skip' or a function answering 'retry' | 'skip' | 'stop', not 5",
    );
    const backoff = 'processingBackoffMs must be { firstMs > 0, maxMs ≥ firstMs }, not';
    expect(refusal({ ...names, processingBackoffMs: null })).toBe(`${backoff} null`);
    expect(refusal({ ...names, processingBackoffMs: { firstMs: 0, maxMs: 10 } })).toBe(
      `${backoff} {"firstMs":0,"maxMs":10}`,
    );
    expect(refusal({ ...names, processingBackoffMs: { firstMs: '1', maxMs: 10 } })).toBe(
      `${backoff} {"firstMs":"1","maxMs":10}`,
    );
    expect(refusal({ ...names, processingBackoffMs: { firstMs: 1, maxMs: '10' } })).toBe(
      `${backoff} {"firstMs":1,"maxMs":"10"}`,
    );
  });

  it('names the setting a misspelt one most likely meant: by case, then by the fewest letters apart, up to two', () => {
    const meant = (typo: string) => refusal({ ...names, [typo]: 1 });
    expect(meant('WORKERID')).toBe('unknown setting WORKERID (did you mean workerId?)');
    expect(meant('failovrMs')).toBe('unknown setting failovrMs (did you mean failoverMs?)'); // a letter left out
    expect(meant('maxRecordz')).toBe('unknown setting maxRecordz (did you mean maxRecords?)'); // one changed
    expect(meant('faileverMss')).toBe('unknown setting faileverMss (did you mean failoverMs?)'); // one changed, one added
    expect(meant('retreival')).toBe('unknown setting retreival (did you mean retrieval?)'); // two swapped
    // pollMinMs comes first and is two letters off; pollMaxMs, one: the nearer wins.
    expect(meant('pollMaMs')).toBe('unknown setting pollMaMs (did you mean pollMaxMs?)');
    expect(meant('maxRecs')).toBe('unknown setting maxRecs'); // three apart: no guess
    expect(meant('metric')).toBe('unknown setting metric (did you mean metrics?)'); // createWorker's own
    // Every one at once, not the first of them.
    expect(refusal({ ...names, failoverMS: 3000, maxLeasesForWorkr: 2 })).toBe(
      'unknown settings failoverMS (did you mean failoverMs?), maxLeasesForWorkr (did you mean maxLeasesForWorker?)',
    );
  });

  it('accepts every position, mode and policy it documents, and ignores an unknown name given as undefined', () => {
    for (const initialPosition of [{ type: 'TRIM_HORIZON' }, { type: 'LATEST' }] as const)
      expect(schedulerConfig({ ...names, initialPosition }).initialPosition).toEqual(initialPosition);
    expect(schedulerConfig({ ...names, retrieval: { mode: 'polling' } }).retrieval).toEqual({ mode: 'polling' });
    expect(schedulerConfig({ ...names, retrieval: { mode: 'fan-out' } }).retrieval).toEqual({ mode: 'fan-out' });
    for (const onProcessingError of ['retry', 'skip'] as const)
      expect(schedulerConfig({ ...names, onProcessingError }).onProcessingError).toBe(onProcessingError);
    expect(schedulerConfig({ ...names, maxLeasesForWorker: 1 }).maxLeasesForWorker).toBe(1);
    expect(schedulerConfig({ ...names, typo: undefined } as never).maxRecords).toBe(10_000);
  });

  it('takes back every setting it fills in: none of its own names is unknown to it', () => {
    const full = schedulerConfig({ ...names, failoverMs: 3_000 });
    expect(schedulerConfig(full)).toEqual(full);
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

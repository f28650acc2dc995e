import { InvalidOptionError, parseDuration } from '@stock-trades/core';

/** What a deployment may choose; everything else follows from the code. */
export interface InfraSettings {
  /** Shards of StockTradeStream, or on-demand capacity (AWS scales it; billed per GB and per stream-hour). */
  readonly shards: number | 'on-demand';
  /** How long Kinesis keeps records: 24 hours (the default, included) up to 8,760 (a year, billed extra). */
  readonly retentionHours: number;
  /** The consumer fleet's bounds: target tracking on the stream's iterator age moves it between them. */
  readonly minWorkers: number;
  readonly maxWorkers: number;
  /** The consumer's window (`--window`): the tutorial's minute by default. */
  readonly window: string;
  /** Encrypt the streams with a customer-managed KMS key instead of AWS's own (`aws/kinesis`). */
  readonly customerKey: boolean;
}

export const DEFAULT_SETTINGS: InfraSettings = {
  shards: 4,
  retentionHours: 24,
  minWorkers: 1,
  maxWorkers: 4,
  window: '60s',
  customerKey: false,
};

/**
 * Settings from CDK context (`-c shards=8`, as `pnpm infra:synth -c shards=8` or `cdk deploy -c …` pass
 * them): each checked, with one clear line for a bad value.
 */
export function settingsFrom(context: (key: string) => unknown): InfraSettings {
  const text = (key: keyof InfraSettings) => {
    const value = context(key);
    return value === undefined ? undefined : String(value);
  };
  const integer = (key: keyof InfraSettings, min: number, max: number, fallback: number) => {
    const value = text(key);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidOptionError(`-c ${key} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return parsed;
  };
  const shardsText = text('shards');
  const shards = shardsText === 'on-demand' ? 'on-demand' : integer('shards', 1, 500, 4);
  const minWorkers = integer('minWorkers', 1, 100, DEFAULT_SETTINGS.minWorkers);
  const maxWorkers = integer(
    'maxWorkers',
    1,
    100,
    Math.max(
      minWorkers,
      Math.min(DEFAULT_SETTINGS.maxWorkers, shards === 'on-demand' ? Number.MAX_SAFE_INTEGER : shards),
    ),
  );
  if (maxWorkers < minWorkers) {
    throw new InvalidOptionError(`-c maxWorkers (${maxWorkers}) must be at least -c minWorkers (${minWorkers})`);
  }
  // A worker holds at least one lease: more workers than shards would idle, billed all the same.
  if (shards !== 'on-demand' && maxWorkers > shards) {
    throw new InvalidOptionError(
      `-c maxWorkers (${maxWorkers}) is more than the ${shards} shards: a worker past one per shard has nothing to read`,
    );
  }
  const window = text('window') ?? DEFAULT_SETTINGS.window;
  parseDuration(window, '-c window');
  const key = text('customerKey');
  if (key !== undefined && key !== 'true' && key !== 'false') {
    throw new InvalidOptionError(`-c customerKey must be true or false, got "${key}"`);
  }
  return {
    shards,
    retentionHours: integer('retentionHours', 24, 8760, DEFAULT_SETTINGS.retentionHours),
    minWorkers,
    maxWorkers,
    window,
    customerKey: key === 'true',
  };
}

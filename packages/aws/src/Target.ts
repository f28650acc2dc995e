import { InvalidOptionError } from '@stock-trades/core';

export const Target = {
  /** The embedded kinesis-local + dynalite started by `pnpm stack`. */
  LOCAL: 'local',
  /** Whatever the AWS SDK's standard resolution finds: credential chain, AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_*. */
  AWS: 'aws',
} as const;
export type Target = (typeof Target)[keyof typeof Target];

/** The environment variable that chooses the target when `--target` is not given. */
export const TARGET_ENV = 'STOCK_TRADES_TARGET';

/** `--target` wins, then STOCK_TRADES_TARGET, then the embedded stack. */
export function resolveTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  const [source, value] = flag !== undefined ? ['--target', flag] : [TARGET_ENV, env[TARGET_ENV]];
  if (value === undefined || value === '') return Target.LOCAL;
  if (value === Target.LOCAL || value === Target.AWS) return value;
  throw new InvalidOptionError(`${source} must be "local" or "aws", got "${value}"`);
}

import { ResourceStateError } from './errors.js';

export interface PollOptions {
  /** Give up after this long. */
  timeoutMs: number;
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `check` until it returns something other than undefined, or fails with `what` after the timeout. */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: PollOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const wait = options.sleep ?? sleep;
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (now() >= deadline) throw new ResourceStateError(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await wait(options.intervalMs ?? 250);
  }
}

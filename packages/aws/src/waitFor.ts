import { ResourceStateError } from './errors.js';

export interface WaitOptions {
  /** Give up after this long (default 5 minutes). */
  readonly timeoutMs?: number;
}

export const DEFAULT_WAIT_MS = 300_000;

/** The SDK waiters' timing: the first look at once, then every 1–5 s (their own defaults, 5–120 s, suit AWS, not a laptop). */
export function waiterTiming(options: WaitOptions) {
  return {
    maxWaitTime: Math.max(1, Math.ceil((options.timeoutMs ?? DEFAULT_WAIT_MS) / 1000)),
    minDelay: 1,
    maxDelay: 5,
  };
}

/** Runs an SDK waiter; a timeout (or any state but success) becomes one clear ResourceStateError. */
export async function viaWaiter(what: string, options: WaitOptions, wait: () => Promise<unknown>): Promise<void> {
  try {
    await wait();
  } catch (error) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    throw new ResourceStateError(`gave up after ${timeoutMs} ms waiting for ${what}`, error);
  }
}

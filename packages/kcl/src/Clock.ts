/** Time, injected so tests need no sleeping. */
export interface Clock {
  /** Monotonic milliseconds: only differences mean anything. Lease expiry is judged on this. */
  monotonicNow(): number;
  /** Wall-clock milliseconds since the epoch. */
  wallNow(): number;
  /** Resolves after `ms`, or at once when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `performance.now()`, `Date.now()` and `setTimeout`. What a worker uses unless told otherwise. */
export const systemClock: Clock = {
  monotonicNow: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

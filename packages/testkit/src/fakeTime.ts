/** A clock that only moves when sleep is called: runs take no real time and never race the wall clock. */
export function fakeTime(start = Date.UTC(2026, 10, 26, 10)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      if (!signal?.aborted) now += ms;
      await Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** The start (ms since the epoch) of the tumbling window that holds `timestampMs`. */
export function windowStartOf(timestampMs: number, windowMs: number): number {
  return Math.floor(timestampMs / windowMs) * windowMs;
}

/** "1 minute", "10 seconds", "90 seconds": the tutorial's "stats for last 1 minute". */
export function describeWindowLength(windowMs: number): string {
  if (windowMs % 60_000 === 0) {
    const minutes = windowMs / 60_000;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  const seconds = windowMs / 1000;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/** "10:00:00–10:01:00" in UTC. */
export function formatWindow(startMs: number, windowMs: number): string {
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  return `${time(startMs)}–${time(startMs + windowMs)}`;
}

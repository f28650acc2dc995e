/**
 * Drops the oldest of time-ordered samples while the next one is already `spanMs` old, so that one
 * sample at or beyond the span stays to measure a rate from (and the newest two always stay).
 */
export function keepSpan(samples: Array<{ readonly at: number }>, wallNow: number, spanMs: number): void {
  while (samples.length > 2 && (samples[1]?.at ?? wallNow) <= wallNow - spanMs) samples.shift();
}

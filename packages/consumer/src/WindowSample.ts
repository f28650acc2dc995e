import type { WindowSample } from '@stock-trades/core';

export type { WindowSample };

/** Where samples go: printed, written to a file, sent to the stats stream. */
export interface SampleSink {
  emit(samples: readonly WindowSample[]): Promise<void>;
}

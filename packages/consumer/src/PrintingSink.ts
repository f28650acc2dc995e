import { describeWindowLength, formatStockStats, formatWindow, stockStats } from '@stock-trades/core';
import type { SampleSink, WindowSample } from './WindowSample.js';

/** Prints each sample in the tutorial's words, one block per shard per window; resolves once the text is taken. */
export class PrintingSink implements SampleSink {
  constructor(private readonly write: (text: string) => Promise<void> | void) {}

  async emit(samples: readonly WindowSample[]): Promise<void> {
    await this.write(samples.map(formatSample).join(''));
  }
}

export function formatSample(sample: WindowSample): string {
  const length = sample.windowEnd - sample.windowStart;
  const window = formatWindow(sample.windowStart, length);
  const late = sample.late ? ', late trades' : '';
  const header = `****** Shard ${sample.shardId} stats for last ${describeWindowLength(length)} (${window} UTC${late}) ******`;
  return [header, ...formatStockStats(stockStats(sample.summary)), '*'.repeat(header.length), ''].join('\n');
}

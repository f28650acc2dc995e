import type { JsonLinesFile } from '@stock-trades/cli-kit';
import { sampleToJson } from '@stock-trades/core';
import type { SampleSink, WindowSample } from './WindowSample.js';

/**
 * `--out FILE.jsonl`: one JSON line per sample, windows as ISO-8601. `emit` resolves once
 * the lines are written (so nothing is checkpointed before), and rejects with the file's
 * OutputWriteError when they cannot be.
 */
export class JsonlSink implements SampleSink {
  constructor(private readonly file: JsonLinesFile) {}

  emit(samples: readonly WindowSample[]): Promise<void> {
    return this.file.append(samples.map((sample) => JSON.stringify(sampleToJson(sample))));
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Sends every sample to each of several sinks, in order. */
export class FanOutSink implements SampleSink {
  constructor(private readonly sinks: readonly SampleSink[]) {}

  async emit(samples: readonly WindowSample[]): Promise<void> {
    for (const sink of this.sinks) await sink.emit(samples);
  }
}

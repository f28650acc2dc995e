import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { sampleToJson } from '@stock-trades/core';
import type { SampleSink, WindowSample } from './WindowSample.js';

/** `--out FILE.jsonl`: one JSON line per sample, windows as ISO-8601. */
export class JsonlSink implements SampleSink {
  private readonly stream: WriteStream;

  /** `fd`: a descriptor opened for appending (cli-kit's openOutputFile checks the path first). */
  constructor(fd: number) {
    this.stream = createWriteStream('', { fd, encoding: 'utf8' });
  }

  async emit(samples: readonly WindowSample[]): Promise<void> {
    for (const sample of samples) this.stream.write(`${JSON.stringify(sampleToJson(sample))}\n`);
  }

  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
  }
}

/** Sends every sample to each of several sinks, in order. */
export class FanOutSink implements SampleSink {
  constructor(private readonly sinks: readonly SampleSink[]) {}

  async emit(samples: readonly WindowSample[]): Promise<void> {
    for (const sink of this.sinks) await sink.emit(samples);
  }
}

import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { SampleSink, WindowSample } from './WindowSample.js';

/** `--out FILE.jsonl`: one JSON line per sample, windows as ISO-8601. */
export class JsonlSink implements SampleSink {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
  }

  async emit(samples: readonly WindowSample[]): Promise<void> {
    for (const sample of samples) this.stream.write(`${JSON.stringify(sampleToJson(sample))}\n`);
  }

  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
  }
}

/** A sample as one JSON object: the line `--out` writes and the record sent to the stats stream. */
export function sampleToJson(sample: WindowSample): object {
  return {
    v: 1,
    shardId: sample.shardId,
    windowStart: new Date(sample.windowStart).toISOString(),
    windowEnd: new Date(sample.windowEnd).toISOString(),
    firstSequenceNumber: sample.firstSequenceNumber,
    lastSequenceNumber: sample.lastSequenceNumber,
    late: sample.late,
    final: sample.final,
    childShardIds: sample.childShardIds,
    hashKeyRange: sample.hashKeyRange,
    trades: sample.summary.trades,
    malformed: sample.summary.malformed,
    largestSell: sample.summary.largestSell,
    perTicker: sample.summary.perTicker,
  };
}

/** Sends every sample to each of several sinks, in order. */
export class FanOutSink implements SampleSink {
  constructor(private readonly sinks: readonly SampleSink[]) {}

  async emit(samples: readonly WindowSample[]): Promise<void> {
    for (const sink of this.sinks) await sink.emit(samples);
  }
}

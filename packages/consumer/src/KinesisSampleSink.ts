import { sampleToJson } from '@stock-trades/core';
import { BatchSender, DEFAULT_RETRY_POLICY, type PendingRecord, type RecordsPort } from '@stock-trades/writer';
import { ConsumerError } from './errors.js';
import type { SampleSink, WindowSample } from './WindowSample.js';

/**
 * Sends each sample as one JSON record to the single-shard stats stream, for the
 * aggregator. Retries like the producer; if a sample still cannot be delivered, emit
 * throws: the processor keeps those windows open (its checkpoint stays before them) and
 * sends them again when kcl gives it the batch again.
 */
export class KinesisSampleSink implements SampleSink {
  private readonly sender: BatchSender;

  constructor(
    port: RecordsPort,
    private readonly stream: string,
    sleep: (ms: number) => Promise<void>,
  ) {
    this.sender = new BatchSender({
      write: (entries) => port.putRecords(stream, entries),
      // A minute, then emit throws: kcl gives the batch again, and the processor sends the windows again.
      policy: { ...DEFAULT_RETRY_POLICY, retryForMs: 60_000 },
      sleep,
    });
  }

  async emit(samples: readonly WindowSample[]): Promise<void> {
    const records: PendingRecord[] = samples.map((sample) => ({
      trades: [],
      entry: { data: Buffer.from(JSON.stringify(sampleToJson(sample)), 'utf8'), partitionKey: sample.shardId },
    }));
    const result = await this.sender.send(records);
    const notAcknowledged = result.undelivered.length + result.unknown.length;
    if (notAcknowledged > 0) {
      throw new ConsumerError(
        'SAMPLES_NOT_DELIVERED',
        `${notAcknowledged} samples could not be sent to ${this.stream}: ${result.failure ?? 'unknown error'}`,
      );
    }
  }
}

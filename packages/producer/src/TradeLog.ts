import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { StockTrade } from '@stock-trades/core';
import type { RecordReceipt } from '@stock-trades/writer';

/** One line of the trade log: a trade Kinesis acknowledged, and where it put it. */
export interface TradeLogLine extends RecordReceipt {
  readonly trade: StockTrade;
  /** With --aggregate: the trade's index inside its KPL aggregate. */
  readonly subSequenceNumber?: number;
}

/**
 * `--trade-log FILE.jsonl`: one JSON line per trade, written only after Kinesis
 * acknowledged it. The ground truth that tests and later stages compare against.
 */
export class TradeLog {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'w', encoding: 'utf8' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  write(line: TradeLogLine): void {
    if (this.failure) throw this.failure;
    const { shardId, sequenceNumber, subSequenceNumber, trade } = line;
    this.stream.write(`${JSON.stringify({ shardId, sequenceNumber, subSequenceNumber, trade })}\n`);
  }

  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }
}

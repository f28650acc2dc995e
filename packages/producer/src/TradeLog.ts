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
 * acknowledged it, with the time of that acknowledgement. The ground truth that tests
 * and later stages compare against.
 */
export class TradeLog {
  private readonly stream: WriteStream;
  private failure: Error | undefined;

  /** `fd`: a descriptor opened for writing (cli-kit's openOutputFile checks the path before any trade is sent). */
  constructor(
    fd: number,
    private readonly now: () => number = Date.now,
  ) {
    this.stream = createWriteStream('', { fd, encoding: 'utf8' });
    this.stream.on('error', (error) => {
      this.failure = error;
    });
  }

  write(line: TradeLogLine): void {
    if (this.failure) throw this.failure;
    const { shardId, sequenceNumber, subSequenceNumber, trade } = line;
    // When Kinesis's answer came back: its arrival time for the record is no later (see the event-time bounds).
    const acknowledgedAt = new Date(this.now()).toISOString();
    this.stream.write(`${JSON.stringify({ shardId, sequenceNumber, subSequenceNumber, trade, acknowledgedAt })}\n`);
  }

  async close(): Promise<void> {
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }
}

import type { JsonLinesFile } from '@stock-trades/cli-kit';
import type { StockTrade } from '@stock-trades/core';

/** What became of a trade, as far as the producer can know. */
export const TradeStatus = {
  /** Kinesis acknowledged it: it is in the stream (once, or more if an earlier attempt was stored too). */
  ACKNOWLEDGED: 'acknowledged',
  /** Given up on after an attempt whose answer never came (a timeout, a reset): Kinesis may have stored it. */
  UNKNOWN: 'unknown',
  /** Given up on after every attempt was refused outright: Kinesis did not store it. */
  NOT_DELIVERED: 'not-delivered',
} as const;
export type TradeStatus = (typeof TradeStatus)[keyof typeof TradeStatus];

/** One line of the trade log: a trade, and what became of it. */
export type TradeLogLine =
  | {
      readonly status: typeof TradeStatus.ACKNOWLEDGED;
      readonly trade: StockTrade;
      readonly shardId: string;
      readonly sequenceNumber: string;
      /** With --aggregate: the trade's index inside its KPL aggregate. */
      readonly subSequenceNumber?: number;
    }
  | {
      readonly status: typeof TradeStatus.UNKNOWN | typeof TradeStatus.NOT_DELIVERED;
      readonly trade: StockTrade;
      /** Why it was given up on. */
      readonly reason: string;
    };

/**
 * `--trade-log FILE.jsonl`: one JSON line per trade with its status — acknowledged (with its
 * shard, sequence number and the time of the acknowledgement), unknown, or not delivered —
 * written in whole lines. The ground truth that tests and later stages compare against.
 * The producer waits for the log to be written before it sends its next batch; when the
 * log cannot be written, the acknowledged trades whose lines were lost are kept here.
 */
export class TradeLog {
  private readonly unlogged: number[] = [];

  constructor(
    private readonly file: JsonLinesFile,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues the lines; `flushed` tells when they are written. */
  write(lines: readonly TradeLogLine[]): void {
    if (lines.length === 0) return;
    // When Kinesis's answer came back: its arrival time for the record is no later (see the event-time bounds).
    const at = new Date(this.now()).toISOString();
    const text = lines.map((line) =>
      line.status === TradeStatus.ACKNOWLEDGED
        ? JSON.stringify({
            status: line.status,
            shardId: line.shardId,
            sequenceNumber: line.sequenceNumber,
            subSequenceNumber: line.subSequenceNumber,
            trade: line.trade,
            acknowledgedAt: at,
          })
        : JSON.stringify({ status: line.status, trade: line.trade, reason: line.reason, givenUpAt: at }),
    );
    this.file.append(text).catch(() => {
      for (const line of lines) if (line.status === TradeStatus.ACKNOWLEDGED) this.unlogged.push(line.trade.id);
    });
  }

  /** Resolves once every line so far is written; rejects with the file's OutputWriteError once one failed. */
  flushed(): Promise<void> {
    return this.file.idle();
  }

  /** Ids of trades Kinesis acknowledged whose lines could not be written. */
  get unloggedIds(): readonly number[] {
    return this.unlogged;
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}

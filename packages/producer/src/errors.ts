import type { ProductionStats } from './ProductionStats.js';

/** Base of every error the producer raises. */
export class ProducerError extends Error {
  readonly code: string;
  /** What the run did before it failed, when it got as far as sending. */
  stats?: ProductionStats;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProducerError';
    this.code = code;
  }
}

/**
 * The run ended with trades Kinesis never acknowledged: some given up on with their fate
 * unknown (they may be in the stream), some surely not delivered.
 */
export class UnacknowledgedTradesError extends ProducerError {
  readonly unknown: number;
  readonly notDelivered: number;
  constructor(unknown: number, notDelivered: number, reason: string) {
    const parts = [
      ...(unknown > 0
        ? [
            `${unknown} trade${unknown === 1 ? '' : 's'} of unknown fate (Kinesis may have stored them; logged "status": "unknown")`,
          ]
        : []),
      ...(notDelivered > 0 ? [`${notDelivered} trade${notDelivered === 1 ? ' was' : 's were'} not delivered`] : []),
    ];
    super('UNACKNOWLEDGED_TRADES', `${parts.join(' and ')}: ${reason}`);
    this.name = 'UnacknowledgedTradesError';
    this.unknown = unknown;
    this.notDelivered = notDelivered;
  }
}

/** The trade log could not be written: the producer stopped sending; some acknowledged trades are not in it. */
export class TradeLogFailedError extends ProducerError {
  readonly unloggedIds: readonly number[];
  constructor(reason: string, unloggedIds: readonly number[]) {
    const count = unloggedIds.length;
    super(
      'TRADE_LOG_FAILED',
      `${reason}: stopped sending; ${count} trade${count === 1 ? '' : 's'} Kinesis acknowledged ${count === 1 ? 'is' : 'are'} not in the log${count > 0 ? ' (ids above)' : ''}`,
    );
    this.name = 'TradeLogFailedError';
    this.unloggedIds = unloggedIds;
  }
}

/** The stream to write to is missing or not ACTIVE. */
export class StreamNotReadyError extends ProducerError {
  constructor(message: string) {
    super('STREAM_NOT_READY', message);
    this.name = 'StreamNotReadyError';
  }
}

/** Base of every error the producer raises. */
export class ProducerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProducerError';
    this.code = code;
  }
}

/** The run ended with trades that Kinesis never acknowledged. */
export class UndeliveredTradesError extends ProducerError {
  readonly undelivered: number;
  constructor(undelivered: number, reason: string) {
    super(
      'UNDELIVERED_TRADES',
      `${undelivered} trade${undelivered === 1 ? ' was' : 's were'} not delivered: ${reason}`,
    );
    this.name = 'UndeliveredTradesError';
    this.undelivered = undelivered;
  }
}

/** The stream to write to is missing or not ACTIVE. */
export class StreamNotReadyError extends ProducerError {
  constructor(message: string) {
    super('STREAM_NOT_READY', message);
    this.name = 'StreamNotReadyError';
  }
}

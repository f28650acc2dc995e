/** Base of the aggregator's own errors. */
export class AggregatorError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'AggregatorError';
    this.code = code;
  }
}

/** Base of the consumer's own errors. */
export class ConsumerError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ConsumerError';
    this.code = code;
  }
}

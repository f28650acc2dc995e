/** Base of every error the core package raises; `code` is stable, the message is for people. */
export class CoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'CoreError';
    this.code = code;
  }
}

/** Data that is not a stock trade; `field` names what is wrong (undefined: not a JSON object). */
export class MalformedTradeError extends CoreError {
  readonly field: string | undefined;
  constructor(field: string | undefined, message: string) {
    super('MALFORMED_TRADE', message);
    this.name = 'MalformedTradeError';
    this.field = field;
  }
}

/** A command-line or configuration value that cannot be used. */
export class InvalidOptionError extends CoreError {
  constructor(message: string) {
    super('INVALID_OPTION', message);
    this.name = 'InvalidOptionError';
  }
}

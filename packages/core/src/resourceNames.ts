import { InvalidOptionError } from './errors.js';

const NAME = /^[a-zA-Z0-9_.-]+$/;

/**
 * A Kinesis stream name as AWS takes it — 1 to 128 letters, digits, '_', '.' or '-' — or
 * one line naming the flag and the rule (exit 2), instead of a service error later.
 */
export function parseStreamName(text: string, flag: string): string {
  if (text.length < 1 || text.length > 128 || !NAME.test(text)) {
    throw new InvalidOptionError(
      `${flag} must be a Kinesis stream name: 1-128 letters, digits, "_", "." or "-", got ${show(text)}`,
    );
  }
  return text;
}

/**
 * A DynamoDB table name as AWS takes it — 3 to 255 letters, digits, '_', '.' or '-' — or
 * one line naming the flag and the rule. An application name is its lease table's name.
 */
export function parseTableName(text: string, flag: string): string {
  if (text.length < 3 || text.length > 255 || !NAME.test(text)) {
    throw new InvalidOptionError(
      `${flag} must be a DynamoDB table name: 3-255 letters, digits, "_", "." or "-", got ${show(text)}`,
    );
  }
  return text;
}

function show(text: string): string {
  return text.length > 40 ? `"${text.slice(0, 37)}..." (${text.length} characters)` : JSON.stringify(text);
}

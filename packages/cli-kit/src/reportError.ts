import { CommanderError } from 'commander';
import { ExitCode } from './exitCodes.js';

const USAGE_CODES = new Set(['INVALID_OPTION']);

export interface ErrorReport {
  readonly exitCode: ExitCode;
  /** One line for stderr; empty when there is nothing to add (help was shown). */
  readonly line: string;
}

/**
 * Maps any error to an exit code and one line. Errors of ours (with a stable `code`)
 * are shown by their message alone; anything else is unexpected and says so, with
 * the stack only when STOCK_TRADES_DEBUG is set.
 */
export function reportError(error: unknown, env: NodeJS.ProcessEnv = process.env): ErrorReport {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return { exitCode: ExitCode.OK, line: '' };
    // commander has already printed its own "error: …" line.
    return { exitCode: ExitCode.USAGE, line: '' };
  }
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && error instanceof Error && error.name !== 'Error') {
    return { exitCode: USAGE_CODES.has(code) ? ExitCode.USAGE : ExitCode.FAILURE, line: `error: ${message}` };
  }
  const detail =
    env.STOCK_TRADES_DEBUG && error instanceof Error ? `\n${error.stack}` : ' (set STOCK_TRADES_DEBUG=1 for details)';
  return { exitCode: ExitCode.FAILURE, line: `unexpected error: ${message}${detail}` };
}

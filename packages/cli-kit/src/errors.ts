/** Base of every error cli-kit raises; `code` is stable. */
export class CliKitError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliKitError';
    this.code = code;
  }
}

/**
 * An output (--out, --trade-log, standard output) could not be written: a full disk, a
 * quota, an I/O error, a closed pipe. `what` names it: "--out results.jsonl", "standard output".
 */
export class OutputWriteError extends CliKitError {
  constructor(what: string, cause: unknown) {
    super('OUTPUT_WRITE_FAILED', `${what} could not be written: ${describeWriteError(cause)}`, { cause });
    this.name = 'OutputWriteError';
  }
}

const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is too large',
  EIO: 'an input/output error',
  EROFS: 'the file system is read-only',
  EBADF: 'the file was closed',
  EPIPE: 'the reader went away',
};

function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && WRITE_ERRORS[code]) ?? (error instanceof Error ? error.message : String(error));
  return code ? `${reason} (${code})` : reason;
}

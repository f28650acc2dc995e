import { closeSync, fstatSync, ftruncateSync, readSync, write } from 'node:fs';
import { OutputWriteError } from './errors.js';
import { openOutputFile } from './openOutputFile.js';

/**
 * An output file of JSON lines (a trade log, --out) that is never left with half a line
 * and never says a line was written when it was not. Each `append` writes whole lines and
 * resolves only once the operating system has them; writes happen one after another, so
 * a caller that awaits before acknowledging anything (a checkpoint, the next batch) keeps
 * pace with the disk. When a write fails (a full disk, a quota, an I/O error) the file is
 * cut back to its last whole line, that append and every later one reject with one
 * OutputWriteError, and nothing more is written.
 *
 * @example
 * const out = JsonLinesFile.open('results.jsonl', '--out', 'a');
 * if (out.cutTail > 0) log.warn(`--out ends with a line cut short (${out.cutTail} bytes): new lines start after it`);
 * await out.append([JSON.stringify(result)]); // resolves once written, rejects with OutputWriteError
 * await out.close();
 */
export class JsonLinesFile {
  /** Bytes of an earlier run's last line that was cut short (found when opening to append); 0 when none. */
  readonly cutTail: number;
  private queue: Promise<void> = Promise.resolve();
  private failure: OutputWriteError | undefined;
  /** Where the file ends after its last whole line (regular files only; undefined for a device or a pipe). */
  private goodSize: number | undefined;
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly flag: string,
    private readonly path: string,
  ) {
    const stat = fstatSync(fd);
    this.goodSize = stat.isFile() ? stat.size : undefined;
    this.cutTail = this.goodSize ? lastLineLength(fd, this.goodSize) : 0;
  }

  /**
   * Opens the file a flag names ('a' appends, 'w' starts afresh), or throws one line naming
   * the flag (exit 2). Appending to a file whose last line was cut short (a run killed
   * mid-write) starts on a new line: the cut line stays, and readers skip it.
   */
  static open(path: string, flag: string, mode: 'a' | 'w'): JsonLinesFile {
    const file = new JsonLinesFile(openOutputFile(path, flag, mode === 'a' ? 'a+' : 'w'), flag, path);
    if (file.cutTail > 0) void file.writeText('\n');
    return file;
  }

  /** The error that stopped the file, once one has. */
  get failed(): OutputWriteError | undefined {
    return this.failure;
  }

  /** Writes the lines (each without its newline), whole; resolves once written. */
  append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return this.idle();
    return this.writeText(`${lines.join('\n')}\n`);
  }

  /** Resolves once everything appended so far is written; rejects if any of it failed. */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
    if (this.failure) throw this.failure;
  }

  /** Waits for what is queued, then closes the file; rejects if anything failed. */
  async close(): Promise<void> {
    if (this.closed) return this.idle();
    this.closed = true;
    await this.queue.catch(() => undefined);
    closeSync(this.fd);
    if (this.failure) throw this.failure;
  }

  private writeText(text: string): Promise<void> {
    const bytes = Buffer.from(text, 'utf8');
    const written = this.queue.then(async () => {
      if (this.failure) throw this.failure;
      if (this.closed) throw new OutputWriteError(`${this.flag} ${this.path}`, new Error('the file is closed'));
      try {
        await writeAll(this.fd, bytes);
        if (this.goodSize !== undefined) this.goodSize += bytes.length;
      } catch (error) {
        this.failure = new OutputWriteError(`${this.flag} ${this.path}`, error);
        this.cutBack();
        throw this.failure;
      }
    });
    this.queue = written.catch(() => undefined);
    return written;
  }

  /** Removes a partly written last line (truncating frees space, so it works on a full disk too). */
  private cutBack(): void {
    if (this.goodSize === undefined) return;
    try {
      ftruncateSync(this.fd, this.goodSize);
    } catch {
      // Nothing more can be done; the reader skips a line that is not JSON.
    }
  }
}

/** Writes every byte, however many calls the operating system takes to accept them. */
async function writeAll(fd: number, bytes: Buffer): Promise<void> {
  for (let offset = 0; offset < bytes.length; ) {
    offset += await new Promise<number>((resolve, reject) =>
      write(fd, bytes, offset, bytes.length - offset, null, (error, count) => (error ? reject(error) : resolve(count))),
    );
  }
}

/** Length of the file's last line when it does not end with a newline (at most 64 KiB looked at); 0 when it does. */
function lastLineLength(fd: number, size: number): number {
  const span = Math.min(size, 64 * 1024);
  const tail = Buffer.alloc(span);
  readSync(fd, tail, 0, span, size - span);
  if (tail[span - 1] === 0x0a) return 0;
  const newline = tail.lastIndexOf(0x0a);
  return newline === -1 ? span : span - newline - 1;
}

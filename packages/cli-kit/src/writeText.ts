import { OutputWriteError } from './errors.js';

const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes text to a stream (standard output, say) and resolves once it is taken, so a slow
 * reader slows the writer instead of growing a buffer; rejects with one OutputWriteError
 * when the stream fails (`pnpm consumer | head` closes the pipe: EPIPE). The stream's own
 * 'error' event is absorbed, so a closed pipe never crashes the process.
 *
 * @example
 * await writeText(process.stdout, 'Trades: 161\n'); // rejects with "standard output could not be written: …"
 */
export function writeText(stream: NodeJS.WritableStream, text: string, what = 'standard output'): Promise<void> {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', () => undefined);
  }
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(new OutputWriteError(what, error)) : resolve()));
  });
}

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputWriteError, writeText } from '../src/index.js';

describe('writeText', () => {
  it('resolves once the stream took the text', async () => {
    const taken: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        setTimeout(() => {
          taken.push(String(chunk));
          done();
        }, 5);
      },
    });
    await writeText(stream, 'Trades: 161\n');
    expect(taken).toEqual(['Trades: 161\n']);
  });

  it('rejects with one line when the reader went away, without an unhandled error event', async () => {
    const closedPipe = new Writable({
      write(_chunk, _encoding, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const first = writeText(closedPipe, 'a\n');
    await expect(first).rejects.toBeInstanceOf(OutputWriteError);
    await expect(first).rejects.toThrow('standard output could not be written: the reader went away (EPIPE)');
  });
});

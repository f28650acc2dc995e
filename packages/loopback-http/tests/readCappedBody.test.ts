import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, readCappedBody } from '../src/index.js';

/** A request body as chunks, counting how many bytes were pulled from it. */
function body(chunks: Buffer[], headers: Record<string, string> = {}) {
  let pulled = 0;
  const stream = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        pulled += chunk.length;
        yield chunk;
      }
    })(),
  );
  return { source: Object.assign(stream, { headers }), pulled: () => pulled };
}

describe('readCappedBody', () => {
  it('returns a body within the cap whole', async () => {
    const { source } = body([Buffer.from('ab'), Buffer.from('cd')]);
    expect((await readCappedBody(source, 4)).toString()).toBe('abcd');
  });

  it('refuses a declared Content-Length over the cap before reading a byte', async () => {
    const { source, pulled } = body([Buffer.alloc(10)], { 'content-length': '11' });
    await expect(readCappedBody(source, 10)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(pulled()).toBe(0);
  });

  it('stops a chunked body as soon as it passes the cap', async () => {
    const { source, pulled } = body([Buffer.alloc(6), Buffer.alloc(6), Buffer.alloc(6), Buffer.alloc(6)]);
    await expect(readCappedBody(source, 10)).rejects.toThrow(/larger than 10 bytes/);
    expect(pulled()).toBeLessThanOrEqual(12);
  });
});

import type { IncomingHttpHeaders } from 'node:http';
import { BodyTooLargeError } from './errors.js';

/** What a request body is read from: Node's IncomingMessage, or HTTP/2's compatibility request. */
export interface BodySource extends AsyncIterable<unknown> {
  readonly headers: IncomingHttpHeaders;
}

/**
 * Reads a request body of at most `maxBytes`, or throws BodyTooLargeError having read
 * no more than that: a declared Content-Length over the cap is refused before a byte is
 * read, and a chunked body as soon as it passes it. A client that drops the connection
 * mid-body makes it throw that error, which the server's handler answers or ignores.
 */
export async function readCappedBody(source: BodySource, maxBytes: number): Promise<Buffer> {
  const declared = Number(source.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks, size);
}

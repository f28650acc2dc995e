import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface HardenOptions {
  /** Longest a client may take to send its headers. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Longest a client may take to send a whole request. Default 60 s. */
  readonly requestTimeoutMs?: number;
}

/**
 * Makes a Node HTTP server safe against clients that misbehave: a slow or half-sent
 * request is cut off, a malformed one gets 400 and its socket closed, and a socket error
 * (a reset mid-answer, a write after the peer left) is absorbed instead of crashing the
 * process with an unhandled 'error' event.
 */
export function hardenServer(server: Server, options: HardenOptions = {}): void {
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 60_000;
  server.on('connection', (socket: Socket) => {
    socket.on('error', () => socket.destroy());
  });
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable && !socket.destroyed) {
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    }
    socket.destroy();
  });
}

import type { Server } from 'node:http';
import type { Http2Server } from 'node:http2';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** What an HTTP/2 client sends first with prior knowledge (RFC 9113 §3.4); an HTTP/1.1 request starts otherwise. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * Serves HTTP/1.1 and h2c (HTTP/2 in the clear, prior knowledge) on one port, as AWS's endpoints
 * serve both: reads a new connection only until its first bytes tell the two apart, then hands it to
 * the HTTP/2 server if it opened with the preface, else to the HTTP/1.1 one, with those bytes given
 * back. Node's TLS-only `allowHTTP1` cannot do this for cleartext.
 */
export function routeByPreface(socket: Socket, http1: Server, h2: Http2Server): void {
  socket.on('error', () => socket.destroy());
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    const length = Math.min(seen.length, HTTP2_PREFACE.length);
    const asPreface = seen.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length));
    if (asPreface && seen.length < HTTP2_PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    if (asPreface) {
      h2.emit('connection', replaying(socket, seen));
    } else {
      socket.unshift(seen);
      http1.emit('connection', socket);
      socket.resume();
    }
  };
  socket.on('data', onData);
}

/**
 * The socket as a stream that first gives `head` again. The HTTP/2 server reads a net socket's
 * handle directly, past anything put back with unshift; over a plain Duplex it reads through the
 * stream, so the preface it needs is there.
 */
function replaying(socket: Socket, head: Buffer): Duplex {
  const duplex = new Duplex({
    read: () => void socket.resume(),
    write: (chunk, encoding, done) => void socket.write(chunk, encoding, done),
    final: (done) => {
      socket.end();
      done();
    },
    destroy: (error, done) => {
      socket.destroy();
      done(error);
    },
  });
  duplex.push(head);
  socket.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  return duplex;
}

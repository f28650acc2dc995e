import { connect, type Socket } from 'node:net';

/** A small seeded generator (mulberry32): the same seed, the same hostile requests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const HostileKind = {
  RANDOM_BYTES: 'random bytes as a body',
  BAD_JSON: 'a real operation with a body that is not JSON',
  WRONG_SHAPE: 'a real operation with JSON of the wrong shape',
  OVERSIZED_DECLARED: 'a Content-Length of 20 MiB',
  OVERSIZED_CHUNKED: '12 MiB sent chunked',
  SLOW: 'headers sent a byte at a time',
  TRUNCATED: 'a body cut off mid-way',
  NOT_HTTP: 'bytes that are not HTTP',
  HALF_OPEN: 'a connection that sends nothing',
} as const;
export type HostileKind = (typeof HostileKind)[keyof typeof HostileKind];

const KINDS = Object.values(HostileKind);
const TARGETS = [
  'Kinesis_20131202.PutRecords',
  'Kinesis_20131202.PutRecord',
  'Kinesis_20131202.GetRecords',
  'Kinesis_20131202.ListShards',
  'DynamoDB_20120810.PutItem',
  'DynamoDB_20120810.Scan',
  'Garbage.Nothing',
];
const WRONG_SHAPES = [
  '{"Records":"x"}',
  '{"StreamName":5,"Records":[{"Data":7,"PartitionKey":null}]}',
  `{"Records":[${Array.from({ length: 600 }, () => '{"Data":"AA==","PartitionKey":"k"}').join(',')}]}`,
  `{"StreamName":"Trades","Data":"${'A'.repeat(3 * 1024 * 1024)}","PartitionKey":"k"}`,
  '{"ShardIterator":{"a":1},"Limit":-5}',
  '{"TableName":[],"Item":"x"}',
];

/**
 * Sends one hostile request of `kind` to 127.0.0.1:`port` over a raw socket and waits
 * until the server answers, closes, or `maxMs` passes. Never throws: resolves with the
 * HTTP status the server answered, or undefined when it closed (or stayed silent).
 */
export function sendHostile(
  port: number,
  kind: HostileKind,
  random: () => number,
  maxMs = 3000,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    let answered = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answered)?.[1];
      resolve(status === undefined ? undefined : Number(status));
    };
    const timer = setTimeout(done, maxMs);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      answered += chunk.toString('latin1');
      if (answered.includes('\r\n')) done();
    });
    const target = TARGETS[Math.floor(random() * TARGETS.length)] ?? 'x';
    const head = (length: number | 'chunked', extra = '') =>
      `POST / HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nx-amz-target: ${target}\r\ncontent-type: application/x-amz-json-1.1\r\n${
        length === 'chunked' ? 'transfer-encoding: chunked' : `content-length: ${length}`
      }\r\n${extra}\r\n`;
    socket.on('connect', () => {
      switch (kind) {
        case HostileKind.RANDOM_BYTES: {
          const body = Buffer.from(
            Array.from({ length: Math.floor(random() * 65536) }, () => Math.floor(random() * 256)),
          );
          socket.write(head(body.length));
          socket.write(body);
          break;
        }
        case HostileKind.BAD_JSON:
          socket.write(`${head(8)}{"Stream`);
          break;
        case HostileKind.WRONG_SHAPE: {
          const body = WRONG_SHAPES[Math.floor(random() * WRONG_SHAPES.length)] ?? '{}';
          socket.write(head(Buffer.byteLength(body)));
          socket.write(body);
          break;
        }
        case HostileKind.OVERSIZED_DECLARED:
          socket.write(head(20 * 1024 * 1024));
          socket.write(Buffer.alloc(256 * 1024, 97));
          break;
        case HostileKind.OVERSIZED_CHUNKED: {
          socket.write(head('chunked'));
          const chunk = Buffer.alloc(1024 * 1024, 97);
          const writeChunks = (left: number) => {
            if (left === 0 || socket.destroyed) return;
            socket.write(`${chunk.length.toString(16)}\r\n`);
            socket.write(chunk);
            if (socket.write('\r\n')) writeChunks(left - 1);
            else socket.once('drain', () => writeChunks(left - 1));
          };
          writeChunks(12);
          break;
        }
        case HostileKind.SLOW: {
          const text = head(2);
          let at = 0;
          const drip = setInterval(() => {
            if (socket.destroyed || at >= text.length) return clearInterval(drip);
            socket.write(text[at++] ?? '');
          }, 50);
          break;
        }
        case HostileKind.TRUNCATED:
          socket.write(`${head(1000)}{"StreamName":`);
          setTimeout(() => socket.destroy(), 20);
          break;
        case HostileKind.NOT_HTTP:
          socket.write(Buffer.from(Array.from({ length: 512 }, () => Math.floor(random() * 256))));
          break;
        case HostileKind.HALF_OPEN:
          break;
      }
    });
  });
}

/** A random kind of hostile request. */
export function pickHostileKind(random: () => number): HostileKind {
  return KINDS[Math.floor(random() * KINDS.length)] ?? HostileKind.RANDOM_BYTES;
}

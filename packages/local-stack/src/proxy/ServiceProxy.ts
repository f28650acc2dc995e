import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import {
  createServer as createHttp2Server,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  constants as http2,
} from 'node:http2';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { SHARD_TRAFFIC_PATH, type ShardTrafficReport } from '@stock-trades/core';
import { BodyTooLargeError, hardenServer, readCappedBody, screenRequest } from '@stock-trades/loopback-http';
import { LOOPBACK } from '../ports.js';
import { awsError, internalError, type ProxyAnswer, throttled } from './awsErrors.js';
import type { FaultPlan, Service } from './FaultPlan.js';
import type { Caller, Forward } from './KinesisLimiter.js';
import { callKinesis, type KinesisAnswer, postKinesis } from './kinesisCall.js';
import { pagedGetRecords } from './pagedGetRecords.js';
import { routeByPreface } from './routeByPreface.js';
import type { ShardTraffic } from './ShardTraffic.js';
import { type EventSink, Subscriptions } from './Subscriptions.js';
import { validateKinesisRequest } from './validateKinesisRequest.js';

/**
 * The largest request body each service takes. Kinesis: a PutRecords of 5 MiB of data is
 * about 6.7 MiB of base64 JSON; 10 MiB is AWS's limit for a whole request. DynamoDB: 16 MB,
 * its BatchWriteItem limit. Nothing past these is read, let alone buffered or forwarded.
 */
export const MAX_BODY_BYTES: Readonly<Record<Service, number>> = {
  kinesis: 10 * 1024 * 1024,
  dynamodb: 16 * 1024 * 1024,
};

export interface ServiceProxyOptions {
  readonly service: Service;
  /** The emulator behind it, on 127.0.0.1. */
  readonly upstreamPort: number;
  readonly faults: FaultPlan;
  /** Kinesis's per-shard limits, when on. */
  readonly limiter?: { handle(api: string, body: Buffer, forward: Forward, caller?: Caller): Promise<ProxyAnswer> };
  readonly random?: () => number;
  /** Answers a GET on SHARD_TRAFFIC_PATH itself (never paused or faulted): what the shards let through. */
  readonly shardTraffic?: () => ShardTrafficReport;
  /**
   * Kinesis: serve SubscribeToShard (enhanced fan-out) with this read allowance per consumer and
   * shard, in bytes a second (undefined: no limit).
   */
  readonly fanOut?: { readonly bytesPerSecond: number | undefined; readonly traffic?: ShardTraffic };
}

/**
 * A loopback proxy in front of one emulator: every client — ours, the SDK's, a peer
 * library, a dashboard — meets the same shard limits and injected faults. A call waits
 * while its service is paused, then may be delayed, throttled, failed or dropped as the
 * fault plan says, then passes (through the limiter, for Kinesis) to the emulator. A
 * Kinesis GetRecords is read from the emulator in pages of at most a thousand records,
 * merged into one answer (see pagedGetRecords).
 */
export class ServiceProxy {
  /** What listens: a plain TCP server that hands each connection to the HTTP/1.1 or the HTTP/2 server. */
  private readonly front: NetServer;
  private readonly server: Server;
  private readonly h2: Http2Server;
  private readonly sessions = new Set<Http2Session>();
  /** Every connection, whichever server has it: all are cut when the proxy closes. */
  private readonly sockets = new Set<Socket>();
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  /** Calls past the pause gate and not yet answered. */
  private inFlight = 0;
  private readonly subscriptions: Subscriptions | undefined;

  constructor(private readonly options: ServiceProxyOptions) {
    this.subscriptions = options.fanOut
      ? new Subscriptions({
          call: (api, input) => this.callEmulator(api, input),
          bytesPerSecond: options.fanOut.bytesPerSecond,
          traffic: options.fanOut.traffic,
        })
      : undefined;
    const onRequest = (incoming: Incoming, response: Outgoing) => {
      response.on('error', () => response.destroy());
      this.handle(incoming, response).catch((error: unknown) => {
        if (response.headersSent || response.destroyed) {
          response.destroy();
          return;
        }
        // The emulator is down or dropped the call: a fault of the service, which a client retries.
        const type = options.service === 'dynamodb' ? 'InternalServerError' : 'InternalFailure';
        send(response, awsError(options.service, 502, type, `proxy: ${String(error)}`));
      });
    };
    this.server = createServer(onRequest);
    this.server.keepAliveTimeout = 30_000;
    hardenServer(this.server);
    // HTTP/2 without TLS, with prior knowledge (h2c): what the SDK's Kinesis client speaks to an http:// endpoint.
    this.h2 = createHttp2Server({ maxSessionMemory: 64 }, onRequest);
    this.h2.on('session', (session: Http2Session) => {
      this.sessions.add(session);
      session.on('error', () => session.destroy());
      // A client's GOAWAY is not answered with one of ours. Node answers it (closing the session gracefully sends
      // one), and the SDK's HTTP/2 handler before @smithy/node-http-handler 4 (SDK v3 up to about 3.7xx) both sends
      // a GOAWAY as soon as a response starts and destroys its session on any GOAWAY received: a fan-out
      // subscription died after its first event. AWS does not answer one either; the session still closes once its
      // streams are done.
      session.once('goaway', () => {
        session.goaway = () => {};
      });
      // A session idle for two minutes is closed (gracefully: its client opens another when it needs one).
      session.setTimeout(120_000, () => session.close());
      session.once('close', () => this.sessions.delete(session));
    });
    this.h2.on('sessionError', () => {});
    this.front = createNetServer((socket) => {
      // As Node's HTTP servers do for their own sockets: with Nagle's algorithm on, each small HTTP/2 frame (a
      // window update) waited for the client's delayed ACK, and a 1 MB fan-out event took 2 s to send instead of 2 ms.
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      routeByPreface(socket, this.server, this.h2);
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.front.once('error', reject);
      this.front.listen({ port, host: LOOPBACK, exclusive: true }, () => {
        this.front.removeAllListeners('error');
        resolve();
      });
    });
    return (this.front.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.subscriptions?.close();
    this.server.closeAllConnections();
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
  }

  private async handle(incoming: Incoming, response: Outgoing): Promise<void> {
    const { service, faults, shardTraffic } = this.options;
    const refusal = screenRequest(incoming.headers, { port: (this.front.address() as AddressInfo).port });
    if (refusal) {
      return send(response, awsError(service, refusal.status, 'AccessDeniedException', refusal.reason), true);
    }
    if (shardTraffic && incoming.method === 'GET' && incoming.url === SHARD_TRAFFIC_PATH) {
      return send(response, {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(shardTraffic())),
      });
    }
    const target = incoming.headers['x-amz-target'];
    if (incoming.method !== 'POST' || typeof target !== 'string' || !target.includes('.')) {
      return send(
        response,
        awsError(service, 400, 'UnknownOperationException', 'POST an X-Amz-Target operation'),
        true,
      );
    }
    let body: Buffer;
    try {
      body = await readCappedBody(incoming, MAX_BODY_BYTES[service]);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      return send(response, awsError(service, 413, 'RequestEntityTooLargeException', error.message), true);
    }
    const api = target.split('.')[1] ?? '';
    const isJson = String(incoming.headers['content-type'] ?? '').includes('json');
    if (service === 'kinesis' && isJson) {
      const invalid = validateKinesisRequest(api, body);
      if (invalid) return send(response, invalid);
    }
    await faults.whenRunning(service);
    const decision = faults.decide(service, api, this.options.random);
    if (decision.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.latencyMs));
    if (decision.outcome === 'drop') {
      cutOff(incoming);
      return;
    }
    if (api === 'SubscribeToShard' && this.subscriptions) {
      // AWS throttles SubscribeToShard with LimitExceededException; "lose" cuts the subscription mid-stream.
      if (decision.outcome === 'throttle') {
        return send(
          response,
          awsError(service, 400, 'LimitExceededException', 'Rate exceeded (injected by pnpm stack --faults)'),
        );
      }
      if (decision.outcome === 'error') return send(response, internalError(service));
      const sink: EventSink = {
        writeHead: (status, headers) => void response.writeHead(status, headers),
        write: (chunk) => (response as ServerResponse).write(chunk),
        end: () => void response.end(),
        once: (event, listener) => void response.once(event, listener),
        get destroyed() {
          return response.destroyed;
        },
        cut: () => cutOff(incoming),
      };
      const refused = await this.subscriptions.subscribe(body, sink, decision.outcome === 'lose');
      if (refused) send(response, refused);
      return;
    }
    if (decision.outcome === 'throttle')
      return send(response, throttled(service, 'Rate exceeded (injected by pnpm stack --faults)'));
    if (decision.outcome === 'error') return send(response, internalError(service));
    const upstream: Forward = (payload) => this.forward(incoming, payload);
    // kinesis-local's GetRecords grows dearer faster than its page: large pages are read in small ones.
    const forward: Forward =
      service === 'kinesis' && api === 'GetRecords' && isJson
        ? (payload) => pagedGetRecords(payload, upstream)
        : upstream;
    const limiter = this.options.limiter;
    this.inFlight++;
    try {
      const answer =
        limiter && isJson
          ? await limiter.handle(api, body, forward, { application: appIdOf(incoming.headers) })
          : await forward(body);
      // The call took effect; its answer never reaches the client.
      if (decision.outcome === 'lose') cutOff(incoming);
      else send(response, answer);
    } finally {
      this.inFlight--;
    }
  }

  /** A Kinesis call of the proxy's own (for fan-out), GetRecords read in pages as a client's is. */
  private async callEmulator(api: string, input: object): Promise<KinesisAnswer> {
    const port = this.options.upstreamPort;
    if (api !== 'GetRecords') return callKinesis(port, api, input);
    // Each page goes as it is and comes back as text; only the merged answer is parsed, once.
    const answer = await pagedGetRecords(Buffer.from(JSON.stringify(input)), async (payload) => {
      const one = await postKinesis(port, api, payload);
      return { status: one.status, headers: {}, body: Buffer.from(one.text) };
    });
    const text = answer.body.toString('utf8');
    return { status: answer.status, body: text ? (JSON.parse(text) as unknown) : undefined, text };
  }

  /** Resolves once no call is on its way to the emulator or back (pause the service first, or it may never). */
  async whenIdle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private forward(incoming: Incoming, body: Buffer): Promise<ProxyAnswer> {
    // To the emulator in HTTP/1.1, whatever the client spoke: without HTTP/2's pseudo-headers.
    const headers: Record<string, string | string[] | undefined> = {};
    for (const [name, value] of Object.entries(incoming.headers)) if (!name.startsWith(':')) headers[name] = value;
    headers['content-length'] = String(body.length);
    headers.host = `${LOOPBACK}:${this.options.upstreamPort}`;
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          host: LOOPBACK,
          port: this.options.upstreamPort,
          method: incoming.method,
          path: incoming.url,
          headers,
          agent: this.agent,
        },
        async (answer) => {
          try {
            const payload = await readAll(answer);
            const copied: Record<string, string> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) {
                copied[name] = Array.isArray(value) ? value.join(', ') : value;
              }
            }
            resolve({ status: answer.statusCode ?? 502, headers: copied, body: payload });
          } catch (error) {
            reject(error);
          }
        },
      );
      outgoing.on('error', reject);
      // An emulator that answers before it has read the body, then resets, fails the socket after the answer:
      // absorbed here (the call already has its answer), never an unhandled 'error' that ends the stack.
      outgoing.on('socket', (socket) => {
        if (!socket.listeners('error').includes(ignore)) socket.on('error', ignore);
      });
      outgoing.end(body);
    });
  }
}

type Incoming = IncomingMessage | Http2ServerRequest;
type Outgoing = ServerResponse | Http2ServerResponse;

/** Headers about one connection, not the message: never copied from the emulator's answer (HTTP/2 forbids them). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

/** Ends a call with no answer: its connection for HTTP/1.1; for HTTP/2 its stream only, as a reset. */
function cutOff(incoming: Incoming): void {
  if ('stream' in incoming) incoming.stream.close(http2.NGHTTP2_INTERNAL_ERROR);
  else incoming.socket.destroy();
}

/** Answers; `close` ends the connection after the answer (the rest of a refused body is never read). */
function send(response: Outgoing, answer: ProxyAnswer, close = false): void {
  if (response.destroyed) return;
  const http2Stream = 'stream' in response;
  response.writeHead(answer.status, {
    ...answer.headers,
    'content-length': String(answer.body.length),
    ...(close && !http2Stream ? { connection: 'close' } : {}),
  });
  response.end(answer.body);
}

function ignore(): void {}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The app id an AWS SDK client sends in its User-Agent (`app/<id>`, from its `userAgentAppId`), if any. */
export function appIdOf(headers: IncomingHttpHeaders): string | undefined {
  for (const name of ['user-agent', 'x-amz-user-agent']) {
    const value = headers[name];
    const id = typeof value === 'string' ? /(?:^|\s)app\/(\S+)/.exec(value)?.[1] : undefined;
    if (id) return id;
  }
  return undefined;
}

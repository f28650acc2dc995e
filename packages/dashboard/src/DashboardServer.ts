import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BodyTooLargeError, hardenServer, readCappedBody, screenRequest } from '@stock-trades/loopback-http';
import { DashboardError } from './errors.js';
import { ActionError, type ActionRequest, InstructorActions } from './InstructorActions.js';
import type { DashboardView } from './types.js';

const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const UPLOT = join(dirname(createRequire(import.meta.url).resolve('uplot/package.json')), 'dist');
const MAX_BODY_BYTES = 4096;
/** Pages open at once: a classroom projector and a few laptops, not a crowd. */
const MAX_EVENT_STREAMS = 32;

/** Files the page needs, all served from this package and node_modules: nothing is fetched from the internet. */
const FILES: Readonly<Record<string, { path: string; type: string }>> = {
  '/app.js': { path: join(PUBLIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { path: join(PUBLIC, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': { path: join(UPLOT, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uPlot.min.css': { path: join(UPLOT, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

export interface ServerSettings {
  /** Port on 127.0.0.1 (0: any free one). */
  readonly port: number;
  /** A secret per run, embedded in the page: actions must carry it. */
  readonly token: string;
  /** Actions are refused on AWS whatever else is sent. */
  readonly target: 'local' | 'aws';
  readonly view: () => DashboardView;
  /** Undefined: the page offers no actions. */
  readonly actions?: { run(request: ActionRequest): Promise<string> };
  /** How often the event stream sends the view. */
  readonly pushIntervalMs?: number;
}

/**
 * The dashboard's HTTP side, on 127.0.0.1 only: the page and its scripts, the view as a
 * server-sent event stream (about once a second), and POST /actions — which needs the
 * run's token, a Host of this machine, JSON no bigger than 4 KB, and the embedded target.
 */
export class DashboardServer {
  private readonly server: Server;
  private readonly streams = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly settings: ServerSettings) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        process.stderr.write(`dashboard: ${error instanceof Error ? error.message : String(error)}\n`);
        if (!response.headersSent) json(response, 500, { error: 'internal error; the dashboard’s terminal says why' });
        else response.end();
      });
    });
    hardenServer(this.server);
  }

  /** Listens on 127.0.0.1; resolves with the page's address. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new DashboardError(
                'PORT_IN_USE',
                `port ${this.settings.port} is already in use on 127.0.0.1 (another dashboard?); pick another with --port`,
              )
            : error,
        ),
      );
      this.server.listen(this.settings.port, '127.0.0.1', () => {
        this.server.removeAllListeners('error');
        resolve();
      });
    });
    this.timer = setInterval(() => this.push(), this.settings.pushIntervalMs ?? 1000);
    this.timer.unref();
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const stream of this.streams) stream.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private push(): void {
    if (this.streams.size === 0) return;
    const data = `data: ${JSON.stringify(this.settings.view())}\n\n`;
    for (const stream of this.streams) stream.write(data);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const port = (this.server.address() as AddressInfo).port;
    // Only this page may talk to it: another site's page (or one that rebinds its name to 127.0.0.1) is refused.
    const refusal = screenRequest(request.headers, {
      port,
      allowedOrigins: [`http://127.0.0.1:${port}`, `http://localhost:${port}`],
    });
    if (refusal) {
      json(response, refusal.status, { error: refusal.reason });
      return;
    }
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (request.method === 'POST' && path === '/actions') return this.action(request, response);
    if (request.method !== 'GET') {
      json(response, 405, { error: `${request.method} is not allowed here` });
      return;
    }
    if (path === '/') return this.page(response);
    if (path === '/api/view') return json(response, 200, this.settings.view());
    if (path === '/events') return this.events(request, response);
    const file = FILES[path];
    if (!file) return json(response, 404, { error: `no ${path} here` });
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
    response.end(readFileSync(file.path));
  }

  private page(response: ServerResponse): void {
    const actions = this.settings.actions !== undefined && this.settings.target === 'local';
    const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8').replace(
      '<meta name="dashboard-token" content="">',
      `<meta name="dashboard-token" content="${actions ? this.settings.token : ''}">`,
    );
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy':
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
    });
    response.end(html);
  }

  private events(request: IncomingMessage, response: ServerResponse): void {
    if (this.streams.size >= MAX_EVENT_STREAMS) {
      json(response, 503, { error: `at most ${MAX_EVENT_STREAMS} pages at once` });
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(`retry: 1000\ndata: ${JSON.stringify(this.settings.view())}\n\n`);
    this.streams.add(response);
    request.on('close', () => this.streams.delete(response));
  }

  private async action(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.settings.target === 'aws') {
      json(response, 403, { error: 'actions are refused on --target aws: the dashboard only reads a real deployment' });
      return;
    }
    if (!this.settings.actions) {
      json(response, 403, { error: 'this dashboard offers no actions' });
      return;
    }
    if (!sameSecret(request.headers['x-dashboard-token'], this.settings.token)) {
      json(response, 403, { error: 'missing or wrong x-dashboard-token: reload the page' });
      return;
    }
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      json(response, 415, { error: 'send the action as application/json' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readCappedBody(request, MAX_BODY_BYTES)).toString('utf8'));
    } catch (error) {
      json(response, error instanceof BodyTooLargeError ? 413 : 400, {
        error: error instanceof BodyTooLargeError ? error.message : 'the body is not JSON',
      });
      return;
    }
    try {
      const message = await this.settings.actions.run(InstructorActions.parse(body));
      json(response, 200, { message });
    } catch (error) {
      if (error instanceof ActionError) json(response, error.status, { error: error.message });
      else {
        process.stderr.write(`dashboard: action failed: ${error instanceof Error ? error.message : String(error)}\n`);
        json(response, 500, { error: 'the action failed; the dashboard’s terminal says why' });
      }
    }
  }
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/** Compares bytes, not characters: a token of non-ASCII characters has as many characters as ours but more bytes. */
function sameSecret(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || token.length === 0) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

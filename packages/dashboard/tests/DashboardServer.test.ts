import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type ActionRequest, DashboardModel, DashboardServer } from '../src/index.js';

const TOKEN = 'a'.repeat(32);

/** One HTTP request to the server, with full control of the headers (fetch would not send a foreign Host). */
function send(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; type: string }> {
  const target = new URL(options.path ?? '/', url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      target,
      { method: options.method ?? 'GET', headers: { host: target.host, ...options.headers } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
          if (response.headers['content-type'] === 'text/event-stream' && body.includes('\n\n')) response.destroy();
        });
        const done = () =>
          resolve({ status: response.statusCode ?? 0, body, type: String(response.headers['content-type']) });
        response.on('end', done);
        response.on('close', done);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

describe('DashboardServer', () => {
  const servers: DashboardServer[] = [];
  const ran: ActionRequest[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    ran.length = 0;
  });

  async function start(target: 'local' | 'aws' = 'local'): Promise<string> {
    const model = new DashboardModel({ target, stream: 'S', statsStream: 'Stats', failoverMs: 10_000, actions: true });
    const server = new DashboardServer({
      port: 0,
      token: TOKEN,
      target,
      view: () => model.view(Date.UTC(2026, 11, 2)),
      actions: {
        run: async (action) => {
          ran.push(action);
          return `did ${action.action}`;
        },
      },
    });
    servers.push(server);
    return server.start();
  }

  const act = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    send(url, {
      method: 'POST',
      path: '/actions',
      headers: { 'content-type': 'application/json', 'x-dashboard-token': TOKEN, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('listens on 127.0.0.1 and serves the page with the run’s token, its scripts and uPlot from node_modules', async () => {
    const url = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await send(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<meta name="dashboard-token" content="${TOKEN}">`);
    for (const path of ['/app.js', '/style.css', '/vendor/uPlot.iife.min.js', '/vendor/uPlot.min.css']) {
      expect((await send(url, { path })).status, path).toBe(200);
    }
    expect((await send(url, { path: '/../package.json' })).status).toBe(404);
  });

  it('streams the view as server-sent events', async () => {
    const url = await start();
    const events = await send(url, { path: '/events' });
    expect(events.type).toBe('text/event-stream');
    const data = JSON.parse(events.body.split('data: ')[1]?.split('\n')[0] ?? '{}');
    expect(data).toMatchObject({ target: 'local', stream: 'S', status: { connected: true } });
  });

  it('runs an action that carries the token', async () => {
    const url = await start();
    const answer = await act(url, { action: 'reshard', direction: 'double' });
    expect(answer).toMatchObject({ status: 200, body: JSON.stringify({ message: 'did reshard' }) });
    expect(ran).toEqual([{ action: 'reshard', direction: 'double' }]);
  });

  it.each([
    ['no token', { 'x-dashboard-token': '' }, 403, /x-dashboard-token/],
    ['a wrong token', { 'x-dashboard-token': 'b'.repeat(32) }, 403, /x-dashboard-token/],
    ['another Host (DNS rebinding)', { host: 'evil.example:80' }, 421, /only to 127.0.0.1/],
    ['a form post', { 'content-type': 'application/x-www-form-urlencoded' }, 415, /application\/json/],
    // As many characters as the real token, three times the bytes: once answered 500 from timingSafeEqual.
    ['a non-ASCII token', { 'x-dashboard-token': 'é'.repeat(32) }, 403, /x-dashboard-token/],
    ['another site’s Origin', { origin: 'http://evil.example' }, 403, /web pages are refused/],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }, 403, /Sec-Fetch-Site: cross-site/],
  ])('refuses an action with %s', async (_, headers, status, message) => {
    const url = await start();
    const answer = await act(url, { action: 'add-worker' }, headers);
    expect(answer.status).toBe(status);
    expect(JSON.parse(answer.body).error).toMatch(message);
    expect(ran).toEqual([]);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['an unknown action', { action: 'rm -rf' }, /action/],
    [
      'a worker that is no worker name',
      { action: 'kill-worker', worker: '$(reboot)' },
      /worker: worker must be a name like worker-2/,
    ],
    ['a rate out of range', { action: 'set-rate', rate: 1e9 }, /rate/],
  ])('answers 400 with the reason for %s', async (_, body, message) => {
    const url = await start();
    const answer = await act(url, body);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(message);
    expect(ran).toEqual([]);
  });

  it('answers 413 to a body over 4 KB, and takes an action from its own page’s Origin', async () => {
    const url = await start();
    const large = await act(url, { action: 'add-worker', pad: 'x'.repeat(5000) });
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body).error).toMatch(/larger than 4096 bytes/);
    expect(ran).toEqual([]);
    const own = await act(
      url,
      { action: 'add-worker' },
      { origin: url.replace(/\/$/, ''), 'sec-fetch-site': 'same-origin' },
    );
    expect(own.status).toBe(200);
    expect(ran).toEqual([{ action: 'add-worker' }]);
  });

  it('refuses every action on --target aws, token or not, and embeds no token in the page', async () => {
    const url = await start('aws');
    const answer = await act(url, { action: 'add-worker' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error).toMatch(/refused on --target aws/);
    expect(ran).toEqual([]);
    expect((await send(url)).body).toContain('<meta name="dashboard-token" content="">');
  });
});

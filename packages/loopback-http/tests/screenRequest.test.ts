import { describe, expect, it } from 'vitest';
import { screenRequest } from '../src/index.js';

const port = 4568;
const own = { host: `127.0.0.1:${port}` };

describe('screenRequest', () => {
  it('lets in what an SDK client sends: a loopback Host, no Origin, no Sec-Fetch headers', () => {
    expect(screenRequest(own, { port })).toBeUndefined();
    expect(screenRequest({ host: `localhost:${port}` }, { port })).toBeUndefined();
  });

  it.each([
    ['no Host', {}, 421],
    ['a foreign Host (DNS rebinding)', { host: `evil.example:${port}` }, 421],
    ['another port', { host: '127.0.0.1:80' }, 421],
    ['a browser Origin', { ...own, origin: 'http://evil.example' }, 403],
    ['Origin null (a sandboxed page)', { ...own, origin: 'null' }, 403],
    ['Sec-Fetch-Site: cross-site', { ...own, 'sec-fetch-site': 'cross-site' }, 403],
    ['Sec-Fetch-Site: same-site', { ...own, 'sec-fetch-site': 'same-site' }, 403],
  ])('refuses %s', (_, headers, status) => {
    expect(screenRequest(headers, { port })?.status).toBe(status);
  });

  it('lets in an allowed Origin and a same-origin fetch', () => {
    const options = { port, allowedOrigins: [`http://127.0.0.1:${port}`] };
    expect(
      screenRequest({ ...own, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' }, options),
    ).toBeUndefined();
    expect(screenRequest({ ...own, origin: 'http://127.0.0.1:1' }, options)?.status).toBe(403);
  });
});

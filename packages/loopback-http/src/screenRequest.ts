import type { IncomingHttpHeaders } from 'node:http';

/** Why a request is refused, and the status to refuse it with. */
export interface Refusal {
  readonly status: 403 | 421;
  readonly reason: string;
}

export interface ScreenOptions {
  /** The port the server listens on: a Host header must name this machine and this port. */
  readonly port: number;
  /**
   * Origins allowed to send requests (the dashboard's own page); none by default: SDK
   * clients and command-line tools send no Origin at all.
   */
  readonly allowedOrigins?: readonly string[];
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'];

/**
 * Refuses what no client of ours sends. A request carrying a browser's Origin (or a
 * Sec-Fetch-Site other than same-origin or none) comes from a web page: any site the
 * user visits could otherwise POST to a server on 127.0.0.1. A Host that is not this
 * machine is a DNS-rebinding page pretending to be same-origin. Undefined: let it in.
 */
export function screenRequest(headers: IncomingHttpHeaders, options: ScreenOptions): Refusal | undefined {
  const host = headers.host ?? headers[':authority'];
  if (typeof host !== 'string' || !LOOPBACK_NAMES.some((name) => host === `${name}:${options.port}`)) {
    return {
      status: 421,
      reason: `this server answers only to 127.0.0.1:${options.port} and localhost:${options.port}`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined && !(options.allowedOrigins ?? []).includes(String(origin))) {
    return { status: 403, reason: 'requests from web pages are refused (a browser sent an Origin header)' };
  }
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, reason: `requests from web pages are refused (Sec-Fetch-Site: ${String(site)})` };
  }
  return undefined;
}

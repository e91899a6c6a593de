// Who may use browser mode: requests addressed to this server's loopback names only (a DNS
// rebinding guard), the page and /rpc only with this launch's access token, /rpc only from pages
// of this server (or an origin given with --allow-origin).
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Access {
  token: string;
  /** True when the request URL carries this launch's token (compared in constant time). */
  hasToken(url: string | undefined): boolean;
  /** True when a Host header names this server on loopback (127.0.0.1:<port>, localhost:<port>). */
  isOwnHost(host: string | undefined): boolean;
  /** True when an Origin header is this server's own, or one allowed with --allow-origin. */
  isAllowedOrigin(origin: string | undefined): boolean;
}

/** A new random token per launch unless one is given; `port` is read per request (known once listening). */
export function createAccess(token: string | undefined, allowOrigins: string[], port: () => number): Access {
  const tok = token ?? randomBytes(24).toString('base64url');
  if (tok.length < 16 || !/^[A-Za-z0-9_-]+$/.test(tok)) throw new Error('the access token must be at least 16 characters of A-Z, a-z, 0-9, _ or -');
  const tokenBytes = Buffer.from(tok);
  const hosts = () => new Set([`127.0.0.1:${port()}`, `localhost:${port()}`]);
  return {
    token: tok,
    hasToken(url) {
      let got: string | null = null;
      try {
        got = new URL(url ?? '/', 'http://x').searchParams.get('token');
      } catch {}
      const b = Buffer.from(got ?? '');
      return b.length === tokenBytes.length && timingSafeEqual(b, tokenBytes);
    },
    isOwnHost: (host) => hosts().has(host ?? ''),
    isAllowedOrigin(origin) {
      if (!origin) return false;
      return [...hosts()].some((h) => `http://${h}` === origin) || allowOrigins.includes(origin);
    },
  };
}

/**
 * Who may talk to the preview server. Everything it answers comes from the
 * user's files, and it writes scene files, so:
 *
 * - Host: only 127.0.0.1:<port>, localhost:<port> or [::1]:<port> (Vite's
 *   rule). A page elsewhere that points its own name at 127.0.0.1 (DNS
 *   rebinding) sends its own name, and is refused, for reads too.
 * - Origin: a write must come from the preview page itself, so another site
 *   open in the same browser cannot post to it (CSRF).
 * - A key made for each run: the address the preview prints carries it; the
 *   page that opens it gets it as a cookie for this port only, and writes
 *   need it. Other users of the same machine can reach 127.0.0.1 too, and
 *   nothing else keeps them from rewriting this user's scenes.
 * - `--open` hands the system browser a one-time token, not the key: an
 *   opener's command line is visible to every user in the process list. The
 *   page that comes with the token gets the key's cookie; the token is then
 *   spent, and one never used is void after a short while.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const KEY_PARAMETER = 'key';
export const OPEN_PARAMETER = 'open';

/** How long a one-time token waits for its browser: long enough for one to start cold, short enough not to lie about. */
export const OPEN_TOKEN_LIFETIME_MS = 120_000;

export function makeRunKey(): string {
  return randomBytes(18).toString('base64url');
}

/** The names the page may be reached by, with the port. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/** Whether a request's Origin is the preview page's own (the same scheme, name and port it was reached by). */
export function originAllowed(origin: string | undefined, host: string): boolean {
  return origin !== undefined && origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

/** The cookie holding the run's key: one name per port, since cookies do not tell ports apart. */
export function keyCookieName(port: number): string {
  return `cppn-motion-preview-${port}`;
}

export function keyCookie(port: number, key: string): string {
  return `${keyCookieName(port)}=${key}; HttpOnly; SameSite=Strict; Path=/`;
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether the request carries the run's key in its cookie. */
export function hasRunKey(request: IncomingMessage, port: number, key: string): boolean {
  const name = keyCookieName(port);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=', 2);
    if (k === name && v !== undefined && sameText(v, key)) return true;
  }
  return false;
}

/** Whether a query string gives the run's key. */
export function givesRunKey(query: URLSearchParams, key: string): boolean {
  const given = query.get(KEY_PARAMETER);
  return given !== null && sameText(given, key);
}

/** One-time tokens that stand in for the run's key on a command line: each one is good once, for a short while. */
export class OpenTokens {
  private readonly issued = new Map<string, number>();

  constructor(
    private readonly lifetimeMs = OPEN_TOKEN_LIFETIME_MS,
    private readonly now: () => number = Date.now,
  ) {}

  issue(): string {
    const token = randomBytes(18).toString('base64url');
    this.issued.set(token, this.now() + this.lifetimeMs);
    return token;
  }

  /** Whether `given` is a token issued here, not yet used and not expired; it is spent either way. */
  redeem(given: string | null): boolean {
    const now = this.now();
    let good = false;
    for (const [token, until] of this.issued) {
      if (until <= now) this.issued.delete(token);
      else if (given !== null && sameText(given, token)) {
        this.issued.delete(token);
        good = true;
      }
    }
    return good;
  }
}

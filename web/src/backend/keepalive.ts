import { callableRequest } from './callable.js';

/**
 * A callable request that outlives the page: the leave a page sends as it
 * goes away. `fetch` with `keepalive` (sendBeacon cannot carry the
 * Authorization header callables need), the same request as any callable's
 * (callable.ts), to the site's own /api/ path (firebase.json rewrites it to
 * the function): same origin, so no CORS preflight that a page going away
 * would not wait for.
 */
export function callOnUnload(url: string, token: string | null, data: object): void {
  if (!token) return;
  void fetch(url, { ...callableRequest(data, token), keepalive: true }).catch(() => undefined);
}

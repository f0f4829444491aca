/**
 * A callable request that outlives the page: the leave a page sends as it
 * goes away. `fetch` with `keepalive` (sendBeacon cannot carry the
 * Authorization header callables need), in the SDK's wire format, to the
 * site's own /api/ path (firebase.json rewrites it to the function): same
 * origin, so no CORS preflight that a page going away would not wait for.
 */
export function callOnUnload(url: string, token: string | null, data: object): void {
  if (!token) return;
  void fetch(url, {
    method: 'POST',
    keepalive: true,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ data }),
  }).catch(() => undefined);
}

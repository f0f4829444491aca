/**
 * Whether this browser can make calls at all, decided before the page offers
 * Start or Join. Pure: reads only what it is given.
 */

/**
 * Whether `scope` (the page's global object) has WebRTC's
 * RTCPeerConnection: some WebKit builds, old browsers and some browsers
 * inside other apps have none, and there Start could only fail.
 */
export function canMakeCalls(scope: { readonly RTCPeerConnection?: unknown } = globalThis): boolean {
  return typeof scope.RTCPeerConnection === 'function';
}

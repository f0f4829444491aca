/**
 * What went wrong, as a code with its parameters. Pure: maps browser,
 * backend and link failures to a Problem; the elements word it (see
 * elements/messages.ts), so nothing here is a sentence.
 */
import { parseRefusal } from '@parley/functions/protocol';
import type { LinkProblem } from '../engine/peer-link.js';

export type Problem =
  | { readonly code: 'camera-denied' | 'no-camera' | 'camera-busy' | 'insecure-context' }
  /** `error`: the DOMException's name (or the error's message when it has none), shown as it is: "(NotReadableError)". */
  | { readonly code: 'media-unknown'; readonly error: string }
  | { readonly code: 'backend-unreachable' }
  /** `retryAfterMs`: when the server says another try will be accepted, if it says. */
  | { readonly code: 'rate-limited'; readonly retryAfterMs: number | null }
  /** `until`: when the suspension ends (epoch ms), if the server says. */
  | { readonly code: 'banned'; readonly until: number | null }
  /** `reason`: the server's refusal code (e.g. 'invalid-request', 'not-in-call', 'contended'), or null when it gave none. */
  | { readonly code: 'rejected'; readonly reason: string | null }
  | { readonly code: 'connection-failed' | 'relay-unreachable' }
  /** `side`: whose network most likely dropped the call. */
  | { readonly code: 'connection-lost'; readonly side: 'ours' | 'theirs' };

export type ProblemCode = Problem['code'];

/** Every code, in the order the guide lists them. */
export const PROBLEM_CODES: readonly ProblemCode[] = [
  'camera-denied',
  'no-camera',
  'camera-busy',
  'insecure-context',
  'media-unknown',
  'backend-unreachable',
  'rejected',
  'rate-limited',
  'banned',
  'connection-failed',
  'relay-unreachable',
  'connection-lost',
];

/** An error's `name`, `message` or `code` (own or inherited, as DOMException's are), or ''. */
function errorField(err: unknown, key: 'name' | 'message' | 'code'): string {
  if (typeof err !== 'object' || err === null || !(key in err)) return '';
  const v = (err as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : '';
}

/** What a failed request says it was (a Firebase error's `code`, else the error's name): for the console, never shown. */
export function errorCode(err: unknown): string {
  return errorField(err, 'code') || errorField(err, 'name') || typeof err;
}

/** Explains a getUserMedia failure (DOMException names per the Media Capture spec). */
export function mediaProblem(err: unknown): Problem {
  const name = errorField(err, 'name');
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError': // pre-spec Chrome name
      return { code: 'camera-denied' };
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return { code: 'no-camera' };
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return { code: 'camera-busy' };
    case 'SecurityError':
    case 'TypeError':
      return { code: 'insecure-context' };
    default:
      return { code: 'media-unknown', error: name || (typeof err === 'string' ? err : errorField(err, 'message')) };
  }
}

/**
 * Explains a failed call to the backend: a callable's error (its `code` is
 * `functions/…`, its `details` the server's refusal) or a Firestore
 * listener's (no prefix).
 */
export function backendProblem(err: unknown): Problem {
  const raw = errorField(err, 'code');
  // Only the functions refuse on purpose; a Firestore listener's
  // permission-denied (e.g. a call that just ended) is not a ban.
  const fromFunctions = raw.startsWith('functions/');
  // What the server said, as a code with its parameters (protocol/refusals.ts); never its English message.
  const refusal =
    fromFunctions && typeof err === 'object' && err !== null ? parseRefusal((err as { details?: unknown }).details) : null;
  if (refusal?.code === 'rate-limited') return { code: 'rate-limited', retryAfterMs: refusal.retryAfterMs };
  if (refusal?.code === 'banned') return { code: 'banned', until: refusal.until };
  if (refusal) return { code: 'rejected', reason: refusal.code };
  switch (fromFunctions ? raw.slice('functions/'.length) : `firestore/${raw}`) {
    case 'resource-exhausted':
      return { code: 'rate-limited', retryAfterMs: null };
    case 'permission-denied':
      return { code: 'banned', until: null };
    case 'invalid-argument':
    case 'failed-precondition':
    case 'not-found':
    case 'unauthenticated':
    case 'firestore/permission-denied':
      return { code: 'rejected', reason: null };
    default:
      return { code: 'backend-unreachable' };
  }
}

/**
 * The connection dropped and did not come back while the link kept restarting
 * ICE. Whose side it most likely was: this device's, when the browser says it
 * is offline; otherwise the other person's (our own network still answers the
 * browser), which is then the likelier cause.
 */
export function connectionLost(online: boolean = globalThis.navigator?.onLine ?? true): Problem {
  return { code: 'connection-lost', side: online ? 'theirs' : 'ours' };
}

/** Why a link is not carrying the call (engine/peer-link.ts), as the page explains it. */
export function linkProblem(p: LinkProblem): Problem {
  return p === 'connection-lost' ? connectionLost() : { code: p };
}

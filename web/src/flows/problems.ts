/**
 * Plain-language explanations of what went wrong, with what to try. Pure:
 * maps browser and backend errors to a Problem the page shows as it is.
 */
import type { LinkProblem } from '../engine/peer-link.js';

export const ProblemCode = {
  cameraDenied: 'camera-denied',
  noCamera: 'no-camera',
  cameraBusy: 'camera-busy',
  insecureContext: 'insecure-context',
  mediaUnknown: 'media-unknown',
  backendUnreachable: 'backend-unreachable',
  rejected: 'rejected',
  rateLimited: 'rate-limited',
  banned: 'banned',
  connectionFailed: 'connection-failed',
  relayUnreachable: 'relay-unreachable',
  connectionLost: 'connection-lost',
} as const;
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export interface Problem {
  readonly code: ProblemCode;
  /** What happened, in one sentence. */
  readonly message: string;
  /** What the person can do about it. */
  readonly hint: string;
}

function errorName(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'name' in err) return String((err as { name: unknown }).name);
  return '';
}

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) return String((err as { code: unknown }).code);
  return '';
}

function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const message = (err as { message: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return typeof err === 'string' ? err : '';
}

/** Explains a getUserMedia failure (DOMException names per the Media Capture spec). */
export function mediaProblem(err: unknown): Problem {
  switch (errorName(err)) {
    case 'NotAllowedError':
    case 'PermissionDeniedError': // pre-spec Chrome name
      return {
        code: ProblemCode.cameraDenied,
        message: 'Camera and microphone access was denied.',
        hint: 'Allow them for this site (the camera icon in the address bar), then press Start again.',
      };
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return {
        code: ProblemCode.noCamera,
        message: 'No camera or microphone was found.',
        hint: 'Connect a camera and a microphone (or check they are enabled), then press Start again.',
      };
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return {
        code: ProblemCode.cameraBusy,
        message: 'The camera or microphone is busy or could not be started.',
        hint: 'Close other apps or tabs that use the camera (video calls, recorders), then press Start again.',
      };
    case 'SecurityError':
    case 'TypeError':
      return {
        code: ProblemCode.insecureContext,
        message: 'This page may not use the camera.',
        hint: 'Open Parley over https (or http://localhost when running it yourself).',
      };
    default:
      return {
        code: ProblemCode.mediaUnknown,
        message: `The camera could not be started (${errorName(err) || errorMessage(err) || 'unknown error'}).`,
        hint: 'Reload the page and press Start again; if it persists, try another browser.',
      };
  }
}

/** Explains a failed call to the backend (Firebase callable error codes). */
export function backendProblem(err: unknown): Problem {
  const raw = errorCode(err);
  // Only the functions refuse with these two on purpose; a Firestore listener's
  // permission-denied (e.g. a call that just ended) is not a ban.
  const fromFunctions = raw.startsWith('functions/');
  const code = raw.replace(/^functions\//, '');
  switch (fromFunctions ? code : `firestore/${code}`) {
    case 'resource-exhausted':
      return {
        code: ProblemCode.rateLimited,
        message: errorMessage(err) || 'Too many requests in a short time.',
        hint: 'Wait a little, then press Start again.',
      };
    case 'permission-denied':
      return {
        code: ProblemCode.banned,
        // The server's message says until when.
        message: errorMessage(err) || "You can't meet people on Parley for now.",
        hint: 'Parley suspends people whom several others reported. The suspension ends on its own.',
      };
    case 'invalid-argument':
    case 'failed-precondition':
    case 'not-found':
    case 'unauthenticated':
    case 'firestore/permission-denied':
      return {
        code: ProblemCode.rejected,
        // The functions word their refusals for people; keep a fallback all the same.
        message: errorMessage(err) || 'Parley refused the request.',
        hint: 'Wait a moment, then press Start again. Reloading the page signs you in afresh.',
      };
    default:
      return {
        code: ProblemCode.backendUnreachable,
        message: "Parley's servers could not be reached.",
        hint: 'Check your internet connection, then press Start again.',
      };
  }
}

export const CONNECTION_FAILED: Problem = {
  code: ProblemCode.connectionFailed,
  message: 'Could not connect to the stranger.',
  hint: 'A firewall or strict network may block direct connections. Press Next to try someone else, or try another network.',
};

/**
 * Hide my IP is on (the call may go through the relay only) and the relay
 * never answered: not a single relay candidate was gathered. Not the
 * stranger's fault nor a firewall between the two: this device cannot reach
 * the relay, which the connection check (linked under every problem) shows.
 */
export const RELAY_UNREACHABLE: Problem = {
  code: ProblemCode.relayUnreachable,
  message: 'Hide my IP is on, but our relay could not be reached, so the call could not connect.',
  hint: 'Test your connection to see what your network blocks, try another network, or turn Hide my IP off (the stranger may then see your IP address).',
};

/** Why a link is not carrying the call, as the engine tells it (engine/peer-link.ts, LinkProblem). */
export function linkProblem(problem: LinkProblem): Problem {
  if (problem === 'relay-unreachable') return RELAY_UNREACHABLE;
  return problem === 'connection-lost' ? connectionLost() : CONNECTION_FAILED;
}

/**
 * The connection dropped and did not come back while the link kept restarting
 * ICE. Whose side it most likely was: this device's, when the browser says it
 * is offline; otherwise the stranger's (our own network still answers the
 * browser), which is then the likelier cause.
 */
export function connectionLost(online: boolean = globalThis.navigator?.onLine ?? true): Problem {
  return online
    ? {
        code: ProblemCode.connectionLost,
        message: 'The connection to the stranger was lost, most likely on their side: your device is still online.',
        hint: 'Press Next to meet someone else.',
      }
    : {
        code: ProblemCode.connectionLost,
        message: 'Your device went offline, so the call was lost.',
        hint: 'Check your Wi-Fi or mobile data, then press Next to meet someone.',
      };
}

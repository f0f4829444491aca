import { logger } from 'firebase-functions';
import { HttpsError, type CallableRequest } from 'firebase-functions/v2/https';
import { clientAddress } from '../domain/network.js';
import { Banned, Contended, NotInCall, RateLimited, Refusal } from '../domain/refusals.js';
import { InvalidRequest, rejectPrototypeKeys } from '../domain/requests.js';
import { UsageMeter } from '../domain/usage.js';
import { ENFORCE_APP_CHECK, FORWARDED_HOPS_AFTER_CLIENT } from '../config.js';
import type { RateAction, RequestGate } from '../matching/rate-limit.js';

/**
 * The caller's uid, or an error a person can act on. Also where App Check is
 * enforced when the deployment asks for it (ENFORCE_APP_CHECK parameter).
 */
export function requireUid(request: CallableRequest<unknown>): string {
  if (ENFORCE_APP_CHECK.value() && !request.app) {
    throw new HttpsError('failed-precondition', 'This app could not be verified (App Check). Reload the page and try again.');
  }
  const uid = request.auth?.uid;
  if (!uid) {
    throw new HttpsError(
      'unauthenticated',
      'Not signed in. Parley signs you in anonymously when the page loads: reload the page and try again.',
    );
  }
  return uid;
}

/** Runs a pure parser, turning its InvalidRequest into `invalid-argument`. */
export function parseOrReject<T>(parse: (data: unknown) => T, data: unknown): T {
  try {
    return parse(data);
  } catch (err) {
    if (err instanceof InvalidRequest) throw new HttpsError('invalid-argument', err.message);
    throw err;
  }
}

/** Maps a domain refusal to the HttpsError code a client can branch on; details say when to retry. */
export function toHttpsError(err: Refusal): HttpsError {
  if (err instanceof RateLimited) {
    return new HttpsError('resource-exhausted', err.message, { retryAfterMs: err.retryAfterMs });
  }
  if (err instanceof Banned) {
    return new HttpsError('permission-denied', err.message, { until: new Date(err.untilMs).toISOString() });
  }
  if (err instanceof NotInCall) return new HttpsError('not-found', err.message);
  if (err instanceof Contended) return new HttpsError('aborted', err.message);
  return new HttpsError('failed-precondition', err.message);
}

/** What the platform tells about the caller besides the uid (moderation weighs it; see docs/SECURITY.md). */
export interface Caller {
  /**
   * When the account signed in, from the verified ID token (`auth_time`). An
   * anonymous account signs in once, when it is made: this is its age.
   */
  readonly signedInAtMs: number | null;
  /** The client's IP address as our front end saw it. Never stored or logged: moderation keeps a keyed hash of its network. */
  readonly address: string | null;
}

function callerOf(request: CallableRequest<unknown>): Caller {
  const authTime = request.auth?.token?.auth_time;
  const raw = request.rawRequest as CallableRequest<unknown>['rawRequest'] | undefined;
  return {
    signedInAtMs: typeof authTime === 'number' && Number.isFinite(authTime) ? authTime * 1000 : null,
    // The socket's peer, not `ip`: with "trust proxy", `ip` is the first
    // X-Forwarded-For entry, which the client writes itself.
    address: raw
      ? clientAddress(raw.headers?.['x-forwarded-for'], raw.socket?.remoteAddress, FORWARDED_HOPS_AFTER_CLIENT.value())
      : null,
  };
}

/**
 * The steps every Parley callable takes, in order, cheapest first:
 * 1. App Check and sign-in (no Firestore);
 * 2. the gate (matching/rate-limit.ts): the request counts against the
 *    caller's window for `action` (one read and one write; a refused request
 *    reads at most the window), whatever happens next; a ban this instance
 *    saw a moment ago refuses it without another read;
 * 3. the pure parser (and no "__proto__" key anywhere in the raw request);
 * 4. `body`, with the request's usage meter.
 * Domain refusals reach the client as HttpsErrors; every refusal is logged
 * with what it cost. `body` does the work and logs it (its logger call stays
 * in the handler, where the log-content test reads it).
 */
export function callable<Req, Res>(
  action: RateAction,
  gate: () => RequestGate,
  parse: (data: unknown) => Req,
  body: (uid: string, request: Req, meter: UsageMeter, caller: Caller) => Promise<Res>,
): (request: CallableRequest<unknown>) => Promise<Res> {
  return async (request) => {
    const uid = requireUid(request);
    const meter = new UsageMeter();
    try {
      return await gate().run(uid, action, meter, async () => {
        const raw = request.rawRequest as { body?: unknown } | undefined;
        const parsed = parseOrReject((data) => {
          rejectPrototypeKeys(raw?.body, `The ${action} request`);
          return parse(data);
        }, request.data);
        return body(uid, parsed, meter, callerOf(request));
      });
    } catch (err) {
      const refusal = err instanceof Refusal ? toHttpsError(err) : err;
      if (refusal instanceof HttpsError) logger.info('refused', { action, code: refusal.code, usage: meter.usage });
      throw refusal;
    }
  };
}

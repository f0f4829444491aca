import { HttpsError, type CallableRequest } from 'firebase-functions/v2/https';
import { Banned, Contended, NotInCall, RateLimited, Refusal } from '../domain/refusals.js';
import { InvalidRequest } from '../domain/requests.js';
import { UsageMeter } from '../domain/usage.js';
import { ENFORCE_APP_CHECK } from '../config.js';

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

/**
 * The steps every Parley callable takes, in order: App Check and sign-in,
 * the pure parser, then `body` with a fresh usage meter; domain refusals
 * reach the client as HttpsErrors. `body` does the work and logs it (its
 * logger call stays in the handler, where the log-content test reads it).
 */
export function callable<Req, Res>(
  parse: (data: unknown) => Req,
  body: (uid: string, request: Req, meter: UsageMeter) => Promise<Res>,
): (request: CallableRequest<unknown>) => Promise<Res> {
  return async (request) => {
    const uid = requireUid(request);
    const parsed = parseOrReject(parse, request.data);
    try {
      return await body(uid, parsed, new UsageMeter());
    } catch (err) {
      if (err instanceof Refusal) throw toHttpsError(err);
      throw err;
    }
  };
}

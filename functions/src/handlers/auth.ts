import { logger } from 'firebase-functions';
import { HttpsError, type CallableRequest } from 'firebase-functions/v2/https';
import { clientAddress } from '../domain/network.js';
import { AppNotVerified, HTTPS_ERROR_CODES, NotSignedIn, RefusalError } from '../domain/refusals.js';
import { rejectPrototypeKeys } from '../domain/requests.js';
import { UsageMeter } from '../domain/usage.js';
import { ENFORCE_APP_CHECK, FORWARDED_HOPS_AFTER_CLIENT } from '../config.js';
import type { RateAction, RequestCount, RequestGate } from '../matching/rate-limit.js';

/** A refusal as the client receives it: the HttpsError code, the English message (logs), the refusal as details. */
function toHttpsError(err: RefusalError): HttpsError {
  return new HttpsError(HTTPS_ERROR_CODES[err.refusal.code], err.message, err.refusal);
}

/**
 * The caller's uid, or a refusal. Also where App Check is enforced when the
 * deployment asks for it (ENFORCE_APP_CHECK parameter).
 */
export function requireUid(request: CallableRequest<unknown>): string {
  if (ENFORCE_APP_CHECK.value() && !request.app) throw toHttpsError(new AppNotVerified());
  const uid = request.auth?.uid;
  if (!uid) throw toHttpsError(new NotSignedIn());
  return uid;
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
 *    caller's window for `action`, whatever happens next: on the instance's
 *    own count for the first few (no Firestore), then in the shared window
 *    (one read and one write; a refused request reads at most the window);
 *    a ban this instance saw a moment ago refuses it without another read
 *    (countedCallable: the window is read now and written with the body's
 *    commit);
 * 3. the pure parser (and no "__proto__" key anywhere in the raw request);
 * 4. `body`, with the request's usage meter.
 * Refusals (RefusalError: bad input, limits, bans, …) reach the client as
 * HttpsErrors whose details are the refusal's code and parameters; every
 * refusal is logged with what it cost. `body` does the work and logs it (its logger call stays
 * in the handler, where the log-content test reads it).
 */
export function callable<Req, Res>(
  action: RateAction,
  gate: () => RequestGate,
  parse: (data: unknown) => Req,
  body: (uid: string, request: Req, meter: UsageMeter, caller: Caller) => Promise<Res>,
): (request: CallableRequest<unknown>) => Promise<Res> {
  return refusalsAnswered(action, (uid, meter, request) =>
    gate().run(uid, action, meter, async () => body(uid, parsed(action, parse, request), meter, callerOf(request))),
  );
}

/**
 * `callable` for a body that counts the request in its own commit
 * (RequestGate.runCounted: join, which many people call at the same moment).
 * The same steps and refusals; the window is read while the body reads.
 */
export function countedCallable<Req, Res>(
  action: RateAction,
  gate: () => RequestGate,
  parse: (data: unknown) => Req,
  body: (uid: string, request: Req, meter: UsageMeter, count: RequestCount) => Promise<Res>,
): (request: CallableRequest<unknown>) => Promise<Res> {
  return refusalsAnswered(action, (uid, meter, request) =>
    gate().runCounted(uid, action, meter, async (count) => body(uid, parsed(action, parse, request), meter, count)),
  );
}

/** The request's data, parsed, after refusing "__proto__" anywhere in the raw request. */
function parsed<Req>(action: RateAction, parse: (data: unknown) => Req, request: CallableRequest<unknown>): Req {
  const raw = request.rawRequest as { body?: unknown } | undefined;
  rejectPrototypeKeys(raw?.body, `The ${action} request`);
  return parse(request.data);
}

/** Signs the caller in, runs `handle` with a fresh meter, and answers refusals as HttpsErrors, logged with their cost. */
function refusalsAnswered<Res>(
  action: RateAction,
  handle: (uid: string, meter: UsageMeter, request: CallableRequest<unknown>) => Promise<Res>,
): (request: CallableRequest<unknown>) => Promise<Res> {
  return async (request) => {
    const uid = requireUid(request);
    const meter = new UsageMeter();
    try {
      return await handle(uid, meter, request);
    } catch (err) {
      if (!(err instanceof RefusalError)) throw err;
      const refused = toHttpsError(err);
      // Codes and a field name only: nothing the client sent.
      const field = err.refusal.code === 'invalid-request' ? err.refusal.field : undefined;
      logger.info('refused', { action, code: refused.code, refusal: err.refusal.code, field, usage: meter.usage });
      throw refused;
    }
  };
}

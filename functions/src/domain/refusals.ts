/**
 * Why the backend refuses a request, as typed errors. Each carries the
 * protocol's `Refusal` (a code and its parameters, which the client gets as
 * the HttpsError's details and words itself) and an English message for
 * logs and developers, which never repeats what the client sent.
 * handlers/auth.ts turns them into HttpsErrors (HTTPS_ERROR_CODES).
 */
import type { Refusal, RefusalCode } from '../protocol/refusals.js';

/**
 * The Firebase callable error code each refusal travels under: what a
 * client that only branches on that code sees, the same as before refusals
 * had codes of their own. Complete by its type: a new refusal code needs a
 * line here.
 */
export const HTTPS_ERROR_CODES = {
  'rate-limited': 'resource-exhausted',
  banned: 'permission-denied',
  'invalid-request': 'invalid-argument',
  'not-signed-in': 'unauthenticated',
  'app-not-verified': 'failed-precondition',
  'not-in-call': 'not-found',
  contended: 'aborted',
  'relay-not-configured': 'failed-precondition',
} as const satisfies { readonly [C in RefusalCode]: string };

export class RefusalError extends Error {
  constructor(
    readonly refusal: Refusal,
    message: string,
  ) {
    super(message);
  }
}

export class RateLimited extends RefusalError {
  constructor(
    readonly action: string,
    readonly retryAfterMs: number,
  ) {
    super(
      { code: 'rate-limited', retryAfterMs },
      `Too many ${action} requests in a short time. Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} s.`,
    );
  }
}

export class Banned extends RefusalError {
  constructor(readonly untilMs: number) {
    super(
      { code: 'banned', until: untilMs },
      `Banned after reports from several people, until ${new Date(untilMs).toISOString()}.`,
    );
  }
}

export class NotInCall extends RefusalError {
  constructor() {
    super(
      { code: 'not-in-call' },
      'No random call with that id involves the caller now or within the last hour (Report and Block work that long).',
    );
  }
}

/** The request lost every race it ran (a stampede in one room, or on one call); nothing was written. */
export class Contended extends RefusalError {
  constructor(message = 'Lost every pairing race (many joins at the same moment); nothing was written. Retry.') {
    super({ code: 'contended' }, message);
  }
}

/** No signed-in user on the request. */
export class NotSignedIn extends RefusalError {
  constructor() {
    super({ code: 'not-signed-in' }, 'Not signed in: callables need a Firebase Auth user (the page signs in anonymously).');
  }
}

/** App Check is enforced (ENFORCE_APP_CHECK) and the request carried no valid token. */
export class AppNotVerified extends RefusalError {
  constructor() {
    super({ code: 'app-not-verified' }, 'App Check is enforced and the request has no valid App Check token.');
  }
}

/** turnCredentials: the deployment's TURN settings are broken (a URL of the wrong scheme, no secret). */
export class RelayNotConfigured extends RefusalError {
  constructor() {
    super({ code: 'relay-not-configured' }, 'The TURN relay is not configured on this deployment; calls go without a relay.');
  }
}

/**
 * Bad input to a callable. Names the field (`data`: the request as a whole)
 * and, when a size or depth was exceeded, the limit; never the value sent,
 * which may be anything and any length.
 */
export class InvalidRequest extends RefusalError {
  override readonly name = 'InvalidRequest';

  constructor(
    readonly field: string,
    message: string,
    readonly limit?: number,
  ) {
    super(limit === undefined ? { code: 'invalid-request', field } : { code: 'invalid-request', field, limit }, message);
  }
}

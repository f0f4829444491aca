import { HttpsError, type CallableRequest } from 'firebase-functions/v2/https';
import { InvalidRequest } from '../domain/requests.js';

/** The caller's uid, or an `unauthenticated` error a person can act on. */
export function requireUid(request: CallableRequest<unknown>): string {
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

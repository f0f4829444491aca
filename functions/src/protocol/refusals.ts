/**
 * Why a callable refused a request: the `details` of every HttpsError the
 * functions throw on purpose. Codes and parameters, never sentences: the
 * page words each refusal itself, in the person's language. The HttpsError's
 * own code (`resource-exhausted`, `permission-denied`, …) still says what
 * kind of failure it is, for a client that only branches on that; its
 * message is English, for logs and developers. docs/PROTOCOL.md has the
 * table ("Refusals").
 *
 * Pure: no firebase import, so the web bundle includes it.
 */

export type Refusal =
  /** Too many requests of this callable from this person: try again `retryAfterMs` from now. */
  | { readonly code: 'rate-limited'; readonly retryAfterMs: number }
  /** Banned after reports from several people, until `until` (epoch ms). */
  | { readonly code: 'banned'; readonly until: number }
  /**
   * `field` of the request is missing or malformed (`data`: the request as a
   * whole); `limit`, when the field was too long or too deep, is the most
   * it may be. Never the value that was sent.
   */
  | { readonly code: 'invalid-request'; readonly field: string; readonly limit?: number }
  /** No signed-in user: the page signs in (again) and retries. */
  | { readonly code: 'not-signed-in' }
  /** App Check is enforced and the request had no valid token. */
  | { readonly code: 'app-not-verified' }
  /** Report or Block of a call that is not, and within the last hour was not, one's random call. */
  | { readonly code: 'not-in-call' }
  /** The request lost every race it ran (many people at the same moment); nothing was written: try again. */
  | { readonly code: 'contended' }
  /** `turnCredentials`: the deployment's relay settings are broken; calls go without a relay. */
  | { readonly code: 'relay-not-configured' };

export type RefusalCode = Refusal['code'];

type Fields = Readonly<Record<string, unknown>>;

function own(obj: Fields, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** One reader per code: the object type makes the list complete, and REFUSAL_CODES follows from it. */
const READERS: { readonly [C in RefusalCode]: (details: Fields) => Extract<Refusal, { code: C }> | null } = {
  'rate-limited': (d) => {
    const retryAfterMs = own(d, 'retryAfterMs');
    return isFiniteNumber(retryAfterMs) && retryAfterMs >= 0 ? { code: 'rate-limited', retryAfterMs } : null;
  },
  banned: (d) => {
    const until = own(d, 'until');
    return isFiniteNumber(until) ? { code: 'banned', until } : null;
  },
  'invalid-request': (d) => {
    const field = own(d, 'field');
    const limit = own(d, 'limit');
    if (typeof field !== 'string') return null;
    if (limit === undefined) return { code: 'invalid-request', field };
    return isFiniteNumber(limit) ? { code: 'invalid-request', field, limit } : null;
  },
  'not-signed-in': () => ({ code: 'not-signed-in' }),
  'app-not-verified': () => ({ code: 'app-not-verified' }),
  'not-in-call': () => ({ code: 'not-in-call' }),
  contended: () => ({ code: 'contended' }),
  'relay-not-configured': () => ({ code: 'relay-not-configured' }),
};

/** Every refusal code the functions send. */
export const REFUSAL_CODES: readonly RefusalCode[] = Object.keys(READERS) as RefusalCode[];

/**
 * The refusal an HttpsError's `details` carry, or null: not an object, an
 * unknown code, or a parameter missing or of the wrong type. Reads own
 * properties only and returns a fresh object with the refusal's fields and
 * nothing else.
 */
export function parseRefusal(details: unknown): Refusal | null {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null;
  const code = own(details as Fields, 'code');
  if (typeof code !== 'string' || !Object.prototype.hasOwnProperty.call(READERS, code)) return null;
  return READERS[code as RefusalCode](details as Fields);
}

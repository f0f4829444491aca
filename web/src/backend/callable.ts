/**
 * Parley's callables (functions/src/handlers) over `fetch`, in Firebase's
 * callable wire format (https://firebase.google.com/docs/functions/callable-reference):
 * POST `{"data": …}` with the user's ID token; the answer is `{"result": …}`
 * or `{"error": {status, message, details}}`. It stands in for the Functions
 * SDK (firebase/functions), which was 1.7 KB (gzip) of the page's "before
 * Start works" (docs/PERFORMANCE.md), most of it for what Parley does not
 * use: streaming callables, App Check and Cloud Messaging tokens. Errors keep the SDK's shape (`code`
 * `functions/<code>`, `details` the server's refusal) so that retry.ts and
 * flows/problems.ts read them as before; test/unit/web/backend/callable.test.ts
 * holds the two side by side against the same answers.
 */

/** A failed callable, as the Functions SDK's FunctionsError has it. */
export class CallableError extends Error {
  /** `functions/<code>`, the code being google.rpc.Code's name in kebab case (e.g. `functions/resource-exhausted`). */
  readonly code: string;
  /** The server's HttpsError details (Parley's refusal, protocol/refusals.ts), or undefined. */
  readonly details: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'CallableError';
    this.code = `functions/${code}`;
    this.details = details;
  }
}

/** What a request that got no answer fails with after this long: the SDK's default (70 s). */
export const CALLABLE_TIMEOUT_MS = 70_000;

/** The status names an HttpsError can carry (google.rpc.Code), as the client codes them. */
const STATUS_CODES: Readonly<Record<string, string>> = {
  OK: 'ok',
  CANCELLED: 'cancelled',
  UNKNOWN: 'unknown',
  INVALID_ARGUMENT: 'invalid-argument',
  DEADLINE_EXCEEDED: 'deadline-exceeded',
  NOT_FOUND: 'not-found',
  ALREADY_EXISTS: 'already-exists',
  PERMISSION_DENIED: 'permission-denied',
  UNAUTHENTICATED: 'unauthenticated',
  RESOURCE_EXHAUSTED: 'resource-exhausted',
  FAILED_PRECONDITION: 'failed-precondition',
  ABORTED: 'aborted',
  OUT_OF_RANGE: 'out-of-range',
  UNIMPLEMENTED: 'unimplemented',
  INTERNAL: 'internal',
  UNAVAILABLE: 'unavailable',
  DATA_LOSS: 'data-loss',
};

/** The code an HTTP status stands for when the body names none (google.rpc.Code's mapping, as the SDK has it). */
const HTTP_STATUS_CODES: Readonly<Record<number, string>> = {
  0: 'internal', // no answer at all: the network, or a crash without CORS headers
  400: 'invalid-argument',
  401: 'unauthenticated',
  403: 'permission-denied',
  404: 'not-found',
  409: 'aborted',
  429: 'resource-exhausted',
  499: 'cancelled',
  500: 'internal',
  501: 'unimplemented',
  503: 'unavailable',
  504: 'deadline-exceeded',
};

function codeOfHttpStatus(status: number): string {
  if (status >= 200 && status < 300) return 'ok';
  return HTTP_STATUS_CODES[status] ?? 'unknown';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * What an answer means: its data, or the error to throw. `status` is the HTTP
 * status (0 when the request got no answer), `body` the parsed JSON body (null
 * when there was none or it was not JSON). Pure.
 */
export function callableOutcome(status: number, body: unknown): { readonly data: unknown } | { readonly error: CallableError } {
  let code = codeOfHttpStatus(status);
  let message = code;
  let details: unknown;
  const error = isObject(body) ? body['error'] : undefined;
  if (isObject(error)) {
    const name = error['status'];
    if (typeof name === 'string') {
      const named = Object.hasOwn(STATUS_CODES, name) ? STATUS_CODES[name] : undefined;
      if (named === undefined)
        return { error: new CallableError('internal', `Unknown backend error status: ${name} [${status}]`) };
      code = named;
      message = `Backend error status: ${name}`;
    }
    if (typeof error['message'] === 'string') message = error['message'];
    details = error['details'];
  }
  if (code !== 'ok') return { error: new CallableError(code, `${message} [${status}]`, details) };
  if (!isObject(body)) return { error: new CallableError('internal', 'Response is not valid JSON object.') };
  // `result` is the protocol's; the SDK reads `data` first, as older servers answered.
  const data = body['data'] !== undefined ? body['data'] : body['result'];
  if (data === undefined) return { error: new CallableError('internal', 'Response is missing data field.') };
  return { data };
}

/**
 * A callable request: POST, JSON, the ID token as a bearer token (none when
 * `token` is null). In the body, an `undefined` inside becomes null, as the
 * SDK sends it (JSON.stringify would leave the key out, and the server tells
 * an absent field from a null one). Also what keepalive.ts sends at unload.
 */
export function callableRequest(data: unknown, token: string | null): RequestInit & { body: string } {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ data: data ?? null }, (_key, value: unknown) => (value === undefined ? null : value)),
  };
}

/** Where a callable is served: the Functions emulator's path, or the project's cloudfunctions.net host. */
export function callableUrl(name: string, where: { projectId: string; region: string; emulator?: string }): string {
  return where.emulator
    ? `${where.emulator}/${where.projectId}/${where.region}/${name}`
    : `https://${where.region}-${where.projectId}.cloudfunctions.net/${name}`;
}

/** Calls a callable by name; what firebase-backend.ts hands to the matcher and the call service. */
export type Callables = <Result>(name: string, data: unknown) => Promise<Result>;

/**
 * Callables at `url(name)`, each request carrying the ID token `idToken()`
 * gives at that moment (Firebase Auth refreshes it when it nears expiry).
 * A request with no answer within `timeoutMs` is aborted and fails with
 * `functions/deadline-exceeded`; one the network dropped with
 * `functions/internal`, as with the SDK.
 */
export function callables(
  url: (name: string) => string,
  idToken: () => Promise<string | null>,
  timeoutMs = CALLABLE_TIMEOUT_MS,
): Callables {
  return async <Result>(name: string, data: unknown): Promise<Result> => {
    const request = callableRequest(data, await idToken());
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let status = 0;
    let json: unknown = null;
    try {
      const res = await fetch(url(name), { ...request, signal: abort.signal });
      status = res.status;
      json = await res.json().catch(() => null);
    } catch {
      if (abort.signal.aborted) throw new CallableError('deadline-exceeded', 'deadline-exceeded');
      // No answer: the network, or a server error without CORS headers (status 0 below).
    } finally {
      clearTimeout(timer);
    }
    const outcome = callableOutcome(status, json);
    if ('error' in outcome) throw outcome.error;
    return outcome.data as Result;
  };
}

/**
 * Validation of what clients send to the callables. Pure: returns a typed
 * request or throws InvalidRequest with a message a person can act on; the
 * callable turns that into an `invalid-argument` HttpsError.
 */
import { MAX_SDP_LENGTH } from './limits.js';
import { LINK_CALL_ID, LINK_CALL_ID_LENGTH, type SessionDescription } from '../protocol/calls.js';
import { isRoomId, ROOMS, type RoomId } from '../protocol/rooms.js';

export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
}

export interface JoinRequest {
  readonly room: RoomId;
  /** The joiner's offer, made before calling so a waiting partner can answer at once. */
  readonly offer: SessionDescription & { readonly type: 'offer' };
  /**
   * Set when a waiting page renews its place: the call id it is listening on.
   * If that call was created meanwhile, the renewal must not end it.
   */
  readonly renewing?: string;
  /** Whether a long wait in a quiet room may pair the person from the Anyone pool (default true). */
  readonly widen: boolean;
}

/** Firestore auto-ids are 20 alphanumerics; accept that shape only. */
export const CALL_ID = /^[A-Za-z0-9]{1,64}$/;

/** A JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws InvalidRequest naming every field of `obj` not in `allowed`. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw new InvalidRequest(`${what} has unknown field(s): ${unknown.join(', ')}.`);
  }
}

/** Checks an SDP blob's type and shape, not its full grammar (the browser does that). */
export function parseDescription(value: unknown, expectedType: 'offer' | 'answer'): SessionDescription {
  if (!isPlainObject(value)) {
    throw new InvalidRequest(`The ${expectedType} must be an object with "type" and "sdp".`);
  }
  rejectForeignPrototype(value, `The ${expectedType}`);
  rejectUnknownKeys(value, ['type', 'sdp'], `The ${expectedType}`);
  if (ownField(value, 'type') !== expectedType) {
    throw new InvalidRequest(`The ${expectedType} must have type "${expectedType}".`);
  }
  const sdp = ownField(value, 'sdp');
  if (typeof sdp !== 'string' || sdp.length === 0) {
    throw new InvalidRequest(`The ${expectedType} must carry its SDP as a non-empty string.`);
  }
  if (sdp.length > MAX_SDP_LENGTH) {
    throw new InvalidRequest(`The ${expectedType} SDP is ${sdp.length} characters; at most ${MAX_SDP_LENGTH} are accepted.`);
  }
  if (!sdp.startsWith('v=0')) {
    throw new InvalidRequest(`The ${expectedType} SDP must start with "v=0".`);
  }
  return { type: expectedType, sdp };
}

export function parseJoinRequest(data: unknown): JoinRequest {
  if (!isPlainObject(data)) {
    throw new InvalidRequest('join expects an object: { room, offer, renewing?, widen? }.');
  }
  rejectForeignPrototype(data, 'The join request');
  rejectUnknownKeys(data, ['room', 'offer', 'renewing', 'widen'], 'The join request');
  const room = ownField(data, 'room');
  if (!isRoomId(room)) {
    const ids = ROOMS.map((r) => r.id).join(', ');
    throw new InvalidRequest(`Unknown room ${JSON.stringify(room)}; choose one of: ${ids}.`);
  }
  const offer = parseDescription(ownField(data, 'offer'), 'offer') as JoinRequest['offer'];
  const sentWiden = ownField(data, 'widen');
  const widen = sentWiden === undefined ? true : sentWiden;
  if (typeof widen !== 'boolean') {
    throw new InvalidRequest('"widen" must be true or false.');
  }
  const renewing = ownField(data, 'renewing');
  if (renewing === undefined) return { room, offer, widen };
  if (typeof renewing !== 'string' || !CALL_ID.test(renewing)) {
    throw new InvalidRequest('"renewing" must be the call id that join returned.');
  }
  return { room, offer, renewing, widen };
}

/** `leave` takes no arguments: it ends whatever the caller is part of. */
export function parseLeaveRequest(data: unknown): Record<string, never> {
  if (data === undefined || data === null) return {};
  if (!isPlainObject(data)) {
    throw new InvalidRequest('leave expects no arguments (or an empty object).');
  }
  rejectForeignPrototype(data, 'The leave request');
  rejectUnknownKeys(data, [], 'The leave request');
  return {};
}

/** The value of an own property of `obj` (never one inherited through its prototype, e.g. via `__proto__`). */
export function ownField(obj: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * Refuses an object whose prototype is not Object's (or null). The callable
 * decoder copies a JSON key "__proto__" by assignment, which sets the
 * decoded object's prototype instead of adding a field: its fields would be
 * inherited, invisible to an own-key check. A JSON.parse'd "__proto__" is an
 * own key instead, and rejectUnknownKeys names it.
 */
export function rejectForeignPrototype(obj: Record<string, unknown>, what: string): void {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new InvalidRequest(`${what} has unknown field(s): __proto__.`);
}

/** Deepest nesting a request may have; Parley's requests nest two levels (join's offer). */
const MAX_REQUEST_DEPTH = 8;

/**
 * Refuses a raw (JSON.parse'd) request body with a "__proto__" key at any
 * depth. JSON.parse keeps such a key as an own field; the callable decoder
 * then assigns it, which sets the decoded object's prototype (an object),
 * sets a null prototype (null), or drops the key (anything else). The
 * decoded request cannot always show it; the raw body can.
 */
export function rejectPrototypeKeys(body: unknown, what: string, depth = 0): void {
  if (typeof body !== 'object' || body === null) return;
  if (depth > MAX_REQUEST_DEPTH) throw new InvalidRequest(`${what} is nested too deeply.`);
  for (const [key, value] of Object.entries(body)) {
    if (key === '__proto__') throw new InvalidRequest(`${what} has unknown field(s): __proto__.`);
    rejectPrototypeKeys(value, what, depth + 1);
  }
}

/** `createCall` takes no arguments (an empty object, or nothing). */
export function parseCreateCallRequest(data: unknown): Record<string, never> {
  if (data === undefined || data === null) return {};
  if (!isPlainObject(data)) {
    throw new InvalidRequest('createCall expects no arguments (or an empty object).');
  }
  rejectForeignPrototype(data, 'The createCall request');
  rejectUnknownKeys(data, [], 'The createCall request');
  return {};
}

/** `peekCall`, `enterCall` and `leaveCall` name one call by link. */
export interface LinkCallRequest {
  readonly callId: string;
}

/** A parser for `{ callId }`, where callId is a link call's id (LINK_CALL_ID). `name` is the callable's. */
export function linkCallRequestParser(name: 'peekCall' | 'enterCall' | 'leaveCall'): (data: unknown) => LinkCallRequest {
  return (data) => {
    if (!isPlainObject(data)) throw new InvalidRequest(`${name} expects an object: { callId }.`);
    rejectForeignPrototype(data, `The ${name} request`);
    rejectUnknownKeys(data, ['callId'], `The ${name} request`);
    const callId = ownField(data, 'callId');
    if (typeof callId !== 'string' || !LINK_CALL_ID.test(callId)) {
      throw new InvalidRequest(
        `"callId" must be the ${LINK_CALL_ID_LENGTH} letters and digits of a call link (as createCall returned it).`,
      );
    }
    return { callId };
  };
}

export const parsePeekCallRequest = linkCallRequestParser('peekCall');
export const parseEnterCallRequest = linkCallRequestParser('enterCall');
export const parseLeaveCallRequest = linkCallRequestParser('leaveCall');

/** `turnCredentials` takes no arguments (an empty object, or nothing). */
export function parseTurnCredentialsRequest(data: unknown): Record<string, never> {
  if (data === undefined || data === null) return {};
  if (!isPlainObject(data)) {
    throw new InvalidRequest('turnCredentials expects no arguments (or an empty object).');
  }
  rejectForeignPrototype(data, 'The turnCredentials request');
  rejectUnknownKeys(data, [], 'The turnCredentials request');
  return {};
}

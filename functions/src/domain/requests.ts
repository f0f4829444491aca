/**
 * Validation of what clients send to the callables. Pure: returns a typed
 * request or throws InvalidRequest, which names the field at fault and the
 * limit it broke; the callable turns that into an `invalid-argument`
 * HttpsError whose details carry the two (protocol/refusals.ts). A refusal
 * never repeats the value sent: a client may send anything of any length,
 * and an answer (or a log line) must not grow with it.
 */
import { InvalidRequest } from './refusals.js';
import { MAX_SDP_LENGTH } from './limits.js';
import {
  LINK_CALL_ID,
  LINK_CALL_ID_LENGTH,
  MAX_AVOID,
  MAX_UID_LENGTH,
  SKIP_MEMORY_SIZE,
  type CreateCallRequest,
  type LeaveRequest,
  type SessionDescription,
} from '../protocol/calls.js';
import { isRoomId, ROOMS, type RoomId } from '../protocol/rooms.js';

/** The field an InvalidRequest names when the request as a whole is at fault (the callable protocol's `data`). */
export const WHOLE_REQUEST = 'data';

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
  /**
   * Whom not to pair the person with (at most MAX_AVOID uids, no duplicates):
   * the page's recent blocks and reports, which hold from this join on even
   * if their own request has not been stored yet. The parser always sets
   * it (empty when none was sent); callers inside the functions may omit it.
   */
  readonly avoid?: readonly string[];
  /**
   * The page keeps its presence in the random call it gets on the call
   * document (`joinerSeenAt`/`waiterSeenAt`, protocol/calls.ts) instead of a
   * `members/{uid}` document. False for pages that do not say so (pages of
   * an earlier release); callers inside the functions may omit it.
   */
  readonly presenceOnCall?: boolean;
  /**
   * As the joiner of the random call it gets, the page makes its own
   * mailbox to the waiter with its first write, the answer (firestore.rules
   * let the joiner create it): join then makes only the waiter's mailbox,
   * one write fewer per call, and the waiter learns of the match from the
   * answer itself. False for pages that do not say so (pages of an earlier
   * release write their answer into a mailbox join made); callers inside
   * the functions may omit it.
   */
  readonly makesOwnMailbox?: boolean;
  /**
   * The page's own skip memory: whom it was paired with in the last
   * SKIP_MEMORY_MS (at most SKIP_MEMORY_SIZE uids). Sent: join takes it
   * instead of querying the history. Absent (a page that keeps none, or
   * one just opened): join queries the history.
   */
  readonly recent?: readonly string[];
  /**
   * What the page holds on the server as it joins, in its own words (never
   * with `renewing`: a renewing page waits). A call id: it is in that random
   * call (Next) and waits nowhere; join reads that call alone and ends it.
   * `null`: it is in no random call and waits nowhere (Start); join reads
   * neither the caller's entry nor its calls. Absent (pages of an earlier
   * release, or a page that cannot know, e.g. after a failed leave): join
   * reads both. A page that says less than the truth only leaves its own
   * leftovers to the sweep and the leases (matchmaker.ts, ownEntryAndCalls).
   */
  readonly leaving?: string | null;
}

/** Longest call id accepted where any call id may come (a random call's is a 20-character Firestore auto-id). */
export const MAX_CALL_ID_LENGTH = 64;
/** Firestore auto-ids are 20 alphanumerics; accept that shape only. */
const CALL_ID = /^[A-Za-z0-9]{1,64}$/;
/** The shape of a uid in `avoid`: what Firebase Auth makes for anonymous accounts, up to Auth's longest. */
const UID = new RegExp(`^[A-Za-z0-9]{1,${MAX_UID_LENGTH}}$`);

/** A JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Throws InvalidRequest when `obj` has a field not in `allowed`. It lists
 * what the request takes, not what it got: a key is input too.
 */
export function rejectUnknownKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  what: string,
  field = WHOLE_REQUEST,
): void {
  if (Object.prototype.hasOwnProperty.call(obj, '__proto__')) throw new InvalidRequest(field, `${what} has a "__proto__" key.`);
  if (Object.keys(obj).some((k) => !allowed.includes(k))) {
    const takes = allowed.length === 0 ? 'no fields' : `only ${allowed.join(', ')}`;
    throw new InvalidRequest(field, `${what} has a field it does not take (it takes ${takes}).`);
  }
}

/**
 * An id field: a string matching `pattern`, at most `maxLength` long. The
 * refusal carries the limit when the value was a longer string, so the
 * client can tell "too long" from "not an id".
 */
function parseId(value: unknown, field: string, pattern: RegExp, maxLength: number, message: string): string {
  if (typeof value === 'string' && pattern.test(value)) return value;
  const tooLong = typeof value === 'string' && value.length > maxLength;
  throw new InvalidRequest(field, message, tooLong ? maxLength : undefined);
}

/**
 * Checks an SDP blob's type and shape, not its full grammar (the browser
 * does that). The field is named after its type (join's `offer`).
 */
export function parseDescription(value: unknown, expectedType: 'offer' | 'answer'): SessionDescription {
  const field = expectedType;
  if (!isPlainObject(value)) {
    throw new InvalidRequest(field, `The ${field} must be an object with "type" and "sdp".`);
  }
  rejectForeignPrototype(value, `The ${field}`, field);
  rejectUnknownKeys(value, ['type', 'sdp'], `The ${field}`, field);
  if (ownField(value, 'type') !== expectedType) {
    throw new InvalidRequest(`${field}.type`, `The ${field} must have type "${expectedType}".`);
  }
  const sdp = ownField(value, 'sdp');
  if (typeof sdp !== 'string' || sdp.length === 0) {
    throw new InvalidRequest(`${field}.sdp`, `The ${field} must carry its SDP as a non-empty string.`);
  }
  if (sdp.length > MAX_SDP_LENGTH) {
    throw new InvalidRequest(
      `${field}.sdp`,
      `The ${field} SDP is too long: at most ${MAX_SDP_LENGTH} characters are accepted.`,
      MAX_SDP_LENGTH,
    );
  }
  if (!sdp.startsWith('v=0')) {
    throw new InvalidRequest(`${field}.sdp`, `The ${field} SDP must start with "v=0".`);
  }
  return { type: expectedType, sdp };
}

export function parseJoinRequest(data: unknown): JoinRequest {
  if (!isPlainObject(data)) {
    throw new InvalidRequest(
      WHOLE_REQUEST,
      'join expects an object: { room, offer, renewing?, widen?, avoid?, presenceOnCall?, makesOwnMailbox?, recent?, leaving? }.',
    );
  }
  rejectForeignPrototype(data, 'The join request');
  rejectUnknownKeys(
    data,
    ['room', 'offer', 'renewing', 'widen', 'avoid', 'presenceOnCall', 'makesOwnMailbox', 'recent', 'leaving'],
    'The join request',
  );
  const room = ownField(data, 'room');
  if (!isRoomId(room)) {
    throw new InvalidRequest('room', `"room" must be a room id: one of ${ROOMS.map((r) => r.id).join(', ')}.`);
  }
  const offer = parseDescription(ownField(data, 'offer'), 'offer') as JoinRequest['offer'];
  const sentWiden = ownField(data, 'widen');
  const widen = sentWiden === undefined ? true : sentWiden;
  if (typeof widen !== 'boolean') {
    throw new InvalidRequest('widen', '"widen" must be true or false.');
  }
  const sentAvoid = ownField(data, 'avoid');
  const avoid = sentAvoid === undefined ? [] : parseUids(sentAvoid, 'avoid', MAX_AVOID);
  const sentRecent = ownField(data, 'recent');
  const recent = sentRecent === undefined ? {} : { recent: parseUids(sentRecent, 'recent', SKIP_MEMORY_SIZE) };
  const sentPresenceOnCall = ownField(data, 'presenceOnCall');
  const presenceOnCall = sentPresenceOnCall === undefined ? false : sentPresenceOnCall;
  if (typeof presenceOnCall !== 'boolean') {
    throw new InvalidRequest('presenceOnCall', '"presenceOnCall" must be true or false.');
  }
  const sentMakesOwnMailbox = ownField(data, 'makesOwnMailbox');
  const makesOwnMailbox = sentMakesOwnMailbox === undefined ? false : sentMakesOwnMailbox;
  if (typeof makesOwnMailbox !== 'boolean') {
    throw new InvalidRequest('makesOwnMailbox', '"makesOwnMailbox" must be true or false.');
  }
  const sentRenewing = ownField(data, 'renewing');
  const sentLeaving = ownField(data, 'leaving');
  if (sentRenewing === undefined) {
    if (sentLeaving === undefined) return { room, offer, widen, avoid, presenceOnCall, makesOwnMailbox, ...recent };
    const leaving =
      sentLeaving === null
        ? null
        : parseId(
            sentLeaving,
            'leaving',
            CALL_ID,
            MAX_CALL_ID_LENGTH,
            `"leaving" must be null or the id of the random call the page is in (1 to ${MAX_CALL_ID_LENGTH} letters and digits).`,
          );
    return { room, offer, widen, avoid, presenceOnCall, makesOwnMailbox, ...recent, leaving };
  }
  if (sentLeaving !== undefined) {
    throw new InvalidRequest('leaving', '"leaving" cannot come with "renewing": a page that renews its place waits, in no call.');
  }
  const renewing = parseId(
    sentRenewing,
    'renewing',
    CALL_ID,
    MAX_CALL_ID_LENGTH,
    `"renewing" must be the call id that join returned (1 to ${MAX_CALL_ID_LENGTH} letters and digits).`,
  );
  return { room, offer, renewing, widen, avoid, presenceOnCall, makesOwnMailbox, ...recent };
}

/**
 * join's `avoid` (at most MAX_AVOID) and `recent` (at most
 * SKIP_MEMORY_SIZE): an array of uids, duplicates dropped. A bounded list of
 * ids is all either may be: both are stored in the waiting entry, which
 * every pairing that looks at the entry reads.
 */
function parseUids(value: unknown, field: string, max: number): string[] {
  if (!Array.isArray(value)) {
    throw new InvalidRequest(field, `"${field}" must be an array of at most ${max} user ids.`);
  }
  if (value.length > max) {
    throw new InvalidRequest(field, `"${field}" holds too many user ids: at most ${max} are accepted.`, max);
  }
  const uids = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    // Own elements only: a hole reads as missing, never as an inherited value.
    const uid = Object.prototype.hasOwnProperty.call(value, i) ? (value[i] as unknown) : undefined;
    uids.add(
      parseId(
        uid,
        `${field}[${i}]`,
        UID,
        MAX_UID_LENGTH,
        `Each entry of "${field}" must be a user id (1 to ${MAX_UID_LENGTH} letters and digits).`,
      ),
    );
  }
  return [...uids];
}

/** A parser for a callable that takes no arguments (nothing, null or an empty object). */
function noArguments(name: string): (data: unknown) => Record<string, never> {
  return (data) => {
    if (data === undefined || data === null) return {};
    if (!isPlainObject(data)) {
      throw new InvalidRequest(WHOLE_REQUEST, `${name} expects no arguments (or an empty object).`);
    }
    rejectForeignPrototype(data, `The ${name} request`);
    rejectUnknownKeys(data, [], `The ${name} request`);
    return {};
  };
}

/**
 * `leave` takes nothing (no argument, `null` or `{}`), or `{callId}`: the
 * random call the caller's page is in. Either way it ends whatever of
 * random chat the caller is part of; the call's id only spares a read
 * (matching/matchmaker.ts, leave).
 */
export function parseLeaveRequest(data: unknown): LeaveRequest {
  const callId = optionalField(data, 'leave', 'callId', '{ callId?: string }');
  return callId === undefined ? {} : { callId: parseCallId(callId, 'leave, when it names a call,') };
}

/**
 * For a callable that takes nothing (no argument, `null` or `{}`) or an
 * object with one optional field: that field's own value, or undefined.
 * Anything else is refused with the callable's `signature` in the words.
 */
function optionalField(data: unknown, name: string, field: string, signature: string): unknown {
  if (data === undefined || data === null) return undefined;
  if (!isPlainObject(data)) {
    throw new InvalidRequest(WHOLE_REQUEST, `${name} expects no arguments, or an object: ${signature}.`);
  }
  rejectForeignPrototype(data, `The ${name} request`);
  rejectUnknownKeys(data, [field], `The ${name} request`);
  return ownField(data, field);
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
 * own key instead, and rejectUnknownKeys refuses it with the same words.
 */
export function rejectForeignPrototype(obj: Record<string, unknown>, what: string, field = WHOLE_REQUEST): void {
  const proto = Object.getPrototypeOf(obj) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new InvalidRequest(field, `${what} has a "__proto__" key.`);
}

/** Deepest nesting a request may have; Parley's requests nest two levels (join's offer). */
export const MAX_REQUEST_DEPTH = 8;

/**
 * Refuses a raw (JSON.parse'd) request body with a "__proto__" key at any
 * depth. JSON.parse keeps such a key as an own field; the callable decoder
 * then assigns it, which sets the decoded object's prototype (an object),
 * sets a null prototype (null), or drops the key (anything else). The
 * decoded request cannot always show it; the raw body can.
 */
export function rejectPrototypeKeys(body: unknown, what: string, depth = 0): void {
  if (typeof body !== 'object' || body === null) return;
  if (depth > MAX_REQUEST_DEPTH) {
    throw new InvalidRequest(WHOLE_REQUEST, `${what} is nested more than ${MAX_REQUEST_DEPTH} levels deep.`, MAX_REQUEST_DEPTH);
  }
  for (const [key, value] of Object.entries(body)) {
    if (key === '__proto__') throw new InvalidRequest(WHOLE_REQUEST, `${what} has a "__proto__" key.`);
    rejectPrototypeKeys(value, what, depth + 1);
  }
}

/**
 * `createCall` takes nothing (no argument, `null` or `{}`) or
 * `{screenIncoming: boolean}`: the creator's choice for the call's
 * screening of incoming video (default on).
 */
export function parseCreateCallRequest(data: unknown): CreateCallRequest {
  const screenIncoming = optionalField(data, 'createCall', 'screenIncoming', '{ screenIncoming?: boolean }');
  if (screenIncoming === undefined) return {};
  if (typeof screenIncoming !== 'boolean') {
    throw new InvalidRequest(
      'screenIncoming',
      '"screenIncoming" must be true or false (whether members screen the video they receive).',
    );
  }
  return { screenIncoming };
}

/** `peekCall`, `enterCall` and `leaveCall` name one call by link. */
export interface LinkCallRequest {
  readonly callId: string;
}

/** A parser for `{ callId }`, where callId is a link call's id (LINK_CALL_ID). `name` is the callable's. */
export function linkCallRequestParser(name: 'peekCall' | 'enterCall' | 'leaveCall'): (data: unknown) => LinkCallRequest {
  return (data) => {
    if (!isPlainObject(data)) throw new InvalidRequest(WHOLE_REQUEST, `${name} expects an object: { callId }.`);
    rejectForeignPrototype(data, `The ${name} request`);
    rejectUnknownKeys(data, ['callId'], `The ${name} request`);
    const callId = parseId(
      ownField(data, 'callId'),
      'callId',
      LINK_CALL_ID,
      LINK_CALL_ID_LENGTH,
      `"callId" must be the ${LINK_CALL_ID_LENGTH} letters and digits of a call link (as createCall returned it).`,
    );
    return { callId };
  };
}

export const parsePeekCallRequest = linkCallRequestParser('peekCall');
export const parseEnterCallRequest = linkCallRequestParser('enterCall');
export const parseLeaveCallRequest = linkCallRequestParser('leaveCall');

/** `turnCredentials` takes no arguments (an empty object, or nothing). */
export const parseTurnCredentialsRequest = noArguments('turnCredentials');

/** A `callId` where any call id may come (report and block): the id of one's current or last call. */
export function parseCallId(value: unknown, what: string): string {
  return parseId(
    value,
    'callId',
    CALL_ID,
    MAX_CALL_ID_LENGTH,
    `${what} needs "callId": the id of your current or last call (1 to ${MAX_CALL_ID_LENGTH} letters and digits).`,
  );
}

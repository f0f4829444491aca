/**
 * What travels on a link's control channel (the pre-negotiated data channel
 * `parley`, id 0): one JSON object per message, `{"v":1,"t":<type>, ...}`
 * (docs/PROTOCOL.md, "The control channel"). Pure: no WebRTC, tested on
 * literal frames.
 *
 * The other end is a stranger's page, so every frame is untrusted input:
 * `decodeChannelMessage` never throws, rejects a frame past MAX_FRAME_CHARS
 * before parsing it, and returns only messages whose every field was checked.
 * A well-formed frame of a type or version this page does not know is valid
 * but carries nothing for it (a newer page can add types without breaking
 * older ones): liveness counts it, nothing else reads it.
 */

/** The version of the message shapes below. An incompatible change to a type's fields bumps it; a new type or field does not. */
export const CHANNEL_VERSION = 1;

/**
 * The largest frame decoded, in UTF-16 code units (string length). A chat
 * message of MAX_CHAT_CHARS code points needs at most 2 units each, 6 when
 * every unit is escaped (\uXXXX), plus its envelope: 16 Ki covers the worst
 * case and keeps a hostile peer from making a page parse megabytes.
 */
export const MAX_FRAME_CHARS = 16 * 1024;

/** A chat message's text: 1 to this many code points (what a person sees as characters, emoji included). */
export const MAX_CHAT_CHARS = 1_000;

/** A chat message's id (unique per sender and call, echoed by its `ack`): 1 to this many characters. */
export const MAX_CHAT_ID_CHARS = 64;

/** A display name sent with chat messages in a call by link: 1 to this many code points. */
export const MAX_NAME_CHARS = 40;

/**
 * A media section's id (SDP `a=mid`), as the `media` message names the
 * transceiver of a screen share: RFC 5888 allows any token; browsers use
 * short numbers. Printable ASCII without spaces, at most 32 characters.
 */
const MID_PATTERN = /^[\x21-\x7e]{1,32}$/;

/** What a `hello` may name (HelloMessage.takes): at most this many, each 1–32 of [a-z0-9-]. */
const MAX_TAKES = 16;
const TAKE_PATTERN = /^[a-z0-9-]{1,32}$/;

/** A `hello` naming this takes `candidate` messages (CandidateMessage). */
export const TAKES_CANDIDATES = 'cand';

/** The longest candidate line a `candidate` message may carry (browsers' are under 300 characters). */
export const MAX_CANDIDATE_CHARS = 512;

/** "I am here and the path works": sent every heartbeat interval (engine/liveness.ts). */
export interface HeartbeatMessage {
  readonly type: 'heartbeat';
}

/** A text chat message (features/chat.ts). Shown as text, never as markup. */
export interface ChatMessage {
  readonly type: 'chat';
  readonly id: string;
  readonly text: string;
  /** The sender's clock when it was sent (epoch ms): for display only, never trusted for order. */
  readonly sentAt: number;
  /** The sender's display name, in calls by link, if they chose one. */
  readonly name?: string;
}

/** A chat message with this id arrived and is shown: the sender marks it delivered. */
export interface AckMessage {
  readonly type: 'ack';
  readonly id: string;
}

/**
 * What the sender sends now: its microphone and camera on or off, and
 * which of this link's media sections carries its screen (by mid), or null.
 * Sent when the channel opens and on every change.
 */
export interface MediaMessage {
  readonly type: 'media';
  readonly audio: boolean;
  readonly video: boolean;
  readonly screen: string | null;
}

/**
 * The sender stopped (`paused` true) or restarted sending its camera on this
 * link because its uplink could not carry video (features/call-quality.ts):
 * the receiver shows why instead of a frozen frame. Sent on every change,
 * and when the channel opens while paused.
 */
export interface VideoPausedMessage {
  readonly type: 'video-paused';
  readonly paused: boolean;
}

/**
 * The sender chose audio only (`on` true) or video again: it sends no video
 * on this link and asks for none, so the receiver stops sending its own
 * video on the link and shows why (features/call-quality.ts). Sent on every
 * change, and when the channel opens while on.
 */
export interface AudioOnlyMessage {
  readonly type: 'audio-only';
  readonly on: boolean;
}

/**
 * What the sender takes on this channel beyond the types every page knows
 * (TAKES_CANDIDATES), sent once, as its first frame when the channel
 * opens. A page that sends none takes none of them: its first frame is of
 * another type.
 */
export interface HelloMessage {
  readonly type: 'hello';
  readonly takes: readonly string[];
}

/**
 * One of the sender's ICE candidates, on the channel instead of its
 * mailbox: the link is up (a random call's waiter's own addresses,
 * PeerLink), and the receiver's hello said it takes them.
 */
export interface CandidateMessage {
  readonly type: 'candidate';
  readonly candidate: {
    readonly candidate: string;
    readonly sdpMid: string | null;
    readonly sdpMLineIndex: number | null;
  };
}

/** "I am leaving this call" (Leave, Next, Stop), sent just before the link closes. */
export interface ByeMessage {
  readonly type: 'bye';
}

/**
 * "Nothing of yours reaches me on this link, though your page answers
 * through signaling: restart ICE." Web clients before 2026-12-05 sent it
 * from the end that does not lead restarts, every 10 s while the silence
 * lasted; clients since rebuild a silent link themselves (Call.onLiveness)
 * and only honour it (Call.restartAsked), for pages of the older release.
 */
export interface RestartMessage {
  readonly type: 'restart';
}

export type ChannelMessage =
  | HeartbeatMessage
  | ChatMessage
  | AckMessage
  | MediaMessage
  | VideoPausedMessage
  | AudioOnlyMessage
  | ByeMessage
  | RestartMessage
  | HelloMessage
  | CandidateMessage;

/** Why a frame was rejected (diagnostics and tests; the page drops it either way). */
export type ChannelFrameError = 'not-text' | 'too-large' | 'not-json' | 'bad-envelope' | 'bad-fields';

export type DecodedFrame =
  /** `message` is null for a well-formed frame of a type or version this page does not know. */
  | { readonly valid: true; readonly message: ChannelMessage | null }
  | { readonly valid: false; readonly error: ChannelFrameError };

/** The wire name of each type. `beat` is what pages sent before the other types existed. */
const WIRE_TYPE = {
  heartbeat: 'beat',
  chat: 'chat',
  ack: 'ack',
  media: 'media',
  'video-paused': 'vpause',
  'audio-only': 'aonly',
  bye: 'bye',
  restart: 'restart',
  hello: 'hello',
  candidate: 'cand',
} as const satisfies Record<ChannelMessage['type'], string>;

/** The frame for `message`. */
export function encodeChannelMessage(message: ChannelMessage): string {
  const envelope = { v: CHANNEL_VERSION, t: WIRE_TYPE[message.type] };
  switch (message.type) {
    case 'chat':
      return JSON.stringify({
        ...envelope,
        id: message.id,
        text: message.text,
        sentAt: message.sentAt,
        ...(message.name === undefined ? {} : { name: message.name }),
      });
    case 'ack':
      return JSON.stringify({ ...envelope, id: message.id });
    case 'media':
      return JSON.stringify({ ...envelope, audio: message.audio, video: message.video, screen: message.screen });
    case 'video-paused':
      return JSON.stringify({ ...envelope, paused: message.paused });
    case 'audio-only':
      return JSON.stringify({ ...envelope, on: message.on });
    case 'hello':
      return JSON.stringify({ ...envelope, takes: message.takes });
    case 'candidate': {
      const { candidate, sdpMid, sdpMLineIndex } = message.candidate;
      return JSON.stringify({ ...envelope, candidate, sdpMid, sdpMLineIndex });
    }
    case 'heartbeat':
    case 'bye':
    case 'restart':
      return JSON.stringify(envelope);
  }
}

/** A received frame (MessageEvent.data), checked. Never throws. */
export function decodeChannelMessage(frame: unknown): DecodedFrame {
  if (typeof frame !== 'string') return invalid('not-text');
  if (frame.length > MAX_FRAME_CHARS) return invalid('too-large');
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame);
  } catch {
    return invalid('not-json');
  }
  if (!isPlainObject(parsed)) return invalid('bad-envelope');
  const t = own(parsed, 't');
  // Pages before this codec sent {"t":"beat"} without a version: version 1.
  const v = own(parsed, 'v') ?? CHANNEL_VERSION;
  if (typeof t !== 'string' || !Number.isSafeInteger(v) || (v as number) < 1) return invalid('bad-envelope');
  if (v !== CHANNEL_VERSION) return { valid: true, message: null };
  const message = decodeFields(t, parsed);
  if (message === undefined) return { valid: true, message: null };
  return message === null ? invalid('bad-fields') : { valid: true, message };
}

/** The message of wire type `t`; null when its fields are wrong; undefined for a type this version does not know. */
function decodeFields(t: string, o: Record<string, unknown>): ChannelMessage | null | undefined {
  switch (t) {
    case WIRE_TYPE.heartbeat:
      return { type: 'heartbeat' };
    case WIRE_TYPE.bye:
      return { type: 'bye' };
    case WIRE_TYPE.restart:
      return { type: 'restart' };
    case WIRE_TYPE.ack: {
      const id = own(o, 'id');
      return isChatId(id) ? { type: 'ack', id } : null;
    }
    case WIRE_TYPE.media: {
      const audio = own(o, 'audio');
      const video = own(o, 'video');
      const screen = own(o, 'screen') ?? null;
      if (typeof audio !== 'boolean' || typeof video !== 'boolean') return null;
      if (screen !== null && (typeof screen !== 'string' || !MID_PATTERN.test(screen))) return null;
      return { type: 'media', audio, video, screen };
    }
    case WIRE_TYPE['video-paused']: {
      const paused = own(o, 'paused');
      return typeof paused === 'boolean' ? { type: 'video-paused', paused } : null;
    }
    case WIRE_TYPE['audio-only']: {
      const on = own(o, 'on');
      return typeof on === 'boolean' ? { type: 'audio-only', on } : null;
    }
    case WIRE_TYPE.hello: {
      const takes = own(o, 'takes');
      if (!Array.isArray(takes) || takes.length > MAX_TAKES) return null;
      const named: string[] = [];
      for (let i = 0; i < takes.length; i++) {
        const take = Object.prototype.hasOwnProperty.call(takes, i) ? (takes[i] as unknown) : undefined;
        if (typeof take !== 'string' || !TAKE_PATTERN.test(take)) return null;
        named.push(take);
      }
      return { type: 'hello', takes: named };
    }
    case WIRE_TYPE.candidate: {
      const candidate = own(o, 'candidate');
      const sdpMid = own(o, 'sdpMid') ?? null;
      const sdpMLineIndex = own(o, 'sdpMLineIndex') ?? null;
      if (typeof candidate !== 'string' || !candidate.startsWith('candidate:')) return null;
      if (candidate.length > MAX_CANDIDATE_CHARS || CONTROL.test(candidate)) return null;
      if (sdpMid !== null && (typeof sdpMid !== 'string' || !MID_PATTERN.test(sdpMid))) return null;
      if (
        sdpMLineIndex !== null &&
        (!Number.isInteger(sdpMLineIndex) || (sdpMLineIndex as number) < 0 || (sdpMLineIndex as number) > 1023)
      )
        return null;
      if (sdpMid === null && sdpMLineIndex === null) return null;
      return { type: 'candidate', candidate: { candidate, sdpMid, sdpMLineIndex: sdpMLineIndex as number | null } };
    }
    case WIRE_TYPE.chat: {
      const id = own(o, 'id');
      const text = own(o, 'text');
      const sentAt = own(o, 'sentAt');
      const name = own(o, 'name');
      if (!isChatId(id) || typeof text !== 'string' || !isChatText(text)) return null;
      if (typeof sentAt !== 'number' || !Number.isFinite(sentAt) || sentAt < 0) return null;
      if (name !== undefined && (typeof name !== 'string' || !isDisplayName(name))) return null;
      return name === undefined ? { type: 'chat', id, text, sentAt } : { type: 'chat', id, text, sentAt, name };
    }
    default:
      return undefined;
  }
}

/** Whether `text` may be a chat message's text: 1 to MAX_CHAT_CHARS code points, not only white space. */
export function isChatText(text: string): boolean {
  return text.trim().length > 0 && codePoints(text) <= MAX_CHAT_CHARS;
}

/** Whether `name` may be a display name: 1 to MAX_NAME_CHARS code points, no control characters, not only white space. */
export function isDisplayName(name: string): boolean {
  return name.trim().length > 0 && codePoints(name) <= MAX_NAME_CHARS && !CONTROL.test(name);
}

/** C0 and C1 control characters, and the bidirectional overrides that could make a name read as something else. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** How many code points `text` has (a pair of surrogates is one). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function isChatId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CHAT_ID_CHARS && !CONTROL.test(id);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field of the frame's own (never one inherited, such as `constructor`). */
function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function invalid(error: ChannelFrameError): DecodedFrame {
  return { valid: false, error };
}

/**
 * Every sentence and label a person reads on the page, in one typed table
 * keyed by the codes the flows, the engine and the server produce: each
 * table is a Record over its code, so a code without words does not
 * compile, and test/unit/web/elements/messages.test.ts checks each has some.
 *
 * Each entry is a function called at render time, with the code's
 * parameters: @lit/localize's `msg` wraps each string where it stands
 * (whole sentences, so that a translation can order its words), and a
 * language change re-renders. Numbers,
 * waits and times are formatted with Intl in the page's language. Pure: no
 * Lit but @lit/localize's msg, no DOM but the page's `lang`; the guide's prose stays in
 * parley-guide.ts, one section per HelpTopic.
 */
import { msg, str } from '@lit/localize';
import { MAX_CALL_MEMBERS, ROOMS, type ReportReason, type RoomCount, type RoomId } from '@parley/functions/protocol';
import type { LinkState } from '../engine/peer-link.js';
import type { RelayProtocol } from '../engine/ice-candidate.js';
import type { FindingId, FindingValue, FindingValueCode } from '../flows/check-findings.js';
import type { LinkCallState, LinkCallStatus } from '../flows/link-call-state.js';
import type { Problem, ProblemCode } from '../flows/problems.js';
import type { RandomChatState, RandomChatStatus } from '../flows/random-chat-state.js';
import type { ModerationNotice } from '../flows/random-chat.js';
import type { Verdict, VerdictCode } from '../flows/verdict.js';
import type { CameraLoss } from './camera-watch.js';

/** What an error or a verdict says: what happened, and what the person can do about it. */
export interface Words {
  readonly message: string;
  readonly hint: string;
}

// ---- Formatting, in the page's language -----------------------------------

/** The page's language (`<html lang>`), or the runtime's default where there is no page (unit tests). */
export function pageLocale(): string | undefined {
  return globalThis.document?.documentElement.lang || undefined;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(pageLocale()).format(n);
}

/** A wait such as "12 sec" or "3 min", rounded up: saying less than the server asked for would fail again. */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const unit = (value: number, name: 'second' | 'minute' | 'hour') =>
    new Intl.NumberFormat(pageLocale(), { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  if (seconds < 90) return unit(seconds, 'second');
  if (seconds < 90 * 60) return unit(Math.ceil(seconds / 60), 'minute');
  return unit(Math.ceil(seconds / 3600), 'hour');
}

/** A moment as a person reads it: the time alone when it is today, else the date too. */
export function formatUntil(until: number, now: number = Date.now()): string {
  const sameDay = new Date(until).toDateString() === new Date(now).toDateString();
  return new Intl.DateTimeFormat(
    pageLocale(),
    sameDay ? { hour: 'numeric', minute: '2-digit' } : { dateStyle: 'medium', timeStyle: 'short' },
  ).format(until);
}

// ---- Problems ----------------------------------------------------------------

/**
 * Where a problem is shown, which the words follow: the button to press
 * again, and who the other person is (a stranger, or someone invited).
 */
export type ProblemPlace = 'random' | 'call' | 'check';

/** The button a problem's hint tells the person to press again. */
const AGAIN: Readonly<Record<ProblemPlace, () => string>> = {
  random: () => msg('Start'),
  call: () => msg('Start'),
  check: () => msg('Check'),
};

type ProblemOf<C extends ProblemCode> = Problem & { readonly code: C };

/** The server's refusal codes (`details.code` of a callable's error) that have words of their own. */
export const REFUSAL_CODES = ['not-in-call', 'contended', 'not-signed-in', 'app-not-verified'] as const;
type WordedRefusal = (typeof REFUSAL_CODES)[number];

function isWordedRefusal(reason: string | null): reason is WordedRefusal {
  return (REFUSAL_CODES as readonly (string | null)[]).includes(reason);
}

/** What those refusals mean to a person; any other is worded as a plain refusal. */
const REFUSAL_WORDS: Readonly<Record<WordedRefusal, (place: ProblemPlace) => Words>> = {
  'not-in-call': () => ({
    message: msg('That call is too long ago to report or block.'),
    hint: msg('Report and Block work during a call and for an hour after it.'),
  }),
  contended: (place) => ({
    message:
      place === 'call'
        ? msg('Many people entered or left this call at the same moment.')
        : msg('Many people pressed Start at the same moment and Parley could not place you.'),
    hint: msg('Try again in a second.'),
  }),
  'not-signed-in': () => ({
    message: msg('You are not signed in.'),
    hint: msg('Parley signs you in anonymously when the page loads: reload the page and try again.'),
  }),
  'app-not-verified': () => ({
    message: msg('This app could not be verified.'),
    hint: msg('Reload the page and try again.'),
  }),
};

const PROBLEM_WORDS: { readonly [C in ProblemCode]: (problem: ProblemOf<C>, place: ProblemPlace) => Words } = {
  'camera-denied': (_, place) => ({
    message: msg('Camera and microphone access was denied.'),
    hint: msg(str`Allow them for this site (the camera icon in the address bar), then press ${AGAIN[place]()} again.`),
  }),
  'no-camera': (_, place) => ({
    message: msg('No camera or microphone was found.'),
    hint: msg(str`Connect a camera and a microphone (or check they are enabled), then press ${AGAIN[place]()} again.`),
  }),
  // NotReadableError: most often another tab or app holds the device (Chrome and Firefox on Windows refuse a second user).
  'camera-busy': (_, place) => ({
    message: msg('The camera or microphone is in use by another tab or app, or could not be started.'),
    hint: msg(
      str`Close other tabs and apps that use the camera (another Parley tab, video calls, recorders), then press ${AGAIN[place]()} again.`,
    ),
  }),
  'insecure-context': () => ({
    message: msg('This page may not use the camera.'),
    hint: msg('Open Parley over https (or http://localhost when running it yourself).'),
  }),
  'media-unknown': (p, place) => ({
    message: msg(str`The camera could not be started (${p.error || msg('unknown error')}).`),
    hint: msg(str`Reload the page and press ${AGAIN[place]()} again; if it persists, try another browser.`),
  }),
  'backend-unreachable': (_, place) => ({
    message: msg("Parley's servers could not be reached."),
    hint: msg(str`Check your internet connection, then press ${AGAIN[place]()} again.`),
  }),
  'rate-limited': (p, place) => ({
    message: msg('Too many requests in a short time.'),
    hint:
      p.retryAfterMs === null
        ? msg(str`Wait a little, then press ${AGAIN[place]()} again.`)
        : msg(str`Wait ${formatWait(p.retryAfterMs)}, then press ${AGAIN[place]()} again.`),
  }),
  banned: (p) => ({
    message:
      p.until === null
        ? msg("You can't meet people on Parley for now.")
        : msg(str`You can't meet people on Parley until ${formatUntil(p.until)}.`),
    hint: msg('Parley suspends people whom several others reported. The suspension ends on its own.'),
  }),
  rejected: (p, place) =>
    isWordedRefusal(p.reason)
      ? REFUSAL_WORDS[p.reason](place)
      : {
          message: msg('Parley refused the request.'),
          hint: msg(str`Wait a moment, then press ${AGAIN[place]()} again. Reloading the page signs you in afresh.`),
        },
  'connection-failed': (_, place) =>
    place === 'call'
      ? {
          message: msg('Could not connect to this person.'),
          hint: msg('A firewall or strict network may block direct connections. Test your connection, or try another network.'),
        }
      : {
          message: msg('Could not connect to the stranger.'),
          hint: msg(
            'A firewall or strict network may block direct connections. Press Next to try someone else, or try another network.',
          ),
        },
  'relay-unreachable': (_, place) => ({
    message: msg('Hide my IP is on, but our relay could not be reached, so the call could not connect.'),
    hint:
      place === 'call'
        ? msg(
            'Test your connection to see what your network blocks, try another network, or turn Hide my IP off (the other person may then see your IP address).',
          )
        : msg(
            'Test your connection to see what your network blocks, try another network, or turn Hide my IP off (the stranger may then see your IP address).',
          ),
  }),
  'connection-lost': (p, place) =>
    p.side === 'ours'
      ? {
          message: msg('Your device went offline, so the call was lost.'),
          hint:
            place === 'call'
              ? msg('Check your Wi-Fi or mobile data, then join again.')
              : msg('Check your Wi-Fi or mobile data, then press Next to meet someone.'),
        }
      : {
          message:
            place === 'call'
              ? msg('The connection to this person was lost, most likely on their side: your device is still online.')
              : msg('The connection to the stranger was lost, most likely on their side: your device is still online.'),
          hint: place === 'call' ? msg('They can join again with the link.') : msg('Press Next to meet someone else.'),
        },
};

/** A problem in words, as `place` shows it. */
export function problemWords(problem: Problem, place: ProblemPlace = 'random'): Words {
  const words = PROBLEM_WORDS[problem.code] as (p: Problem, place: ProblemPlace) => Words;
  return words(problem, place);
}

// ---- Rooms -------------------------------------------------------------------

/** A room's name in its own language (the protocol's): the same in every language of the page. */
function nativeName(room: RoomId): string {
  return ROOMS.find((r) => r.id === room)?.nativeName ?? room;
}

/** Each room's name in the page's language (the picker shows the room's own name, from the protocol). */
export const ROOM_NAMES: Readonly<Record<RoomId, () => string>> = {
  any: () => msg('Anyone'),
  en: () => msg('English'),
  hi: () => msg('Hindi'),
  ta: () => msg('Tamil'),
  te: () => msg('Telugu'),
  ml: () => msg('Malayalam'),
  kn: () => msg('Kannada'),
  bn: () => msg('Bengali'),
  es: () => msg('Spanish'),
  pt: () => msg('Portuguese'),
  us: () => 'USA',
  uk: () => 'UK',
  in: () => msg('India'),
};

/** A room's counts, e.g. "3 waiting · 8 chatting", or "" when it is empty. */
function roomCountLine({ waiting, chatting }: RoomCount): string {
  const parts: string[] = [];
  if (waiting > 0) parts.push(msg(str`${formatNumber(waiting)} waiting`));
  if (chatting > 0) parts.push(msg(str`${formatNumber(chatting)} chatting`));
  return parts.join(' · ');
}

/**
 * The summary under the picker, e.g. "3 waiting · 8 chatting in Tamil".
 * `waitingHere`: the person is waiting in `room` themself, so they are never
 * told nobody is there; the count includes them once it caught up with their
 * Start (a second or two), and until then it shows the others only.
 */
export function roomCountText({ waiting, chatting }: RoomCount, room: RoomId, waitingHere = false): string {
  const name = ROOM_NAMES[room]();
  if (!waitingHere) {
    const line = roomCountLine({ waiting, chatting });
    return line ? msg(str`${line} in ${name}`) : msg('Nobody here right now');
  }
  const others = Math.max(0, waiting - 1);
  const who =
    others === 0
      ? msg(str`You are the only one waiting in ${name}`)
      : others === 1
        ? msg(str`You and 1 other are waiting in ${name}`)
        : msg(str`You and ${formatNumber(others)} others are waiting in ${name}`);
  return chatting > 0 ? msg(str`${who} · ${formatNumber(chatting)} chatting`) : who;
}

/** A room in the picker: its own name, and its counts when known and not zero. */
export function roomOptionLabel(nativeName: string, count: RoomCount | null): string {
  const line = count ? roomCountLine(count) : '';
  return line ? `${nativeName} — ${line}` : nativeName;
}

// ---- Random chat ---------------------------------------------------------------

type RandomStateOf<S extends RandomChatStatus> = RandomChatState & { readonly status: S };

/** One line per random-chat state, for the status bar and screen readers; `room` is the one searched in. */
const RANDOM_CHAT_STATUS: {
  readonly [S in RandomChatStatus]: (state: RandomStateOf<S>, room: RoomId) => string;
} = {
  idle: () => msg('Pick a room and press Start.'),
  'requesting-media': () => msg('Allow the camera and microphone to continue…'),
  'media-error': (s) => problemWords(s.problem).message,
  searching: (s, room) =>
    s.widened
      ? msg(str`No one in ${nativeName(room)} yet — also looking in Anyone…`)
      : s.again
        ? msg('Looking for someone else…')
        : msg('Looking for someone…'),
  connecting: () => msg('Found someone. Connecting…'),
  connected: () => msg('Connected. Say hi!'),
  reconnecting: () => msg('Reconnecting… the connection dropped; trying to get it back.'),
  'partner-left': () => msg('Stranger left. Press Next to meet someone else, or Stop.'),
  failed: (s) => problemWords(s.problem).message,
  'ended-by-you': (s) =>
    s.action === 'report'
      ? msg('Reported. The call is over and you will not be paired with this person again. Press Next to go on.')
      : msg('Blocked. The call is over and you will not be paired with this person again. Press Next to go on.'),
};

export function randomChatStatusText(state: RandomChatState, room: RoomId): string {
  const text = RANDOM_CHAT_STATUS[state.status] as (s: RandomChatState, room: RoomId) => string;
  return text(state, room);
}

/** What the page says about a Report or Block of the last stranger while the person goes on; a failure says its problem. */
const MODERATION_NOTICE: {
  readonly [A in ModerationNotice['action']]: { readonly sending: () => string; readonly done: () => string };
} = {
  report: {
    sending: () => msg('Reporting the last stranger…'),
    done: () => msg('Reported the last stranger. You will not be paired with them again.'),
  },
  block: {
    sending: () => msg('Blocking the last stranger…'),
    done: () => msg('Blocked the last stranger. You will not be paired with them again.'),
  },
};

export function moderationNoticeText(notice: ModerationNotice): string {
  return notice.outcome === 'failed' ? problemWords(notice.problem).message : MODERATION_NOTICE[notice.action][notice.outcome]();
}

/** What each report reason is called on the page. */
export const REASON_LABELS: Readonly<Record<ReportReason, () => string>> = {
  nudity: () => msg('Nudity or sexual content'),
  harassment: () => msg('Harassment or threats'),
  hate: () => msg('Hate speech'),
  underage: () => msg('Seems to be a minor'),
  spam: () => msg('Spam or advertising'),
  other: () => msg('Something else'),
};

/** Whom a Report or Block applies to: the stranger in the call, or the last one after it. */
export type ModerationTarget = 'current' | 'last';

/** The Report and Block buttons, per target. */
export const MODERATION_BUTTON: { readonly [A in 'report' | 'block']: Readonly<Record<ModerationTarget, () => string>> } = {
  report: { current: () => msg('Report'), last: () => msg('Report last stranger') },
  block: { current: () => msg('Block'), last: () => msg('Block last stranger') },
};

/** The Report and Block confirmation, per action and target. */
export const CONFIRM_WORDS: {
  readonly [A in 'report' | 'block']: {
    readonly [T in ModerationTarget]: {
      readonly title: () => string;
      readonly consequence: () => string;
      readonly submit: () => string;
    };
  };
} = {
  report: {
    current: {
      title: () => msg('Report this person?'),
      consequence: () => msg('The call ends at once and you will never be paired again.'),
      submit: () => msg('Report and end call'),
    },
    last: {
      title: () => msg('Report the last stranger?'),
      consequence: () => msg('You will never be paired with them again.'),
      submit: () => msg('Report'),
    },
  },
  block: {
    current: {
      title: () => msg('Block this person?'),
      consequence: () => msg('The call ends at once and you will never be paired again.'),
      submit: () => msg('Block and end call'),
    },
    last: {
      title: () => msg('Block the last stranger?'),
      consequence: () => msg('You will never be paired with them again.'),
      submit: () => msg('Block'),
    },
  },
};

// ---- Calls by link ---------------------------------------------------------------

type LinkCallStateOf<S extends LinkCallStatus> = LinkCallState & { readonly status: S };

/** One line per link-call state; `others` is how many other people are in the call. */
const LINK_CALL_STATUS: {
  readonly [S in LinkCallStatus]: (state: LinkCallStateOf<S>, others: number) => string;
} = {
  idle: () => '',
  creating: () => msg('Allow the camera and microphone, and your call is ready…'),
  checking: () => msg('Looking up this call…'),
  lobby: (s) =>
    s.members === 0
      ? msg('Nobody is in this call right now. Join, and share the link.')
      : msg(str`${formatNumber(s.members)} of ${formatNumber(s.capacity)} in this call. Press Join when you are ready.`),
  joining: (s) => (s.again ? msg('You were away for a while — joining the call again…') : msg('Joining…')),
  'in-call': (_, others) =>
    others === 0
      ? msg('Waiting for others — share this link.')
      : others === 1
        ? msg(str`In the call with 1 person (${formatNumber(others + 1)} of ${formatNumber(MAX_CALL_MEMBERS)}).`)
        : msg(
            str`In the call with ${formatNumber(others)} people (${formatNumber(others + 1)} of ${formatNumber(MAX_CALL_MEMBERS)}).`,
          ),
  full: (s) => msg(str`This call is full (${formatNumber(s.members)} of ${formatNumber(s.capacity)}).`),
  ended: () => msg('This call has ended.'),
  left: () => msg('You left the call.'),
  'media-error': (s) => problemWords(s.problem, 'call').message,
  failed: (s) => problemWords(s.problem, 'call').message,
};

export function linkCallStatusText(state: LinkCallState, others: number): string {
  const text = LINK_CALL_STATUS[state.status] as (s: LinkCallState, others: number) => string;
  return text(state, others);
}

/** How a tile says its link is doing. */
export const TILE_STATE: Readonly<Record<LinkState, () => string>> = {
  connecting: () => msg('Connecting…'),
  connected: () => msg('Connected'),
  interrupted: () => msg('Reconnecting…'),
  failed: () => msg('Connection failed'),
  lost: () => msg('Connection lost'),
  closed: () => msg('Left'),
};

/**
 * A tile's caption: who (as the chat names them) and, until their link is
 * up or when it is in trouble, how it is doing. A connected tile says only
 * the name: "Connected" under every face said nothing.
 */
export function tileCaption(name: string, state: LinkState): string {
  return state === 'connected' ? name : `${name} · ${TILE_STATE[state]()}`;
}

/**
 * A member of a call by link as the page names them everywhere (tile,
 * chat, announcements): the number, and a chosen name beside it, since a
 * chosen name is the member's own claim and two people could choose one.
 */
export function memberName(n: number, chosen: string | null): string {
  return chosen === null ? guestName(n) : `${chosen} (${guestName(n)})`;
}

/** Said (to screen readers) when someone comes into the call or goes. */
export function memberJoinedText(name: string): string {
  return msg(str`${name} joined the call.`);
}

export function memberLeftText(name: string): string {
  return msg(str`${name} left the call.`);
}

// ---- In the call ----------------------------------------------------------------------

/** A member of a call by link, by number: the same words on their tile and in the chat. */
export function guestName(n: number): string {
  return msg(str`Guest ${formatNumber(n)}`);
}

/** The caption of the screen shown large: member `n`'s, or (null) our own. */
export function screenCaption(n: number | null): string {
  return n === null ? msg('Your screen, as the others see it') : msg(str`${guestName(n)}'s screen`);
}

// ---- The connection check ----------------------------------------------------------

type VerdictOf<C extends VerdictCode> = Verdict & { readonly code: C };

const VERDICT_WORDS: { readonly [C in VerdictCode]: (verdict: VerdictOf<C>) => Words } = {
  ready: () => ({
    message: msg('Your connection is ready for calls.'),
    hint: msg('Direct connections work, and our relay is there for people on strict networks.'),
  }),
  'relay-only': () => ({
    message: msg('Your network blocks direct connections; calls will go through our relay.'),
    hint: msg('That works: the video takes a detour through our server, which may add a little delay.'),
  }),
  'no-stun': () => ({
    message: msg('Calls will connect: directly on this network, and through our relay beyond it.'),
    hint: msg('No STUN server is set up here, so the check cannot tell whether direct connections reach beyond this network.'),
  }),
  'udp-blocked': () => ({
    message: msg('Your network blocks UDP, the quick way video travels; calls will go through our relay over TCP.'),
    hint: msg(
      'Calls will work, but may lag or stutter. Another network (mobile data, home Wi-Fi) or turning off a VPN may help.',
    ),
  }),
  'no-relay': (v) => ({
    message: v.relaySetUp
      ? msg('Direct connections work, but our relay could not be reached, so calls may fail on strict networks.')
      : msg('Direct connections work, but no relay is set up here, so calls may fail on strict networks.'),
    hint: msg(
      'Most calls will connect. One with someone behind a strict firewall (some offices, schools, mobile networks) may not.',
    ),
  }),
  'host-only': (v) =>
    v.serversSetUp
      ? {
          message: msg('Your device could not reach our connection servers, so calls to other networks will fail.'),
          hint: msg('You may be offline, or a firewall or VPN blocks them. Check your connection, or try another network.'),
        }
      : {
          message: msg("Only this device's own addresses were found: no connection servers (STUN or TURN) are set up here."),
          hint: msg(
            'Calls will connect between tabs and devices on this network, not beyond it. Expected when running Parley locally.',
          ),
        },
  'no-network': () => ({
    message: msg('Your browser found no network address to call from.'),
    hint: msg(
      'You may be offline, or a browser setting or extension blocks WebRTC. Check your connection, or try another browser.',
    ),
  }),
  'no-camera': (v) => ({
    message: msg('Your microphone works, but the camera could not be used, and Parley needs both for a call.'),
    hint: v.busy
      ? msg('Close other apps or tabs that use the camera, then press Check again.')
      : msg('Connect a camera (or check it is switched on and allowed for this site), then press Check again.'),
  }),
  'no-microphone': (v) => ({
    message: msg('Your camera works, but the microphone could not be used, and Parley needs both for a call.'),
    hint: v.busy
      ? msg('Close other apps or tabs that use the microphone, then press Check again.')
      : msg('Connect a microphone or headset (or check it is switched on and allowed for this site), then press Check again.'),
  }),
  'no-media': (v) =>
    v.problem
      ? problemWords(v.problem, 'check')
      : { message: msg('The camera and microphone could not be used.'), hint: msg('Parley needs both for a call.') },
  'check-failed': (v) => {
    const why = problemWords(v.problem, 'check');
    return { message: msg(str`The check could not finish. ${why.message}`), hint: why.hint };
  },
  'old-browser': () => ({
    message: msg('This browser cannot make video calls (it has no WebRTC).'),
    hint: msg('Open Parley in a current Chrome, Edge, Firefox or Safari.'),
  }),
};

export function verdictWords(verdict: Verdict): Words {
  const words = VERDICT_WORDS[verdict.code] as (v: Verdict) => Words;
  return words(verdict);
}

/** What each row of the check's list is about. */
export const FINDING_LABELS: Readonly<Record<FindingId, () => string>> = {
  camera: () => msg('Camera'),
  microphone: () => msg('Microphone'),
  host: () => msg("This device's own addresses"),
  srflx: () => msg('Public address, for direct connections'),
  relay: () => msg('Our relay (TURN), for strict networks'),
  udp: () => msg('UDP, the quick way video travels'),
  rtt: () => msg('Round trip to the relay'),
};

const RELAY_PROTOCOL_NAMES: Readonly<Record<RelayProtocol, string>> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

type FindingValueOf<C extends FindingValueCode> = FindingValue & { readonly code: C };

/** What the check found for a row. */
const FINDING_VALUES: { readonly [C in FindingValueCode]: (value: FindingValueOf<C>) => string } = {
  checking: () => msg('Checking…'),
  works: () => msg('Works'),
  'not-available': () => msg('Not available'),
  looking: () => msg('Looking…'),
  found: () => msg('Found'),
  none: () => msg('None'),
  'not-found': () => msg('Not found'),
  'no-stun': () => msg('No STUN server set up'),
  'own-address': () => msg("This device's own (no NAT)"),
  reached: (v) => msg(str`Reached over ${v.over.map((p) => RELAY_PROTOCOL_NAMES[p]).join(', ') || msg('the network')}`),
  'not-reached': () => msg('Not reached'),
  'no-relay': () => msg('No relay set up'),
  'udp-open': () => msg('Gets through'),
  'udp-blocked': () => msg('Blocked'),
  'udp-unknown': () => msg('Could not tell'),
  measuring: () => msg('Measuring…'),
  rtt: (v) => `${formatNumber(Math.round(v.ms))} ms`,
  'not-measured': () => msg('Could not measure'),
};

export function findingValueText(value: FindingValue): string {
  const text = FINDING_VALUES[value.code] as (v: FindingValue) => string;
  return text(value);
}

// ---- The page's own camera, lost during a call ------------------------------

/** The camera stopped giving pictures without Parley turning it off (camera-watch.ts). */
export function cameraLossText(loss: CameraLoss, place: 'random' | 'call'): string {
  if (loss === 'paused')
    return msg('Your camera is paused: another tab or app is using it. Your picture comes back once it is free.');
  return place === 'random'
    ? msg(
        'Your camera stopped: another tab or app took it, or it was unplugged. Close the other one, then press Stop, then Start again.',
      )
    : msg(
        'Your camera stopped: another tab or app took it, or it was unplugged. Close the other one, then press Leave, then Join again.',
      );
}

// ---- Buttons, labels and headings ---------------------------------------------------

export const LABELS = {
  brand: () => 'Parley',
  privateCall: () => msg('Private call'),
  hideMyIp: () => msg('Hide my IP'),
  hideMyIpTitle: () =>
    msg("Calls go through Parley's relay: the other person sees its address, not yours. Applies to your next call."),
  hideMyIpOn: () => msg('On: calls go through our relay, so the other person sees its address, not your IP.'),
  hideMyIpOff: () => msg('Off: the other person can see your IP address.'),
  hideMyIpNextCall: () => msg('A change applies from your next call.'),
  audioOnly: () => msg('Audio only'),
  audioOnlyTitle: () =>
    msg('No video is sent or received: the call uses about a tenth of the data. Applies at once, to this call too.'),
  dataSaver: () => msg('Data saver'),
  dataSaverTitle: () =>
    msg('Sends smaller video (320×240, 15 frames a second at most): about 140 MB an hour instead of 700. Applies at once.'),
  room: () => msg('Room'),
  widen: () => msg('If this room is quiet, also look in Anyone'),
  start: () => msg('Start'),
  next: () => msg('Next'),
  stop: () => msg('Stop'),
  reason: () => msg('Reason'),
  cancel: () => msg('Cancel'),
  testConnection: () => msg('Test my connection'),
  whatCanIDo: () => msg('What can I do?'),
  whatDoesThisMean: () => msg('What does this mean?'),
  helpWithProblems: () => msg('Help with problems'),
  back: () => msg('Back'),
  checkAgain: () => msg('Check again'),
  checking: () => msg('Checking your camera, microphone and network… this takes up to 10 seconds.'),
  startingCamera: () => msg('Starting the camera…'),
  noCameraPicture: () => msg('No camera picture'),
  microphone: () => msg('Microphone'),
  saySomething: () => msg('Say something: the bar should move.'),
  itDoesNot: () => msg("It doesn't?"),
  whatTheCheckFound: () => msg('What the check found'),
  join: () => msg('Join'),
  joinAgain: () => msg('Join again'),
  leave: () => msg('Leave'),
  tryAgain: () => msg('Try again'),
  newPrivateCall: () => msg('Start a new private call'),
  randomChat: () => msg('Random chat'),
  callLink: () => msg('Link to this call'),
  copy: () => msg('Copy'),
  copied: () => msg('Copied'),
  you: () => msg('You'),
  cannotCall: () => msg('This browser cannot make video calls'),
  cannotCallWhy: () =>
    msg('Parley needs WebRTC, the part of a browser that makes video calls, and this browser does not have it.'),
  cannotCallWhatToUse: () => msg('Open Parley in a current Chrome, Edge, Firefox or Safari.'),
  cannotCallInApp: () =>
    msg('If you opened this link inside another app (a chat or social app), open it in your browser instead.'),
  moreAboutThis: () => msg('More about this'),
  tapToUnmute: () => msg('Tap to unmute'),
  stranger: () => msg('Stranger'),
  devices: () => msg('Camera and microphone'),
  close: () => msg('Close'),
  cameraOff: () => msg('Camera off'),
  /** Our camera is withheld by screening (features/screening.ts): the stranger sees a plain picture instead. */
  screeningPaused: () =>
    msg('Your video is paused: it may show nudity. It resumes by itself once your camera has shown none for a few seconds.'),
  microphoneOff: () => msg('Microphone off'),
  /** Their video is blurred by screening on this page (features/screening-incoming.ts). */
  screenedIncoming: () => msg('This video is blurred: it may show nudity.'),
  showAnyway: () => msg('Show anyway'),
  /** Calls by link: the person's own choice, kept on the device (in random chats their camera is always screened). */
  screenMyCamera: () => msg('Check my video for nudity before it is sent'),
  /** Calls by link: the call's setting, which its creator alone may change (for everyone in the call). */
  screenTheirVideo: () => msg('Blur video that may show nudity, for everyone in this call'),
  screenTheirVideoCreatorOnly: () => msg('Only the person who made this call can change this.'),
  /** Shown in a call by link whose creator turned screening of incoming video off. */
  screeningOffInCall: () => msg('Video in this call is not checked for nudity: the person who made it turned that off.'),
} as const satisfies Readonly<Record<string, () => string>>;

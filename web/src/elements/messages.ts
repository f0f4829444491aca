/**
 * Every sentence and label a person reads on the page, in one typed table
 * keyed by the codes the flows, the engine and the server produce: each
 * table is a Record over its code, so a code without words does not
 * compile, and test/unit/web/elements/messages.test.ts checks each has some.
 *
 * Each entry is a function called at render time, with the code's
 * parameters: a translation tool (@lit/localize's `msg`, issue 23) wraps
 * each string where it stands, and a language change re-renders. Numbers,
 * waits and times are formatted with Intl in the page's language. Pure: no
 * Lit, no DOM but the page's `lang`; the guide's prose stays in
 * parley-guide.ts, one section per HelpTopic.
 */
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
  random: () => 'Start',
  call: () => 'Start',
  check: () => 'Check',
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
    message: 'That call is too long ago to report or block.',
    hint: 'Report and Block work during a call and for an hour after it.',
  }),
  contended: (place) => ({
    message:
      place === 'call'
        ? 'Many people entered or left this call at the same moment.'
        : 'Many people pressed Start at the same moment and Parley could not place you.',
    hint: 'Try again in a second.',
  }),
  'not-signed-in': () => ({
    message: 'You are not signed in.',
    hint: 'Parley signs you in anonymously when the page loads: reload the page and try again.',
  }),
  'app-not-verified': () => ({
    message: 'This app could not be verified.',
    hint: 'Reload the page and try again.',
  }),
};

const PROBLEM_WORDS: { readonly [C in ProblemCode]: (problem: ProblemOf<C>, place: ProblemPlace) => Words } = {
  'camera-denied': (_, place) => ({
    message: 'Camera and microphone access was denied.',
    hint: `Allow them for this site (the camera icon in the address bar), then press ${AGAIN[place]()} again.`,
  }),
  'no-camera': (_, place) => ({
    message: 'No camera or microphone was found.',
    hint: `Connect a camera and a microphone (or check they are enabled), then press ${AGAIN[place]()} again.`,
  }),
  // NotReadableError: most often another tab or app holds the device (Chrome and Firefox on Windows refuse a second user).
  'camera-busy': (_, place) => ({
    message: 'The camera or microphone is in use by another tab or app, or could not be started.',
    hint: `Close other tabs and apps that use the camera (another Parley tab, video calls, recorders), then press ${AGAIN[place]()} again.`,
  }),
  'insecure-context': () => ({
    message: 'This page may not use the camera.',
    hint: 'Open Parley over https (or http://localhost when running it yourself).',
  }),
  'media-unknown': (p, place) => ({
    message: `The camera could not be started (${p.error || 'unknown error'}).`,
    hint: `Reload the page and press ${AGAIN[place]()} again; if it persists, try another browser.`,
  }),
  'backend-unreachable': (_, place) => ({
    message: "Parley's servers could not be reached.",
    hint: `Check your internet connection, then press ${AGAIN[place]()} again.`,
  }),
  'rate-limited': (p, place) => ({
    message: 'Too many requests in a short time.',
    hint:
      p.retryAfterMs === null
        ? `Wait a little, then press ${AGAIN[place]()} again.`
        : `Wait ${formatWait(p.retryAfterMs)}, then press ${AGAIN[place]()} again.`,
  }),
  banned: (p) => ({
    message:
      p.until === null
        ? "You can't meet people on Parley for now."
        : `You can't meet people on Parley until ${formatUntil(p.until)}.`,
    hint: 'Parley suspends people whom several others reported. The suspension ends on its own.',
  }),
  rejected: (p, place) =>
    isWordedRefusal(p.reason)
      ? REFUSAL_WORDS[p.reason](place)
      : {
          message: 'Parley refused the request.',
          hint: `Wait a moment, then press ${AGAIN[place]()} again. Reloading the page signs you in afresh.`,
        },
  'connection-failed': (_, place) =>
    place === 'call'
      ? {
          message: 'Could not connect to this person.',
          hint: 'A firewall or strict network may block direct connections. Test your connection, or try another network.',
        }
      : {
          message: 'Could not connect to the stranger.',
          hint: 'A firewall or strict network may block direct connections. Press Next to try someone else, or try another network.',
        },
  'relay-unreachable': (_, place) => ({
    message: 'Hide my IP is on, but our relay could not be reached, so the call could not connect.',
    hint: `Test your connection to see what your network blocks, try another network, or turn Hide my IP off (${
      place === 'call' ? 'the other person' : 'the stranger'
    } may then see your IP address).`,
  }),
  'connection-lost': (p, place) =>
    p.side === 'ours'
      ? {
          message: 'Your device went offline, so the call was lost.',
          hint:
            place === 'call'
              ? 'Check your Wi-Fi or mobile data, then join again.'
              : 'Check your Wi-Fi or mobile data, then press Next to meet someone.',
        }
      : {
          message: `The connection to ${place === 'call' ? 'this person' : 'the stranger'} was lost, most likely on their side: your device is still online.`,
          hint: place === 'call' ? 'They can join again with the link.' : 'Press Next to meet someone else.',
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
  any: () => 'Anyone',
  en: () => 'English',
  hi: () => 'Hindi',
  ta: () => 'Tamil',
  te: () => 'Telugu',
  ml: () => 'Malayalam',
  kn: () => 'Kannada',
  bn: () => 'Bengali',
  es: () => 'Spanish',
  pt: () => 'Portuguese',
  us: () => 'USA',
  uk: () => 'UK',
  in: () => 'India',
};

/** A room's counts, e.g. "3 waiting · 8 chatting", or "" when it is empty. */
function roomCountLine({ waiting, chatting }: RoomCount): string {
  const parts: string[] = [];
  if (waiting > 0) parts.push(`${formatNumber(waiting)} waiting`);
  if (chatting > 0) parts.push(`${formatNumber(chatting)} chatting`);
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
    return line ? `${line} in ${name}` : 'Nobody here right now';
  }
  const others = Math.max(0, waiting - 1);
  const who =
    others === 0
      ? `You are the only one waiting in ${name}`
      : `You and ${formatNumber(others)} ${others === 1 ? 'other' : 'others'} are waiting in ${name}`;
  return chatting > 0 ? `${who} · ${formatNumber(chatting)} chatting` : who;
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
  idle: () => 'Pick a room and press Start.',
  'requesting-media': () => 'Allow the camera and microphone to continue…',
  'media-error': (s) => problemWords(s.problem).message,
  searching: (s, room) =>
    s.widened
      ? `No one in ${nativeName(room)} yet — also looking in Anyone…`
      : s.again
        ? 'Looking for someone else…'
        : 'Looking for someone…',
  connecting: () => 'Found someone. Connecting…',
  connected: () => 'Connected. Say hi!',
  reconnecting: () => 'Reconnecting… the connection dropped; trying to get it back.',
  'partner-left': () => 'Stranger left. Press Next to meet someone else, or Stop.',
  failed: (s) => problemWords(s.problem).message,
  'ended-by-you': (s) =>
    s.action === 'report'
      ? 'Reported. The call is over and you will not be paired with this person again. Press Next to go on.'
      : 'Blocked. The call is over and you will not be paired with this person again. Press Next to go on.',
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
    sending: () => 'Reporting the last stranger…',
    done: () => 'Reported the last stranger. You will not be paired with them again.',
  },
  block: {
    sending: () => 'Blocking the last stranger…',
    done: () => 'Blocked the last stranger. You will not be paired with them again.',
  },
};

export function moderationNoticeText(notice: ModerationNotice): string {
  return notice.outcome === 'failed' ? problemWords(notice.problem).message : MODERATION_NOTICE[notice.action][notice.outcome]();
}

/** What each report reason is called on the page. */
export const REASON_LABELS: Readonly<Record<ReportReason, () => string>> = {
  nudity: () => 'Nudity or sexual content',
  harassment: () => 'Harassment or threats',
  hate: () => 'Hate speech',
  underage: () => 'Seems to be a minor',
  spam: () => 'Spam or advertising',
  other: () => 'Something else',
};

/** Whom a Report or Block applies to: the stranger in the call, or the last one after it. */
export type ModerationTarget = 'current' | 'last';

/** The Report and Block buttons, per target. */
export const MODERATION_BUTTON: { readonly [A in 'report' | 'block']: Readonly<Record<ModerationTarget, () => string>> } = {
  report: { current: () => 'Report', last: () => 'Report last stranger' },
  block: { current: () => 'Block', last: () => 'Block last stranger' },
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
      title: () => 'Report this person?',
      consequence: () => 'The call ends at once and you will never be paired again.',
      submit: () => 'Report and end call',
    },
    last: {
      title: () => 'Report the last stranger?',
      consequence: () => 'You will never be paired with them again.',
      submit: () => 'Report',
    },
  },
  block: {
    current: {
      title: () => 'Block this person?',
      consequence: () => 'The call ends at once and you will never be paired again.',
      submit: () => 'Block and end call',
    },
    last: {
      title: () => 'Block the last stranger?',
      consequence: () => 'You will never be paired with them again.',
      submit: () => 'Block',
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
  creating: () => 'Allow the camera and microphone, and your call is ready…',
  checking: () => 'Looking up this call…',
  lobby: (s) =>
    s.members === 0
      ? 'Nobody is in this call right now. Join, and share the link.'
      : `${formatNumber(s.members)} of ${formatNumber(s.capacity)} in this call. Press Join when you are ready.`,
  joining: (s) => (s.again ? 'You were away for a while — joining the call again…' : 'Joining…'),
  'in-call': (_, others) =>
    others === 0
      ? 'Waiting for others — share this link.'
      : `In the call with ${formatNumber(others)} ${others === 1 ? 'person' : 'people'} (${formatNumber(others + 1)} of ${formatNumber(MAX_CALL_MEMBERS)}).`,
  full: (s) => `This call is full (${formatNumber(s.members)} of ${formatNumber(s.capacity)}).`,
  ended: () => 'This call has ended.',
  left: () => 'You left the call.',
  'media-error': (s) => problemWords(s.problem, 'call').message,
  failed: (s) => problemWords(s.problem, 'call').message,
};

export function linkCallStatusText(state: LinkCallState, others: number): string {
  const text = LINK_CALL_STATUS[state.status] as (s: LinkCallState, others: number) => string;
  return text(state, others);
}

/** How a tile says its link is doing. */
export const TILE_STATE: Readonly<Record<LinkState, () => string>> = {
  connecting: () => 'Connecting…',
  connected: () => 'Connected',
  interrupted: () => 'Reconnecting…',
  failed: () => 'Connection failed',
  lost: () => 'Connection lost',
  closed: () => 'Left',
};

/** A tile's caption: who (numbered in join order, as in the chat) and how their link is doing. */
export function tileCaption(n: number, state: LinkState): string {
  return `${guestName(n)} · ${TILE_STATE[state]()}`;
}

// ---- In the call ----------------------------------------------------------------------

/** A member of a call by link, by number: the same words on their tile and in the chat. */
export function guestName(n: number): string {
  return `Guest ${formatNumber(n)}`;
}

/** The caption of the screen shown large: member `n`'s, or (null) our own. */
export function screenCaption(n: number | null): string {
  return n === null ? 'Your screen, as the others see it' : `${guestName(n)}'s screen`;
}

// ---- The connection check ----------------------------------------------------------

type VerdictOf<C extends VerdictCode> = Verdict & { readonly code: C };

const VERDICT_WORDS: { readonly [C in VerdictCode]: (verdict: VerdictOf<C>) => Words } = {
  ready: () => ({
    message: 'Your connection is ready for calls.',
    hint: 'Direct connections work, and our relay is there for people on strict networks.',
  }),
  'relay-only': () => ({
    message: 'Your network blocks direct connections; calls will go through our relay.',
    hint: 'That works: the video takes a detour through our server, which may add a little delay.',
  }),
  'no-stun': () => ({
    message: 'Calls will connect: directly on this network, and through our relay beyond it.',
    hint: 'No STUN server is set up here, so the check cannot tell whether direct connections reach beyond this network.',
  }),
  'udp-blocked': () => ({
    message: 'Your network blocks UDP, the quick way video travels; calls will go through our relay over TCP.',
    hint: 'Calls will work, but may lag or stutter. Another network (mobile data, home Wi-Fi) or turning off a VPN may help.',
  }),
  'no-relay': (v) => ({
    message: v.relaySetUp
      ? 'Direct connections work, but our relay could not be reached, so calls may fail on strict networks.'
      : 'Direct connections work, but no relay is set up here, so calls may fail on strict networks.',
    hint: 'Most calls will connect. One with someone behind a strict firewall (some offices, schools, mobile networks) may not.',
  }),
  'host-only': (v) =>
    v.serversSetUp
      ? {
          message: 'Your device could not reach our connection servers, so calls to other networks will fail.',
          hint: 'You may be offline, or a firewall or VPN blocks them. Check your connection, or try another network.',
        }
      : {
          message: "Only this device's own addresses were found: no connection servers (STUN or TURN) are set up here.",
          hint: 'Calls will connect between tabs and devices on this network, not beyond it. Expected when running Parley locally.',
        },
  'no-network': () => ({
    message: 'Your browser found no network address to call from.',
    hint: 'You may be offline, or a browser setting or extension blocks WebRTC. Check your connection, or try another browser.',
  }),
  'no-camera': (v) => ({
    message: 'Your microphone works, but the camera could not be used, and Parley needs both for a call.',
    hint: v.busy
      ? 'Close other apps or tabs that use the camera, then press Check again.'
      : 'Connect a camera (or check it is switched on and allowed for this site), then press Check again.',
  }),
  'no-microphone': (v) => ({
    message: 'Your camera works, but the microphone could not be used, and Parley needs both for a call.',
    hint: v.busy
      ? 'Close other apps or tabs that use the microphone, then press Check again.'
      : 'Connect a microphone or headset (or check it is switched on and allowed for this site), then press Check again.',
  }),
  'no-media': (v) =>
    v.problem
      ? problemWords(v.problem, 'check')
      : { message: 'The camera and microphone could not be used.', hint: 'Parley needs both for a call.' },
  'check-failed': (v) => {
    const why = problemWords(v.problem, 'check');
    return { message: `The check could not finish. ${why.message}`, hint: why.hint };
  },
  'old-browser': () => ({
    message: 'This browser cannot make video calls (it has no WebRTC).',
    hint: 'Open Parley in a current Chrome, Edge, Firefox or Safari.',
  }),
};

export function verdictWords(verdict: Verdict): Words {
  const words = VERDICT_WORDS[verdict.code] as (v: Verdict) => Words;
  return words(verdict);
}

/** What each row of the check's list is about. */
export const FINDING_LABELS: Readonly<Record<FindingId, () => string>> = {
  camera: () => 'Camera',
  microphone: () => 'Microphone',
  host: () => "This device's own addresses",
  srflx: () => 'Public address, for direct connections',
  relay: () => 'Our relay (TURN), for strict networks',
  udp: () => 'UDP, the quick way video travels',
  rtt: () => 'Round trip to the relay',
};

const RELAY_PROTOCOL_NAMES: Readonly<Record<RelayProtocol, string>> = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' };

type FindingValueOf<C extends FindingValueCode> = FindingValue & { readonly code: C };

/** What the check found for a row. */
const FINDING_VALUES: { readonly [C in FindingValueCode]: (value: FindingValueOf<C>) => string } = {
  checking: () => 'Checking…',
  works: () => 'Works',
  'not-available': () => 'Not available',
  looking: () => 'Looking…',
  found: () => 'Found',
  none: () => 'None',
  'not-found': () => 'Not found',
  'no-stun': () => 'No STUN server set up',
  'own-address': () => "This device's own (no NAT)",
  reached: (v) => `Reached over ${v.over.map((p) => RELAY_PROTOCOL_NAMES[p]).join(', ') || 'the network'}`,
  'not-reached': () => 'Not reached',
  'no-relay': () => 'No relay set up',
  'udp-open': () => 'Gets through',
  'udp-blocked': () => 'Blocked',
  'udp-unknown': () => 'Could not tell',
  measuring: () => 'Measuring…',
  rtt: (v) => `${formatNumber(Math.round(v.ms))} ms`,
  'not-measured': () => 'Could not measure',
};

export function findingValueText(value: FindingValue): string {
  const text = FINDING_VALUES[value.code] as (v: FindingValue) => string;
  return text(value);
}

// ---- The page's own camera, lost during a call ------------------------------

/** What to press to get the camera back, by page. */
const RESTART_CAMERA: Readonly<Record<'random' | 'call', () => string>> = {
  random: () => 'press Stop, then Start again',
  call: () => 'press Leave, then Join again',
};

/** The camera stopped giving pictures without Parley turning it off (camera-watch.ts). */
export function cameraLossText(loss: CameraLoss, place: 'random' | 'call'): string {
  return loss === 'paused'
    ? 'Your camera is paused: another tab or app is using it. Your picture comes back once it is free.'
    : `Your camera stopped: another tab or app took it, or it was unplugged. Close the other one, then ${RESTART_CAMERA[place]()}.`;
}

// ---- Buttons, labels and headings ---------------------------------------------------

export const LABELS = {
  brand: () => 'Parley',
  privateCall: () => 'Private call',
  hideMyIp: () => 'Hide my IP',
  hideMyIpTitle: () =>
    "Calls go through Parley's relay: the other person sees its address, not yours. Applies to your next call.",
  audioOnly: () => 'Audio only',
  audioOnlyTitle: () =>
    'No video is sent or received: the call uses about a tenth of the data. Applies at once, to this call too.',
  dataSaver: () => 'Data saver',
  dataSaverTitle: () =>
    'Sends smaller video (320×240, 15 frames a second at most): about 140 MB an hour instead of 700. Applies at once.',
  room: () => 'Room',
  widen: () => 'If this room is quiet, also look in Anyone',
  start: () => 'Start',
  next: () => 'Next',
  stop: () => 'Stop',
  reason: () => 'Reason',
  cancel: () => 'Cancel',
  testConnection: () => 'Test my connection',
  whatCanIDo: () => 'What can I do?',
  whatDoesThisMean: () => 'What does this mean?',
  helpWithProblems: () => 'Help with problems',
  back: () => 'Back',
  checkAgain: () => 'Check again',
  checking: () => 'Checking your camera, microphone and network… this takes up to 10 seconds.',
  startingCamera: () => 'Starting the camera…',
  noCameraPicture: () => 'No camera picture',
  microphone: () => 'Microphone',
  saySomething: () => 'Say something: the bar should move.',
  itDoesNot: () => "It doesn't?",
  whatTheCheckFound: () => 'What the check found',
  join: () => 'Join',
  joinAgain: () => 'Join again',
  leave: () => 'Leave',
  tryAgain: () => 'Try again',
  newPrivateCall: () => 'Start a new private call',
  randomChat: () => 'Random chat',
  callLink: () => 'Link to this call',
  copy: () => 'Copy',
  copied: () => 'Copied',
  you: () => 'You',
  cannotCall: () => 'This browser cannot make video calls',
  cannotCallWhy: () => 'Parley needs WebRTC, the part of a browser that makes video calls, and this browser does not have it.',
  cannotCallWhatToUse: () => 'Open Parley in a current Chrome, Edge, Firefox or Safari.',
  cannotCallInApp: () => 'If you opened this link inside another app (a chat or social app), open it in your browser instead.',
  moreAboutThis: () => 'More about this',
  tapToUnmute: () => 'Tap to unmute',
  stranger: () => 'Stranger',
  devices: () => 'Camera and microphone',
  cameraOff: () => 'Camera off',
  /** Our camera is withheld by screening (features/screening.ts): the stranger sees a plain picture instead. */
  screeningPaused: () =>
    'Your video is paused: it may show nudity. It resumes by itself once your camera has shown none for a few seconds.',
  microphoneOff: () => 'Microphone off',
  /** Their video is blurred by screening on this page (features/screening-incoming.ts). */
  screenedIncoming: () => 'This video is blurred: it may show nudity.',
  showAnyway: () => 'Show anyway',
} as const satisfies Readonly<Record<string, () => string>>;

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
import { ROOMS, type RoomCount, type RoomId } from '@parley/functions/protocol';
import type { Problem, ProblemCode } from '../flows/problems.js';
import type { RandomChatState, RandomChatStatus } from '../flows/random-chat-state.js';
import type { ModerationNotice } from '../flows/random-chat.js';
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

/** Whom a Report or Block applies to: the stranger in the call, or the last one after it. */
export type ModerationTarget = 'current' | 'last';

/** The Report and Block buttons, per target. */
export const MODERATION_BUTTON: { readonly [A in 'report' | 'block']: Readonly<Record<ModerationTarget, () => string>> } = {
  report: { current: () => msg('Report'), last: () => msg('Report last stranger') },
  block: { current: () => msg('Block'), last: () => msg('Block last stranger') },
};

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
  testConnection: () => msg('Test my connection'),
  whatCanIDo: () => msg('What can I do?'),
  helpWithProblems: () => msg('Help with problems'),
  back: () => msg('Back'),
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
} as const satisfies Readonly<Record<string, () => string>>;

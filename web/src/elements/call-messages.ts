/**
 * The words of a call by link (its states, its tiles, its members): a table
 * beside messages.ts, typed the same way and checked by the same test, kept
 * apart only so that it loads with the call page (and the in-call chunk,
 * which names members in the chat) instead of with random chat before Start
 * (docs/PERFORMANCE.md). Pure, like messages.ts.
 */
import { msg, str } from '@lit/localize';
import { MAX_CALL_MEMBERS } from '@parley/functions/protocol';
import type { LinkState } from '../engine/peer-link.js';
import type { LinkCallState, LinkCallStatus } from '../flows/link-call-state.js';
import { formatNumber, problemWords } from './messages.js';

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

/** A member of a call by link, by number: the same words on their tile and in the chat. */
export function guestName(n: number): string {
  return msg(str`Guest ${formatNumber(n)}`);
}

/** The caption of the screen shown large: member `n`'s, or (null) our own. */
export function screenCaption(n: number | null): string {
  return n === null ? msg('Your screen, as the others see it') : msg(str`${guestName(n)}'s screen`);
}

/** The call page's labels and sentences (the shared ones are messages.ts's LABELS). */
export const CALL_LABELS = {
  join: () => msg('Join'),
  joinAgain: () => msg('Join again'),
  leave: () => msg('Leave'),
  tryAgain: () => msg('Try again'),
  newPrivateCall: () => msg('Start a new private call'),
  randomChat: () => msg('Random chat'),
  callLink: () => msg('Link to this call'),
  copy: () => msg('Copy'),
  copied: () => msg('Copied'),
  /** Calls by link: the person's own choice, kept on the device (in random chats their camera is always screened). */
  screenMyCamera: () => msg('Check my video for nudity before it is sent'),
  /** Calls by link: the call's setting, which its creator alone may change (for everyone in the call). */
  screenTheirVideo: () => msg('Blur video that may show nudity, for everyone in this call'),
  screenTheirVideoCreatorOnly: () => msg('Only the person who made this call can change this.'),
  /** Shown in a call by link whose creator turned screening of incoming video off. */
  screeningOffInCall: () => msg('Video in this call is not checked for nudity: the person who made it turned that off.'),
} as const satisfies Readonly<Record<string, () => string>>;

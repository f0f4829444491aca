/**
 * The words of the in-call features (text chat, and the controls beside
 * it): a second table beside messages.ts, typed the same way and checked by
 * the same test, kept apart only so that it loads with the in-call chunk
 * (elements/in-call-elements.ts) instead of with the page before a call;
 * the Report and Block confirmation's words too.
 * Pure, like messages.ts.
 */
import { msg, str } from '@lit/localize';
import { MAX_CHAT_CHARS } from '../engine/channel-messages.js';
import type { DeviceLoss, MediaKind } from '../engine/local-media.js';
import type { DeviceKind } from '../features/device-choice.js';
import type { ChatAuthor, SendRefusal } from '../features/chat.js';
import type { Delivery } from '../features/chat-rules.js';
import type { ReportReason } from '@parley/functions/protocol';
import { memberName } from './call-messages.js';
import { formatNumber, LABELS, type ModerationTarget } from './messages.js';

// ---- Text chat ------------------------------------------------------------------------

/**
 * Who wrote a chat message. A chosen name is the sender's own claim, so a
 * member's number stays beside it: two people cannot pass for each other.
 */
export function chatAuthorName(author: ChatAuthor): string {
  switch (author.kind) {
    case 'you':
      return LABELS.you();
    case 'stranger':
      return LABELS.stranger();
    case 'guest':
      return memberName(author.number, author.name);
  }
}

/** What became of a message one sent; '' once delivered (the usual case says nothing). */
export function deliveryText(d: Delivery): string {
  switch (d.status) {
    case 'sending':
      return msg('Sending…');
    case 'delivered':
      return '';
    case 'not-delivered':
      return d.of > 1 && d.reached > 0
        ? msg(str`Not delivered to everyone (${formatNumber(d.reached)} of ${formatNumber(d.of)} got it)`)
        : msg('Not delivered');
  }
}

/** Why a message was not sent; `length` is how many characters it has. */
export const SEND_REFUSAL: { readonly [R in SendRefusal]: (length: number) => string } = {
  empty: () => msg('Type a message first.'),
  'too-long': (length) => msg(str`Too long: ${formatNumber(length)} characters, at most ${formatNumber(MAX_CHAT_CHARS)}.`),
  'too-fast': () => msg('Slow down: at most 5 messages in 3 seconds.'),
  nobody: () => msg('Nobody is here to read it.'),
};

/** How many unread messages the closed chat holds, for the badge's accessible name. */
export function unreadText(n: number): string {
  return n === 1 ? msg('1 unread message') : msg(str`${formatNumber(n)} unread messages`);
}

/** What an empty chat says: where messages go. */
export function chatEmptyText(kind: 'random' | 'link'): string {
  return kind === 'random'
    ? msg("Messages go to the stranger over the call's encrypted connection: Parley's servers never see them.")
    : msg("Messages go to everyone in the call over its encrypted connections: Parley's servers never see them.");
}

// ---- Devices --------------------------------------------------------------------------

/** Each kind of device, as its picker is labelled. */
export const DEVICE_KIND: Readonly<Record<DeviceKind, () => string>> = {
  videoinput: () => msg('Camera'),
  audioinput: () => msg('Microphone'),
  audiooutput: () => msg('Speaker'),
};

/** A device the browser lists without a name (before permission, or a nameless one), numbered. */
export function unnamedDevice(kind: DeviceKind, n: number): string {
  return `${DEVICE_KIND[kind]()} ${formatNumber(n)}`;
}

/** A switch to another device failed. */
export const DEVICE_FAILED: Readonly<Record<MediaKind | 'speaker', () => string>> = {
  video: () => msg('That camera could not be started. It may be in use by another app.'),
  audio: () => msg('That microphone could not be started. It may be in use by another app.'),
  speaker: () => msg('Sound could not be sent to that speaker.'),
};

/** What the page says when a device in use went away mid-call. */
export function deviceLossText(loss: DeviceLoss): string {
  const now = loss.now;
  if (loss.kind === 'video') {
    if (now === null) return msg('Your camera was disconnected, and no other was found.');
    return now
      ? msg(str`Your camera was disconnected; now using ${now}.`)
      : msg('Your camera was disconnected; now using another one.');
  }
  if (now === null) return msg('Your microphone was disconnected, and no other was found.');
  return now
    ? msg(str`Your microphone was disconnected; now using ${now}.`)
    : msg('Your microphone was disconnected; now using another one.');
}

// ---- Buttons and labels ---------------------------------------------------------------

/** A button's name with its keyboard shortcut, e.g. "Mute (M)". */
export function withShortcut(label: string, key: string): string {
  return `${label} (${key})`;
}

export const IN_CALL_LABELS = {
  reason: () => msg('Reason'),
  cancel: () => msg('Cancel'),
  chat: () => msg('Chat'),
  chatInput: () => msg('Message'),
  // Short: the field is one line high in an 18rem panel (a placeholder that wraps is cut off). Enter sends, as in every chat.
  chatPlaceholder: () => msg('Type a message'),
  send: () => msg('Send'),
  displayName: () => msg('Your name in this call (kept on this device only)'),
  displayNamePlaceholder: () => msg('Guest'),
  mute: () => msg('Mute'),
  unmute: () => msg('Unmute'),
  stopVideo: () => msg('Stop video'),
  startVideo: () => msg('Start video'),
  safetyCode: () => msg('Safety code'),
  safetyCodeHint: () => msg('Read it to each other: if it matches, nobody is in the middle.'),
  safetyCodePending: () => msg('Once connected…'),
  browserDefault: () => msg('Browser default'),
  shareScreen: () => msg('Share screen'),
  stopSharing: () => msg('Stop sharing'),
  shareFailed: () => msg('Your screen could not be shared. Try again, or share a single tab or window.'),
  preview: () => msg('Your camera, as the others will see it (mirrored for you)'),
} as const satisfies Readonly<Record<string, () => string>>;

// ---- Report and Block ---------------------------------------------------------------

/** What each report reason is called on the page. */
export const REASON_LABELS: Readonly<Record<ReportReason, () => string>> = {
  nudity: () => msg('Nudity or sexual content'),
  harassment: () => msg('Harassment or threats'),
  hate: () => msg('Hate speech'),
  underage: () => msg('Seems to be a minor'),
  spam: () => msg('Spam or advertising'),
  other: () => msg('Something else'),
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

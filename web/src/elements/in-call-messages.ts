/**
 * The words of the in-call features (text chat, and the controls beside
 * it): a second table beside messages.ts, typed the same way and checked by
 * the same test, kept apart only so that it loads with the in-call chunk
 * (elements/in-call-elements.ts) instead of with the page before a call.
 * Pure, like messages.ts.
 */
import { MAX_CHAT_CHARS } from '../engine/channel-messages.js';
import type { DeviceLoss, MediaKind } from '../engine/local-media.js';
import type { DeviceKind } from '../features/device-choice.js';
import type { ChatAuthor, SendRefusal } from '../features/chat.js';
import type { Delivery } from '../features/chat-rules.js';
import { formatNumber, guestName, LABELS } from './messages.js';

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
      return author.name === null ? guestName(author.number) : `${author.name} (${guestName(author.number)})`;
  }
}

/** What became of a message one sent; '' once delivered (the usual case says nothing). */
export function deliveryText(d: Delivery): string {
  switch (d.status) {
    case 'sending':
      return 'Sending…';
    case 'delivered':
      return '';
    case 'not-delivered':
      return d.of > 1 && d.reached > 0
        ? `Not delivered to everyone (${formatNumber(d.reached)} of ${formatNumber(d.of)} got it)`
        : 'Not delivered';
  }
}

/** Why a message was not sent; `length` is how many characters it has. */
export const SEND_REFUSAL: { readonly [R in SendRefusal]: (length: number) => string } = {
  empty: () => 'Type a message first.',
  'too-long': (length) => `Too long: ${formatNumber(length)} characters, at most ${formatNumber(MAX_CHAT_CHARS)}.`,
  'too-fast': () => 'Slow down: at most 5 messages in 3 seconds.',
  nobody: () => 'Nobody is here to read it.',
};

/** How many unread messages the closed chat holds, for the badge's accessible name. */
export function unreadText(n: number): string {
  return n === 1 ? '1 unread message' : `${formatNumber(n)} unread messages`;
}

/** What an empty chat says: where messages go. */
export function chatEmptyText(kind: 'random' | 'link'): string {
  return kind === 'random'
    ? "Messages go to the stranger over the call's encrypted connection: Parley's servers never see them."
    : "Messages go to everyone in the call over its encrypted connections: Parley's servers never see them.";
}

// ---- Devices --------------------------------------------------------------------------

/** Each kind of device, as its picker is labelled. */
export const DEVICE_KIND: Readonly<Record<DeviceKind, () => string>> = {
  videoinput: () => 'Camera',
  audioinput: () => 'Microphone',
  audiooutput: () => 'Speaker',
};

/** A device the browser lists without a name (before permission, or a nameless one), numbered. */
export function unnamedDevice(kind: DeviceKind, n: number): string {
  return `${DEVICE_KIND[kind]()} ${formatNumber(n)}`;
}

/** A switch to another device failed. */
export const DEVICE_FAILED: Readonly<Record<MediaKind | 'speaker', () => string>> = {
  video: () => 'That camera could not be started. It may be in use by another app.',
  audio: () => 'That microphone could not be started. It may be in use by another app.',
  speaker: () => 'Sound could not be sent to that speaker.',
};

/** What the page says when a device in use went away mid-call. */
export function deviceLossText(loss: DeviceLoss): string {
  const what = loss.kind === 'video' ? 'camera' : 'microphone';
  if (loss.now === null) return `Your ${what} was disconnected, and no other was found.`;
  return loss.now
    ? `Your ${what} was disconnected; now using ${loss.now}.`
    : `Your ${what} was disconnected; now using another one.`;
}

// ---- Buttons and labels ---------------------------------------------------------------

/** A button's name with its keyboard shortcut, e.g. "Mute (M)". */
export function withShortcut(label: string, key: string): string {
  return `${label} (${key})`;
}

export const IN_CALL_LABELS = {
  chat: () => 'Chat',
  chatInput: () => 'Message',
  // Short: the field is one line high in an 18rem panel (a placeholder that wraps is cut off). Enter sends, as in every chat.
  chatPlaceholder: () => 'Type a message',
  send: () => 'Send',
  displayName: () => 'Your name in this call (kept on this device only)',
  displayNamePlaceholder: () => 'Guest',
  mute: () => 'Mute',
  unmute: () => 'Unmute',
  stopVideo: () => 'Stop video',
  startVideo: () => 'Start video',
  safetyCode: () => 'Safety code',
  safetyCodeHint: () => 'Read it to each other: if it matches, nobody is in the middle.',
  safetyCodePending: () => 'Once connected…',
  browserDefault: () => 'Browser default',
  shareScreen: () => 'Share screen',
  stopSharing: () => 'Stop sharing',
  shareFailed: () => 'Your screen could not be shared. Try again, or share a single tab or window.',
  preview: () => 'Your camera, as the others will see it (mirrored for you)',
} as const satisfies Readonly<Record<string, () => string>>;

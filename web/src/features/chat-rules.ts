/**
 * Text chat's rules, pure: what may be sent, how often, and what became of
 * each message sent (features/chat.ts applies them to a call). Tested
 * without a browser.
 */
import { codePoints, isChatText, MAX_CHAT_CHARS } from '../engine/channel-messages.js';

/**
 * At most 5 messages in any 3 s, per sender: a person typing quickly sends
 * two or three short lines in a row, never more; a script flooding a
 * stranger's screen is cut off. The sender holds itself to it and the
 * receiver drops (and does not acknowledge) what goes past it.
 */
export const CHAT_RATE = { messages: 5, perMs: 3_000 } as const;

/**
 * A message sent on a connected link and not acknowledged within this long
 * shows as not delivered (an acknowledgement arriving later still marks it
 * delivered). Counted only while the link is connected: a reconnecting link
 * delivers it when it is back. An acknowledgement takes one round trip
 * (tens of milliseconds); 10 s leaves room for a congested path.
 */
export const ACK_WITHIN_MS = 10_000;

/** The most messages one chat keeps; older ones go (a long call must not grow the page without bound). */
export const MAX_CHAT_ENTRIES = 500;

/** What a person typed, ready to send; or why it cannot be. */
export type OutgoingText =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly reason: 'empty' | 'too-long'; readonly length: number };

/** Trims what a person typed and checks it against the limits the receiver applies. */
export function outgoingText(typed: string): OutgoingText {
  const text = typed.trim();
  if (text.length === 0) return { ok: false, reason: 'empty', length: 0 };
  const length = codePoints(text);
  if (length > MAX_CHAT_CHARS || !isChatText(text)) return { ok: false, reason: 'too-long', length };
  return { ok: true, text };
}

/** A sliding window of send times: `allow` says whether one more fits in CHAT_RATE. */
export class RateWindow {
  private readonly times: number[] = [];

  constructor(private readonly rate: { readonly messages: number; readonly perMs: number } = CHAT_RATE) {}

  /** Whether a message at `nowMs` fits; if it does, it is counted. */
  allow(nowMs: number): boolean {
    while (this.times.length > 0 && nowMs - this.times[0]! >= this.rate.perMs) this.times.shift();
    if (this.times.length >= this.rate.messages) return false;
    this.times.push(nowMs);
    return true;
  }
}

/**
 * One message's way to one recipient: `queued` until their link can take it,
 * `sent` on the wire (waiting for their `ack`), then `acked`, or `failed`
 * when their link went before it was acknowledged, or no acknowledgement
 * came within ACK_WITHIN_MS of connected time.
 */
export type DeliveryStep =
  | { readonly step: 'queued' }
  | { readonly step: 'sent'; readonly waitingSince: number }
  | { readonly step: 'acked' }
  | { readonly step: 'failed' };

/** What happened to a recipient's link, or on it. */
export type DeliveryEvent =
  | { readonly type: 'sent'; readonly at: number }
  /** Their link is connected again after an interruption: the wait for the acknowledgement starts over. */
  | { readonly type: 'reconnected'; readonly at: number }
  | { readonly type: 'acked' }
  /** Their link went (they left, or it was lost) */
  | { readonly type: 'gone' }
  | { readonly type: 'tick'; readonly at: number };

export function nextDeliveryStep(step: DeliveryStep, event: DeliveryEvent): DeliveryStep {
  switch (event.type) {
    case 'acked':
      // A late acknowledgement still counts: the message did arrive.
      return { step: 'acked' };
    case 'sent':
      return step.step === 'queued' ? { step: 'sent', waitingSince: event.at } : step;
    case 'reconnected':
      return step.step === 'sent' ? { step: 'sent', waitingSince: event.at } : step;
    case 'gone':
      return step.step === 'queued' || step.step === 'sent' ? { step: 'failed' } : step;
    case 'tick':
      return step.step === 'sent' && event.at - step.waitingSince >= ACK_WITHIN_MS ? { step: 'failed' } : step;
  }
}

/**
 * What the sender sees for one message: `sending` while any recipient has
 * not acknowledged it and none failed, `delivered` once every recipient
 * did, `not-delivered` when some recipient will not get it (it says how
 * many of them did).
 */
export type Delivery =
  | { readonly status: 'sending' }
  | { readonly status: 'delivered' }
  | { readonly status: 'not-delivered'; readonly reached: number; readonly of: number };

export function delivery(steps: readonly DeliveryStep[]): Delivery {
  const failed = steps.filter((s) => s.step === 'failed').length;
  const acked = steps.filter((s) => s.step === 'acked').length;
  if (failed > 0 || steps.length === 0) return { status: 'not-delivered', reached: acked, of: steps.length };
  return acked === steps.length ? { status: 'delivered' } : { status: 'sending' };
}

/**
 * Ids of messages already shown, per sender, so that one sent twice is
 * shown once (and acknowledged again). Bounded: the oldest are forgotten.
 */
export class SeenIds {
  private readonly ids = new Set<string>();

  constructor(private readonly max = 2 * MAX_CHAT_ENTRIES) {}

  /** Whether `id` is new; it is remembered either way. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

/**
 * What a page does in a call besides sending and showing media, attached to
 * the call as one object: text chat (and, the same way, the others). One
 * chunk, loaded after the first Start or Join (flows/in-call.ts): the page
 * before a call does not carry it.
 */
import type { Call } from '../engine/call.js';
import { CallChat, type ChatOptions } from './chat.js';

export type InCallOptions = ChatOptions;

export class InCall {
  readonly chat: CallChat;
  private readonly listeners = new Set<() => void>();

  constructor(call: Call, options: InCallOptions) {
    this.chat = new CallChat(call, options);
    this.chat.onChange(() => this.notify());
  }

  /** Calls `listener` whenever anything here changes (a message, a delivery). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The call is over for this page: stop listening; what is shown stays readable. */
  detach(): void {
    this.chat.detach();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

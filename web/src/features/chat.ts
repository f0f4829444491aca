/**
 * Text chat in a call: messages go to every other member over their link's
 * control channel (engine/channel-messages.ts), never through the backend.
 * Attaches to a `Call`; the rules (limits, rate, delivery) are
 * chat-rules.ts. A message sent while a member's link is reconnecting waits
 * for it; one that cannot reach them shows as not delivered, never vanishes.
 */
import type { CallLinkListener, Peer } from '../engine/call.js';
import type { ChannelMessage, ChatMessage } from '../engine/channel-messages.js';
import { isDisplayName } from '../engine/channel-messages.js';
import {
  ACK_WITHIN_MS,
  delivery,
  MAX_CHAT_ENTRIES,
  nextDeliveryStep,
  outgoingText,
  RateWindow,
  SeenIds,
  type Delivery,
  type DeliveryEvent,
  type DeliveryStep,
} from './chat-rules.js';

/** What of a `Call` the chat uses (engine/call.ts). */
export interface ChatCall {
  readonly peers: readonly Pick<Peer, 'id' | 'state'>[];
  sendMessage(to: string, message: ChannelMessage): boolean;
  onLink(listener: CallLinkListener): () => void;
  onChange(listener: () => void): () => void;
}

/** Who wrote a message, as a code (elements word it). */
export type ChatAuthor =
  | { readonly kind: 'you' }
  /** The other person of a random call. */
  | { readonly kind: 'stranger' }
  /** A member of a call by link, numbered in entry order, with the name they chose, if any. */
  | { readonly kind: 'guest'; readonly number: number; readonly name: string | null };

export interface ChatEntry {
  /** Unique in this chat (a key for rendering). */
  readonly key: string;
  readonly author: ChatAuthor;
  /** Exactly as typed (trimmed): shown as text, never as markup. */
  readonly text: string;
  /** When it was sent, by the sender's clock (shown as a time; order is arrival order). */
  readonly sentAt: number;
  /** Our own messages only: what became of them. */
  readonly delivery: Delivery | null;
}

/** Why a message was not sent (the elements word it). */
export type SendRefusal = 'empty' | 'too-long' | 'too-fast' | 'nobody';

export interface ChatOptions {
  /** Random calls name the other person "Stranger" and never send a name; calls by link number members and may. */
  readonly kind: 'random' | 'link';
  /** The member's number in the call (entry order, from 1), for calls by link. */
  numberOf?(id: string): number;
  /** This person's display name for calls by link, if they chose one (kept on their device). */
  ownName?(): string | null;
  /** The clock (tests may pass their own). */
  now?(): number;
}

interface Outgoing {
  readonly id: string;
  readonly message: ChatMessage;
  /** Each recipient's step, by member id. */
  readonly steps: Map<string, DeliveryStep>;
}

export class CallChat {
  private readonly list: ChatEntry[] = [];
  private readonly outgoing = new Map<string, Outgoing>();
  /** Each member's last chosen name (calls by link), by member id. */
  private readonly names = new Map<string, string>();
  private readonly sendRate = new RateWindow();
  private readonly receiveRates = new Map<string, RateWindow>();
  private readonly seen = new Map<string, SeenIds>();
  /** Each member's link state when last seen, to notice a reconnection and a departure. */
  private linkStates = new Map<string, Peer['state']>();
  private readonly listeners = new Set<() => void>();
  private readonly stops: (() => void)[] = [];
  private ackTimer: ReturnType<typeof setInterval> | null = null;
  private ids = 0;
  private read = 0;
  private detached = false;
  /** `canSend` when last told: a change re-renders the panel. */
  private couldSend = false;
  private readonly now: () => number;
  /** A random prefix for our message ids: unique in the call without coordination. */
  private readonly idPrefix = Math.random().toString(36).slice(2, 10);

  constructor(
    private readonly call: ChatCall,
    private readonly options: ChatOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.stops.push(
      call.onLink({
        message: (from, message) => this.onMessage(from, message),
        channelOpen: () => this.flush(),
      }),
      call.onChange(() => this.onCallChange()),
    );
    this.onCallChange();
  }

  /** The conversation, oldest first. */
  get entries(): readonly ChatEntry[] {
    return this.list;
  }

  /** Messages from others since `markRead` (the badge on a closed panel). */
  get unread(): number {
    return this.list.slice(this.read).filter((e) => e.author.kind !== 'you').length;
  }

  /** Whether anyone is there to receive a message now or once their link is back. */
  get canSend(): boolean {
    return !this.detached && this.call.peers.length > 0;
  }

  markRead(): void {
    if (this.read === this.list.length) return;
    this.read = this.list.length;
    this.notify();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends what the person typed to everyone in the call; null when sent (or waiting for a link), else why not. */
  send(typed: string): SendRefusal | null {
    const out = outgoingText(typed);
    if (!out.ok) return out.reason;
    if (!this.canSend) return 'nobody';
    const now = this.now();
    if (!this.sendRate.allow(now)) return 'too-fast';
    const id = `${this.idPrefix}-${++this.ids}`;
    const name = this.options.kind === 'link' ? this.options.ownName?.() : null;
    const message: ChatMessage = {
      type: 'chat',
      id,
      text: out.text,
      sentAt: now,
      ...(name && isDisplayName(name) ? { name } : {}),
    };
    const steps = new Map<string, DeliveryStep>(this.call.peers.map((p) => [p.id, { step: 'queued' }]));
    this.outgoing.set(id, { id, message, steps });
    // Kept for late acknowledgements, but not without bound.
    if (this.outgoing.size > MAX_CHAT_ENTRIES) this.outgoing.delete(this.outgoing.keys().next().value as string);
    this.push({
      key: `out-${id}`,
      author: { kind: 'you' },
      text: out.text,
      sentAt: now,
      delivery: delivery([...steps.values()]),
    });
    this.read = this.list.length;
    this.flush();
    return null;
  }

  /** Stops listening to the call; what was still on its way shows as not delivered. The conversation stays readable. */
  detach(): void {
    if (this.detached) return;
    this.detached = true;
    for (const stop of this.stops.splice(0)) stop();
    this.stopAckTimer();
    for (const out of this.outgoing.values()) for (const id of out.steps.keys()) this.step(out, id, { type: 'gone' });
    this.outgoing.clear();
    this.couldSend = false;
    this.notify();
  }

  private onMessage(from: string, message: ChannelMessage): void {
    if (this.detached) return;
    if (message.type === 'ack') {
      const out = this.outgoing.get(message.id);
      if (out?.steps.has(from)) this.step(out, from, { type: 'acked' });
      return;
    }
    if (message.type !== 'chat') return;
    let rate = this.receiveRates.get(from);
    if (!rate) this.receiveRates.set(from, (rate = new RateWindow()));
    let seen = this.seen.get(from);
    if (!seen) this.seen.set(from, (seen = new SeenIds()));
    if (!seen.add(message.id)) {
      // Shown already (sent twice): acknowledge again, show once.
      this.call.sendMessage(from, { type: 'ack', id: message.id });
      return;
    }
    // Past the rate: dropped and not acknowledged (the sender's page holds itself to the same rate).
    if (!rate.allow(this.now())) return;
    if (this.options.kind === 'link' && message.name !== undefined) this.names.set(from, message.name);
    this.push({
      key: `in-${from}-${message.id}`,
      author: this.authorOf(from, message),
      text: message.text,
      sentAt: message.sentAt,
      delivery: null,
    });
    this.call.sendMessage(from, { type: 'ack', id: message.id });
  }

  /**
   * The name a member of a call by link last chose, from their messages
   * (null until they send one with a name): their tile says it too, beside
   * their number, as the chat does.
   */
  nameOf(id: string): string | null {
    return this.names.get(id) ?? null;
  }

  private authorOf(from: string, message: ChatMessage): ChatAuthor {
    if (this.options.kind === 'random') return { kind: 'stranger' };
    return { kind: 'guest', number: this.options.numberOf?.(from) ?? 0, name: message.name ?? null };
  }

  /** Notices links that came back (flush, restart the wait for acknowledgements) and members who went. */
  private onCallChange(): void {
    if (this.detached) return;
    const now = this.now();
    const states = new Map(this.call.peers.map((p) => [p.id, p.state]));
    for (const out of this.outgoing.values()) {
      for (const id of out.steps.keys()) {
        const state = states.get(id);
        if (state === undefined || state === 'lost' || state === 'closed' || state === 'failed') {
          this.step(out, id, { type: 'gone' });
        } else if (state === 'connected' && this.linkStates.get(id) !== 'connected') {
          this.step(out, id, { type: 'reconnected', at: now });
        }
      }
    }
    this.linkStates = states;
    this.flush();
    // Someone to write to arrived, or the last one went: the box opens or closes.
    if (this.canSend !== this.couldSend) {
      this.couldSend = this.canSend;
      this.notify();
    }
  }

  /** Sends every queued message whose recipient's link can take it, in order. */
  private flush(): void {
    if (this.detached) return;
    const now = this.now();
    for (const out of this.outgoing.values()) {
      for (const [id, step] of out.steps) {
        if (step.step !== 'queued' || this.linkStates.get(id) !== 'connected') continue;
        if (this.call.sendMessage(id, out.message)) this.step(out, id, { type: 'sent', at: now });
      }
    }
    this.watchAcks();
  }

  private step(out: Outgoing, id: string, event: DeliveryEvent): void {
    const before = out.steps.get(id);
    if (!before) return;
    const after = nextDeliveryStep(before, event);
    if (after === before) return;
    out.steps.set(id, after);
    const steps = [...out.steps.values()];
    const index = this.list.findIndex((e) => e.key === `out-${out.id}`);
    const entry = this.list[index];
    if (entry) this.list[index] = { ...entry, delivery: delivery(steps) };
    // Done with it once no recipient can change its outcome but a late acknowledgement.
    if (steps.every((s) => s.step === 'acked')) this.outgoing.delete(out.id);
    this.notify();
  }

  /** Checks unacknowledged messages while any wait, so that a missing acknowledgement shows in time. */
  private watchAcks(): void {
    const waiting = [...this.outgoing.values()].some((o) => [...o.steps.values()].some((s) => s.step === 'sent'));
    if (!waiting) {
      this.stopAckTimer();
      return;
    }
    this.ackTimer ??= setInterval(() => {
      const at = this.now();
      for (const out of [...this.outgoing.values()]) {
        for (const [id, step] of out.steps) {
          // Only while the link is connected: a reconnecting one gets its time when it is back.
          if (step.step === 'sent' && this.linkStates.get(id) === 'connected') this.step(out, id, { type: 'tick', at });
        }
      }
      this.watchAcks();
    }, ACK_WITHIN_MS / 4);
  }

  private stopAckTimer(): void {
    if (this.ackTimer !== null) clearInterval(this.ackTimer);
    this.ackTimer = null;
  }

  private push(entry: ChatEntry): void {
    this.list.push(entry);
    if (this.list.length > MAX_CHAT_ENTRIES) {
      const drop = this.list.length - MAX_CHAT_ENTRIES;
      this.list.splice(0, drop);
      this.read = Math.max(0, this.read - drop);
    }
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

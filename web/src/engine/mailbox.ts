/**
 * The state of one signaling mailbox (one direction of one link), kept as a
 * whole: the latest description with its epoch, and every candidate so far,
 * one JSON object per line (docs/PROTOCOL.md, "Mailboxes"). Each write sends
 * the whole state, so a reader that missed a write loses nothing, and a burst
 * of candidates costs one write instead of one each. Pure: the Firestore
 * writer and reader in backend/ use it, and so do tests.
 */
import type { IceCandidate, LinkSignal, SessionDescription } from './types.js';

/**
 * The description before the latest, with its epoch (the latest's minus
 * one). A reader may see only the latest of two quick writes (a listener
 * delivers the document's state, not every write): when one side answers
 * and at once makes an offer of its own (perfect negotiation's polite side
 * adding a track right after answering), a reader that got only the offer
 * would never apply the answer, stay in have-local-offer, and, impolite,
 * ignore the offer: a deadlock, seen in tests. So a reader that missed it
 * applies an answer kept here before the latest; an offer that a later one
 * replaced is skipped. Two descriptions cover it: a side writes a third only
 * after hearing from the other, whose reader has by then seen the first.
 */
export interface PreviousDescription extends SessionDescription {
  readonly epoch: number;
}

/**
 * Which link a mailbox write belongs to. A member's link to another can be
 * rebuilt within one call (a member the liveness check gave up on shows
 * life again; a member re-enters the same call), and the mailbox document
 * outlives the link: without a tag a new link would apply the old one's
 * descriptions and candidates (issue 18: "Leave, then Join again → stuck on
 * Connecting…"). `link` names the sender's link (a fresh id whenever it
 * starts over: epochs restart with it); `peer` names the receiver's link it
 * talks to ('' until it has heard from one). A reader drops what is
 * addressed to a link of its own that is gone (engine/call.ts).
 */
export interface LinkTag {
  readonly link: string;
  readonly peer: string;
}

/** A new link id: 12 characters of [a-z0-9] (the rules allow up to 16). Not a secret; only distinct. */
export function newLinkId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('');
}

/** A well-formed link id as the rules accept it. */
export const LINK_ID = /^[a-z0-9]{1,16}$/;

/** What a mailbox document holds, as far as signaling is concerned. */
export interface MailboxState {
  /** The tag of the sender's link ('' / '' from a sender that never tagged). */
  readonly link: string;
  readonly peer: string;
  readonly epoch: number;
  readonly description: SessionDescription | null;
  readonly previous: PreviousDescription | null;
  readonly candidates: string;
}

/** The sender's side: accumulates signals into the next state to write. */
export class MailboxOutbox {
  private epoch = 0;
  private description: SessionDescription | null = null;
  private previous: PreviousDescription | null = null;
  private lines: string[] = [];
  private tag: LinkTag = { link: '', peer: '' };

  constructor(private readonly maxCandidatesLength: number) {}

  /**
   * The link the next writes belong to. A new `link` starts the mailbox over
   * (epoch 0, nothing said: the reader starts over too); the same link
   * talking to a new `peer` (the other end started over) keeps the epoch,
   * which the reader still counts from, and drops what the link said to
   * the old one.
   *
   * Learning the other end's link for the first time ('' to a link) is not
   * a new other end: what the link said before was said to it. A random
   * chat's joiner answers the offer that came with its join (untagged), and
   * only then hears the waiter's first write; dropping the answer there
   * left a reader that saw only the next state (a listener delivers the
   * latest state, not every write) without it, and the call stayed
   * "connecting" until the waiter gave up (the browser layer's flake).
   */
  retag(tag: LinkTag): void {
    if (tag.link === this.tag.link && tag.peer === this.tag.peer) return;
    if (tag.link === this.tag.link && this.tag.peer === '') {
      this.tag = { link: tag.link, peer: tag.peer };
      return;
    }
    if (tag.link !== this.tag.link) this.epoch = 0;
    this.description = null;
    this.previous = null;
    this.lines = [];
    this.tag = { link: tag.link, peer: tag.peer };
  }

  /** Adds a signal; returns false when it could not be kept (never for a description). */
  add(signal: LinkSignal): boolean {
    if ('description' in signal) {
      this.previous = this.description && { epoch: this.epoch, type: this.description.type, sdp: this.description.sdp };
      this.epoch += 1;
      this.description = { type: signal.description.type, sdp: signal.description.sdp };
      return true;
    }
    const line = encodeCandidate(signal.candidate);
    if (this.lines.includes(line)) return true;
    this.lines.push(line);
    // Over the limit: drop the oldest candidates of other ICE generations
    // first (a restart made them useless), then refuse the newest.
    while (this.text().length > this.maxCandidatesLength) {
      const current = signal.candidate.usernameFragment ?? null;
      const stale = this.lines.findIndex((l) => decodeCandidate(l)?.usernameFragment !== current);
      if (stale === -1) {
        this.lines.pop();
        return false;
      }
      this.lines.splice(stale, 1);
    }
    return true;
  }

  get state(): MailboxState {
    return {
      link: this.tag.link,
      peer: this.tag.peer,
      epoch: this.epoch,
      description: this.description,
      previous: this.previous,
      candidates: this.text(),
    };
  }

  private text(): string {
    return this.lines.join('\n');
  }
}

/** The receiver's side: turns each new state into the signals not delivered before, in order. */
export class MailboxInbox {
  private epoch = 0;
  private readonly seen = new Set<string>();
  private _tag: LinkTag | null = null;
  /** The link of the last state read (null: untagged); undefined before the first. */
  private lastLink: string | null | undefined = undefined;

  /** The tag of the state read last; null when the sender does not tag its writes. */
  get tag(): LinkTag | null {
    return this._tag;
  }

  read(state: {
    link?: unknown;
    peer?: unknown;
    epoch?: unknown;
    description?: unknown;
    previous?: unknown;
    candidates?: unknown;
  }): LinkSignal[] {
    const out: LinkSignal[] = [];
    const link = typeof state.link === 'string' && LINK_ID.test(state.link) ? state.link : null;
    const peer = typeof state.peer === 'string' && LINK_ID.test(state.peer) ? state.peer : '';
    // The sender started a new link, or the mailbox was made anew (an
    // untagged, empty state: the member left and entered the call again):
    // its epochs and candidates start over. Comparing with the last state
    // read, not the last tagged one: a page's first read may come from its
    // cache (the mailbox as a previous session left it), and the new
    // session's epoch 1 must not be taken for an old one.
    if (this.lastLink !== undefined && this.lastLink !== link) {
      this.epoch = 0;
      this.seen.clear();
    }
    this.lastLink = link;
    this._tag = link === null ? null : { link, peer };
    const epoch = typeof state.epoch === 'number' && Number.isInteger(state.epoch) ? state.epoch : 0;
    const description = parseDescription(state.description);
    // An answer before the latest, if we never saw it (see PreviousDescription);
    // an offer that a later one replaced is of no use to anyone.
    const previous = parseDescription(state.previous);
    const previousEpoch = (state.previous as { epoch?: unknown } | null | undefined)?.epoch;
    if (
      previous?.type === 'answer' &&
      typeof previousEpoch === 'number' &&
      previousEpoch === epoch - 1 &&
      previousEpoch > this.epoch
    ) {
      this.epoch = previousEpoch;
      out.push({ description: previous });
    }
    if (epoch > this.epoch && description) {
      this.epoch = epoch;
      out.push({ description });
    }
    const text = typeof state.candidates === 'string' ? state.candidates : '';
    for (const line of text.split('\n')) {
      if (line === '' || this.seen.has(line)) continue;
      this.seen.add(line);
      const candidate = decodeCandidate(line);
      if (candidate) out.push({ candidate });
    }
    return out;
  }
}

export function encodeCandidate(c: IceCandidate): string {
  return JSON.stringify({
    candidate: c.candidate,
    sdpMid: c.sdpMid,
    sdpMLineIndex: c.sdpMLineIndex,
    usernameFragment: c.usernameFragment ?? null,
  });
}

/** A candidate line, or null when it is not one (a reader skips what it cannot use). */
export function decodeCandidate(line: string): IceCandidate | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const candidate = v['candidate'];
  if (typeof candidate !== 'string' || candidate === '') return null;
  const sdpMid = v['sdpMid'];
  const sdpMLineIndex = v['sdpMLineIndex'];
  const ufrag = v['usernameFragment'];
  return {
    candidate,
    sdpMid: typeof sdpMid === 'string' ? sdpMid : null,
    sdpMLineIndex: typeof sdpMLineIndex === 'number' && Number.isInteger(sdpMLineIndex) ? sdpMLineIndex : null,
    usernameFragment: typeof ufrag === 'string' ? ufrag : null,
  };
}

function parseDescription(value: unknown): SessionDescription | null {
  if (typeof value !== 'object' || value === null) return null;
  const { type, sdp } = value as Record<string, unknown>;
  if ((type !== 'offer' && type !== 'answer') || typeof sdp !== 'string' || sdp === '') return null;
  return { type, sdp };
}

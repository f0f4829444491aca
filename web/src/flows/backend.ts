/**
 * The backend as the flows see it: interfaces that web/src/backend/
 * implements over Cloud Functions and Firestore, and the tests in memory.
 * One connection class serves every call (random or by link): the call
 * document's members, the mailboxes addressed to this page, our own
 * mailboxes and our presence. The flows never import Firebase.
 */
import type {
  CallAvailability,
  CreateCallRequest,
  CreateCallResult,
  EnterCallResult,
  JoinResult,
  ReportReason,
  RoomCounts,
} from '@parley/functions/protocol';
import type { CallSignaling } from '../engine/call.js';
import type { LinkTag } from '../engine/mailbox.js';
import type { LinkSignal, SessionDescription } from '../engine/types.js';

/** join's answer (the protocol's): waiting for a call, or matched with someone who waited (members [us, them]). */
export type { JoinResult, ReportReason };

/** What a page hears about one call while it is (or is about to become) a member. */
export interface CallConnectionHandlers {
  /** The members, in entry order, each time they change (self included). */
  members(members: readonly string[]): void;
  /** A signal from another member; `tag`: the link it belongs to (null from an untagged write). */
  signal(from: string, signal: LinkSignal, tag: LinkTag | null): void;
  /**
   * `from` wrote its mailbox to us (after delivering its signals, if any).
   * `bare`: nothing new in it (a liveness probe or reply, or a random call's
   * acknowledgement of the match when its waiter had no relay candidate to
   * send with it): a sign of life through the backend.
   */
  activity(from: string, bare: boolean, tag: LinkTag | null): void;
  /** The call is gone (ended by a member, the last leave, or cleanup), after it was seen. */
  ended(): void;
  /** This page is no longer a member (its presence lapsed, or the call refuses it). */
  removed(): void;
  /** A call by link's settings, when first read and each time they change. */
  settings?(settings: LinkCallSettings): void;
}

/**
 * A page's live connection to one call: outgoing signals go into our
 * mailboxes (held until the call exists), presence is refreshed while we
 * are a member; `close` stops listening and sending. It does not end the
 * call for the others (the matcher or the call service does).
 */
export interface CallConnection extends CallSignaling {
  /** Resolves once the write carrying `signal` is stored; rejects if refused (the call is gone). */
  send(to: string, signal: LinkSignal, tag: LinkTag): Promise<void>;
  probe(to: string, tag: LinkTag): Promise<void>;
  /**
   * The backend says the call exists with these members (a renewal that
   * crossed our match: JoinResult 'paired'): carry on as the listener would
   * on seeing it. A listener attached just before a document was created
   * has been seen to miss its creation, and reading the document again did
   * not help: on the Firestore emulator, such a page got "no such document"
   * from the server for as long as it asked (the web SDK reads through the
   * same watch stream; docs/PERFORMANCE.md).
   */
  confirm(members: readonly string[]): void;
  /**
   * Our link to the other member connected: record it, once per call (a
   * random call's report counts toward a ban only when both sides did;
   * docs/SECURITY.md). Further calls do nothing.
   */
  mediaConnected(): void;
  close(): void;
}

export interface JoinOptions {
  /** The callId we are waiting for, when renewing our place. */
  readonly renewing?: string;
  /** Whether a long wait in a quiet room may pair us from the Anyone pool. */
  readonly widen: boolean;
  /** Whom never to pair us with: the people this page blocked or reported (at most MAX_AVOID, newest last). */
  readonly avoid?: readonly string[];
  /**
   * Our skip memory: whom we met in the last SKIP_MEMORY_MS (at most
   * SKIP_MEMORY_SIZE, newest last), so that the server need not look it up.
   * Absent when this page cannot know (it has not joined yet: calls before
   * it opened are the server's to remember).
   */
  readonly recent?: readonly string[];
  /**
   * What this page holds on the server as it joins (never with `renewing`):
   * the id of the random call it is in and leaves with this join (Next), or
   * null when it neither waits nor is in a call (Start); then the server
   * reads nothing of ours but that call. Absent when the page cannot be
   * sure (a join or a leave failed): the server looks everything up.
   */
  readonly leaving?: string | null;
}

/** The waiting queue and pairing (random chat), and moderation of a stranger. */
export interface Matcher {
  /** Joins a room with a prepared offer. Ends our random call on the server (the one `leaving` names, or any when absent). */
  join(room: string, offer: SessionDescription, options: JoinOptions): Promise<JoinResult>;
  /**
   * While waiting: proves this page alive (the waiting heartbeat: `join`
   * pairs nobody whose page was not seen lately), until the returned
   * function stops it. `placeLost` when our place is gone: we were matched
   * (the call's listener says so, or a renewal answers 'paired') or swept.
   */
  keepWaiting(placeLost: () => void): () => void;
  /**
   * Leaves the queue and ends our calls. `callId`: the random call this page
   * is matched in, if any (never a waiting page's reserved id); the server
   * then reads that call only.
   */
  leave(callId?: string): Promise<void>;
  /** Best-effort leave while the page unloads (no response awaited); `callId` as for leave. */
  leaveOnUnload(callId?: string): void;
  /** Reports the other person of a current or recent call; the server ends the call. */
  report(callId: string, reason: ReportReason): Promise<void>;
  /** Never be paired with the other person of a current or recent call again; ends the call. */
  block(callId: string): Promise<void>;
}

/** Calls by link: the backend decides membership. */
export interface CallService {
  create(request?: CreateCallRequest): Promise<CreateCallResult>;
  peek(callId: string): Promise<CallAvailability>;
  enter(callId: string): Promise<EnterCallResult>;
  leave(callId: string): Promise<void>;
  /** Best-effort leave while the page unloads (no answer awaited). */
  leaveOnUnload(callId: string): void;
  /**
   * The creator turns screening of incoming video on or off for everyone in
   * the call (LinkCallDoc.screenIncoming); refused to anyone else. Every
   * member's connection then reports it (CallConnectionHandlers.settings).
   */
  setScreenIncoming(callId: string, on: boolean): Promise<void>;
}

/** A call by link's settings as its document says (random calls have none). */
export interface LinkCallSettings {
  /** Who made the call: the one member who may change the settings. */
  readonly creator: string | null;
  /** Whether members screen the video they receive (LinkCallDoc.screenIncoming). */
  readonly screenIncoming: boolean;
}

/** Backend.connect's random call: a waiter's (`members` null until the match) or a joiner's. */
export interface RandomCallSight {
  readonly members: readonly string[] | null;
  /**
   * A joiner whose join said `makesOwnMailbox`: its first write to the
   * waiter makes that mailbox, with the call's expiry (join's `expireAtMs`).
   * Absent: join made it.
   */
  readonly makesMailbox?: { readonly expireAtMs: number };
}

/** The backend once connected and signed in. */
export interface Backend {
  /** Our anonymous user id: our member id in every call. */
  readonly uid: string;
  readonly matcher: Matcher;
  readonly calls: CallService;
  /**
   * Starts listening to a call (it may not exist yet: a waiter's) and the
   * signals addressed to us. With `random`, a random call's connection
   * never reads the call's document: a waiter learns of the match from the
   * joiner's mailbox, which join creates with the call; a joiner (`members`
   * from join's answer, which the caller holds and is not told again)
   * sends once its mailbox listener has answered; and both learn the
   * call's end from their mailboxes (docs/PROTOCOL.md, steps 3, 4 and 8).
   */
  connect(callId: string, handlers: CallConnectionHandlers, random?: RandomCallSight): CallConnection;
  /**
   * Live counts of people waiting and chatting per room (one small document
   * kept by the functions). Calls `listener` with each new count; returns the
   * function that stops listening.
   */
  watchRoomCounts(listener: (counts: RoomCounts) => void): () => void;
}

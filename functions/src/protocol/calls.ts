/**
 * Calls of both kinds (a random pair made by `join`, a call by link of up to
 * five), the queue that random pairs are made from, and the per-direction
 * signaling mailboxes every link of a call uses. The shapes, limits and
 * codes here are the contract between the functions, the rules
 * (firestore.rules repeats the limits; test/emulator checks they agree) and
 * any client; docs/PROTOCOL.md describes them for a client in another
 * language.
 *
 * Pure: no firebase import, so the web bundle includes it.
 */
import type { RoomId } from './rooms.js';

/** Collections and subcollections of a call. */
export const CALLS_COLLECTION = 'calls';
/** `calls/{callId}/members/{uid}`: one member's presence (written by functions; the member refreshes `seenAt`). */
export const MEMBERS_SUBCOLLECTION = 'members';
/** `calls/{callId}/signals/{from}_{to}`: one mailbox per direction between two people in a call (random or by link). */
export const SIGNALS_SUBCOLLECTION = 'signals';

/** What kind of call a `calls/{callId}` document is: a random pair made by `join`, or a call by link. */
export type CallKind = 'random' | 'link';

/** A WebRTC session description as it travels through signaling (join's offer, a mailbox's description). */
export interface SessionDescription {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
}

/**
 * A full mesh: each member sends its video to every other. Past five, home
 * uplinks give out (four copies of 500 kbps is already 2 Mbps up), so the cap
 * is part of the product, not a tunable.
 */
export const MAX_CALL_MEMBERS = 5;

/**
 * Length of a link call's id: 22 characters of [A-Za-z0-9] is 131 bits of
 * randomness, so the link is the invitation and cannot be guessed.
 */
export const LINK_CALL_ID_LENGTH = 22;
export const LINK_CALL_ID = /^[A-Za-z0-9]{22}$/;

/**
 * Presence in a call by link: a member's page refreshes its
 * `calls/{callId}/members/{uid}.seenAt` this often; a member not seen for
 * PRESENCE_LEASE_MS is no longer counted and is removed (by the next enter
 * or peek, and by the sweeper). Three beats per lease: one lost write on a
 * flaky network must not throw anyone out. 20 s, so that the sweeper (twice
 * a minute) frees the seat of someone who vanished within a minute. The
 * rules refuse beats closer than PRESENCE_MIN_GAP_MS, which bounds what a
 * page can write.
 */
export const PRESENCE_HEARTBEAT_MS = 6_000;
export const PRESENCE_LEASE_MS = 20_000;

/**
 * Presence in a random call: the same document, beaten five times less
 * often. In a pair nobody waits for a seat, and each page learns that the
 * other vanished from the link itself within seconds (the data channel's
 * beat and the mailbox probe, docs/PROTOCOL.md step 10), long before any
 * lease. The server's lease only ends calls that nobody ended: both tabs
 * killed, or the one left behind closed too. At 6 s the beats were 20
 * writes per minute of every random call, more than the whole rest of a
 * call; at 30 s they are 4, and such a call is gone within 2 minutes
 * (lease + the sweep's half minute) instead of 1. Three beats per lease,
 * as above.
 */
export const RANDOM_PRESENCE_HEARTBEAT_MS = 30_000;
export const RANDOM_PRESENCE_LEASE_MS = 90_000;

/**
 * A random call's presence kept on the call document itself: one field per
 * role, `joinerSeenAt` (`members[0]`) and `waiterSeenAt` (`members[1]`),
 * for each member whose page asked for it in `join` (`presenceOnCall`).
 * No page of a random call reads its document, so a beat there is read by
 * nobody, and the call needs no presence documents: their creation and
 * deletion were 4 of a call's writes. A member whose page did not ask (a
 * page of an earlier release) gets a `members/{uid}` document as before.
 * Same beat and lease as above; the rules take a beat of one's own field
 * only, set to the request's time, PRESENCE_MIN_GAP_MS after the last.
 */
export const JOINER_SEEN_AT_FIELD = 'joinerSeenAt';
export const WAITER_SEEN_AT_FIELD = 'waiterSeenAt';

/** The call document's presence field of `uid` in a random call with `members` (`[joiner, waiter]`); null for anyone else. */
export function randomSeenAtField(members: readonly string[], uid: string): string | null {
  if (members[0] === uid) return JOINER_SEEN_AT_FIELD;
  if (members[1] === uid) return WAITER_SEEN_AT_FIELD;
  return null;
}

/** How often a member's page beats in a call of this kind, and how long its presence lasts without a beat. */
export function presenceTiming(kind: CallKind): { readonly heartbeatMs: number; readonly leaseMs: number } {
  return kind === 'random'
    ? { heartbeatMs: RANDOM_PRESENCE_HEARTBEAT_MS, leaseMs: RANDOM_PRESENCE_LEASE_MS }
    : { heartbeatMs: PRESENCE_HEARTBEAT_MS, leaseMs: PRESENCE_LEASE_MS };
}

export const PRESENCE_MIN_GAP_MS = 2_000;

/**
 * A waiting page proves it is alive by writing `queue/{uid}.seenAt` (the
 * request's time) this often; `join` pairs nobody whose entry was not seen
 * within WAITING_SEEN_MS, so a dead tab stops being matchable within 15 s,
 * long before its 45 s lease (renewed by join every 15 s) lapses.
 */
export const QUEUE_COLLECTION = 'queue';
export const WAITING_HEARTBEAT_MS = 5_000;
export const WAITING_SEEN_MS = 15_000;

/**
 * A random call's document (`calls/{callId}`, made by `join`), as its two
 * members read it. No SDP: the joiner got the waiter's offer in join's
 * result, and everything after it goes through the two mailboxes.
 */
export interface RandomCallDoc {
  readonly kind: 'random';
  /**
   * The two, in the order every call lists its members: of two members the
   * later one makes the first offer (the impolite end of perfect
   * negotiation). The waiter's offer, sent with its join before anyone was
   * there, is that first offer, so the waiter is the later member: the
   * joiner (whose join made the pair) first, the waiter second.
   */
  readonly members: readonly [joiner: string, waiter: string];
  /** The pool the two met in (`'any'` when they met through Anyone). */
  readonly room: RoomId;
  /*
   * `joinerSeenAt`, `waiterSeenAt` (timestamps; JOINER_SEEN_AT_FIELD): the
   * presence of each member whose page beats the call document, absent for
   * one whose page keeps a presence document. Written by that member only;
   * read by the functions (pages never read a random call's document).
   */
}

/** A call by link's document (`calls/{callId}`, made by `createCall`), as its members read it. */
export interface LinkCallDoc {
  readonly kind: 'link';
  /** Members' uids, in the order they entered: the earlier of two is the polite side of their link. */
  readonly members: readonly string[];
  readonly capacity: number;
  /** Who made the call with createCall: the one member who may change `screenIncoming`. */
  readonly creator: string;
  /**
   * Whether members' pages screen the video they receive before showing it
   * (a tile that may show nudity is blurred). On unless the creator turned it
   * off, at createCall or later by updating this field (the rules allow the
   * creator alone, and count each change in `screeningChanges`).
   */
  readonly screenIncoming: boolean;
  /** Times the creator changed `screenIncoming` since createCall (≤ MAX_SCREENING_CHANGES). */
  readonly screeningChanges: number;
}

/**
 * Most changes of a link call's `screenIncoming` (each one a write every
 * member's listener reads): enough for a person who turns it off and on
 * again a few times, and a bound on a creator who would flood the members.
 */
export const MAX_SCREENING_CHANGES = 20;

/**
 * A mailbox `calls/{callId}/signals/{from}_{to}`: everything `from` has to
 * say to `to`. The functions create it (empty) when the two are in one call
 * (`join` with a random call, both directions; `enterCall` between a newcomer
 * and each member) and delete it when either leaves or the call ends; only
 * `from` writes it, only `from` and `to` read it. Each write replaces the state: the latest description and
 * every candidate gathered so far.
 */
export interface SignalDoc {
  readonly from: string;
  readonly to: string;
  /** Incremented with each new description; a receiver applies a description whose epoch it has not seen. */
  readonly epoch: number;
  readonly description: SessionDescription | null;
  /**
   * The sender's candidates, one JSON object per line:
   * `{"candidate": string, "sdpMid": string|null, "sdpMLineIndex": number|null, "usernameFragment": string|null}`.
   * A receiver applies each line it has not applied before; lines of an
   * earlier ICE generation are harmless (the browser ignores their ufrag).
   */
  readonly candidates: string;
  /** Count of writes by `from`: each write sets it to the stored value + 1. */
  readonly n: number;
}

/** Longest SDP in a mailbox (the same limit as join's offer). */
export const MAX_SIGNAL_SDP = 16 * 1024;
/** Longest `candidates` text: about 60 candidates, several ICE restarts' worth. */
export const MAX_SIGNAL_CANDIDATES = 16 * 1024;
/**
 * Most writes one mailbox takes (`n` ≤ this). A call's negotiation is a few
 * writes; this allows hundreds of renegotiations and restarts, and stops a
 * hostile member from flooding the other's listener.
 */
export const MAX_SIGNAL_WRITES = 300;

/** The id of the mailbox from `from` to `to`. */
export function signalId(from: string, to: string): string {
  return `${from}_${to}`;
}

/**
 * Most uids one `join` may ask to avoid (`avoid`): the people this page
 * blocked or reported lately, whose block may still be on its way to the
 * server. Ten covers the blocks of one sitting; the stored blocks hold every
 * one for good once its request lands, so the page sends its newest ten.
 */
export const MAX_AVOID = 10;

/**
 * Skip memory: someone one was paired with this recently is not paired with
 * them again while anyone else fits. Two minutes covers pressing Next a few
 * times in a small room without freezing out a room of two. A page that
 * keeps its own (join's `recent`: its partners of the last SKIP_MEMORY_MS,
 * at most SKIP_MEMORY_SIZE) spares the server a query of the history on
 * every join; it decides only who goes first, so a page that misstates it
 * changes only its own order.
 */
export const SKIP_MEMORY_MS = 2 * 60_000;

/** Recent partners remembered per person. */
export const SKIP_MEMORY_SIZE = 10;

/** Longest uid accepted where a uid may come (Firebase Auth allows 128; anonymous uids have 28 letters and digits). */
export const MAX_UID_LENGTH = 128;

/** `join({room, offer, renewing?, widen?, avoid?})`: paired at once, or queued. */
export type JoinResult =
  /**
   * Queued. The call will be created under `callId` when someone arrives.
   * `widened`: also in the Anyone pool; `widenInMs`: when a renewal would widen it.
   */
  | { readonly status: 'waiting'; readonly callId: string; readonly widened: boolean; readonly widenInMs: number | null }
  /**
   * A renewal (`renewing`) whose call exists already: someone was paired
   * with the caller while it waited, and the caller is the call's waiter,
   * `members[1]`. The page's listener on the call normally says so first;
   * this is the answer for a page whose listener has not (yet), so that it
   * never waits on for a match that happened.
   */
  | { readonly status: 'paired'; readonly callId: string; readonly members: RandomCallDoc['members'] }
  /**
   * Paired at once with someone who was waiting: answer their offer. `room`:
   * the pool they met in; `members`: the call document's, `[joiner, waiter]`
   * (whoever gets this result first, then the waiter whose offer it is), so
   * the page can build its call without reading the document.
   * `waiterSeenMsAgo`: how long before the pairing the waiter last showed it
   * was alive (its heartbeat or its join), in ms of the server's clock. A
   * waiter seen within one heartbeat (WAITING_HEARTBEAT_MS) is most likely
   * alive, only maybe slow; one that missed a beat may have died: the page
   * waits longer for the first kind's acknowledgement.
   */
  | {
      readonly status: 'matched';
      readonly callId: string;
      readonly offer: SessionDescription & { readonly type: 'offer' };
      readonly room: RoomId;
      readonly members: RandomCallDoc['members'];
      readonly waiterSeenMsAgo: number;
      /**
       * Only to a join that sent `makesOwnMailbox: true`: the call's
       * `expireAt` (epoch ms), which the joiner's mailbox, made by its first
       * write, must carry as its own (firestore.rules), so that TTL deletes
       * it with the call's at the latest.
       */
      readonly expireAtMs?: number;
    };

/**
 * `leave({callId?})`: `callId` is the random call the page is in, if it is
 * in one (not a waiting page's reserved id). The server then reads that
 * call instead of looking for the caller's entry and calls; a wrong or
 * ended one costs only that read more.
 */
export interface LeaveRequest {
  readonly callId?: string;
}

/** `leave()`: how many random calls of the caller it ended, and whether the caller was waiting. */
export interface LeaveResult {
  readonly endedCalls: number;
  readonly leftQueue: boolean;
}

/** `createCall({screenIncoming?})`: a new link call with the caller as its first member. */
export interface CreateCallRequest {
  /** Whether the members' pages screen incoming video (LinkCallDoc.screenIncoming); default true. */
  readonly screenIncoming?: boolean;
}

export interface CreateCallResult {
  readonly callId: string;
  readonly members: readonly string[];
  readonly capacity: number;
  /** The call's LinkCallDoc.screenIncoming. */
  readonly screenIncoming: boolean;
}

/** `peekCall({callId})` and the refusals of `enterCall`: what a non-member may learn, and nothing else. */
export type CallAvailability =
  | { readonly status: 'open'; readonly members: number; readonly capacity: number }
  | { readonly status: 'full'; readonly members: number; readonly capacity: number }
  /** No such call, or it ended: the two are deliberately the same answer. */
  | { readonly status: 'ended' };

/** `enterCall({callId})`. */
export type EnterCallResult =
  | {
      readonly status: 'entered';
      readonly members: readonly string[];
      readonly capacity: number;
      /** The call's LinkCallDoc.screenIncoming, so the page screens (or not) from its first frame. */
      readonly screenIncoming: boolean;
    }
  | Exclude<CallAvailability, { readonly status: 'open' }>;

/** `leaveCall({callId})`: `ended` when the caller was the last member (the call is gone). */
export interface LeaveCallResult {
  readonly left: boolean;
  readonly ended: boolean;
}

/**
 * Who is in a call, and, for a call by link, what entering, leaving and
 * peeking decide. Pure: the Firestore classes (calls/link-calls.ts, the
 * matchmaker, the moderator, the sweeper) read the call and its members'
 * presence, ask this module, and write what it says. Times in epoch ms.
 */
import { randomBytes } from 'node:crypto';
import {
  LINK_CALL_ID_LENGTH,
  PRESENCE_LEASE_MS,
  MAX_CALL_MEMBERS,
  JOINER_SEEN_AT_FIELD,
  RANDOM_PRESENCE_LEASE_MS,
  signalId,
  WAITER_SEEN_AT_FIELD,
  type CallAvailability,
  type RandomCallDoc,
} from '../protocol/calls.js';
import { MAX_CALL_AGE_MS } from './limits.js';

/**
 * A random call's two members, `[joiner, waiter]`, from its document's data;
 * null for anything else (a call by link, a missing or malformed document).
 */
export function randomCallMembers(data: Readonly<Record<string, unknown>> | undefined): RandomCallDoc['members'] | null {
  const members = data?.['members'];
  if (data?.['kind'] !== 'random' || !Array.isArray(members) || members.length !== 2) return null;
  const [joiner, waiter] = members as unknown[];
  return typeof joiner === 'string' && typeof waiter === 'string' ? [joiner, waiter] : null;
}

/**
 * The last beat (epoch ms) of each member of a random call whose presence
 * is on the call document (`joinerSeenAt`, `waiterSeenAt`), from the
 * document's data; a member with a presence document instead is absent.
 * Timestamps are read through their `toMillis` (this module imports no
 * Firestore).
 */
export function randomCallSeenAt(
  data: Readonly<Record<string, unknown>> | undefined,
  members: RandomCallDoc['members'],
): Map<string, number> {
  const seen = new Map<string, number>();
  [JOINER_SEEN_AT_FIELD, WAITER_SEEN_AT_FIELD].forEach((field, role) => {
    const value = data?.[field] as { toMillis?: unknown } | undefined;
    if (typeof value?.toMillis === 'function') seen.set(members[role]!, (value.toMillis as () => number).call(value));
  });
  return seen;
}

/**
 * The mailboxes that say whether a random call was answered, either one
 * left unwritten past the answer timeout meaning "not". The joiner's to the
 * waiter: the joiner answers the waiter's offer with its first write there
 * (absent until then when the joiner makes it itself, join's
 * `makesOwnMailbox`). The waiter's to the joiner: the waiter writes it, its
 * acknowledgement, as soon as it sees the match, which it sees in the
 * joiner's mailbox: made by join (then an unwritten one means the waiter's
 * page was gone at the match, and the call is dead all the same) or by the
 * answer itself.
 */
export function answerMailboxIds([joiner, waiter]: RandomCallDoc['members']): readonly string[] {
  return [signalId(joiner, waiter), signalId(waiter, joiner)];
}

/** What the functions know of a link call when they decide. */
export interface LinkCallFacts {
  /** Members' uids in entry order, as the call document lists them. */
  readonly members: readonly string[];
  readonly capacity: number;
  readonly createdAtMs: number;
  /** Each member's last heartbeat, by uid; a member without one counts as lapsed. */
  readonly seenAtMs: ReadonlyMap<string, number>;
}

/** A member is live while its page's heartbeat is younger than the lease. */
export function isMemberLive(seenAtMs: number | undefined, nowMs: number, leaseMs = PRESENCE_LEASE_MS): boolean {
  return seenAtMs !== undefined && seenAtMs + leaseMs > nowMs;
}

/**
 * A random call ends as soon as either of its two people stops its presence
 * heartbeat for RANDOM_PRESENCE_LEASE_MS: a pair is over when one is gone,
 * and the other's page found out long before (it watches the link itself).
 * `seenAtMs`: the last beat of each member whose presence was read, on
 * the call document or in a presence document. Members without either
 * (calls made before presence existed) are judged by age alone.
 */
export function isRandomCallAbandoned(seenAtMs: ReadonlyMap<string, number>, nowMs: number): boolean {
  return [...seenAtMs.values()].some((seen) => !isMemberLive(seen, nowMs, RANDOM_PRESENCE_LEASE_MS));
}

/** A link call outlives no conversation: after MAX_CALL_AGE_MS it is over, like a random call. */
export function isCallExpired(createdAtMs: number, nowMs: number, maxAgeMs = MAX_CALL_AGE_MS): boolean {
  return nowMs - createdAtMs >= maxAgeMs;
}

/** The members split into those still live and those whose lease lapsed, each in entry order. */
export function partitionMembers(call: LinkCallFacts, nowMs: number): { readonly live: string[]; readonly lapsed: string[] } {
  const live: string[] = [];
  const lapsed: string[] = [];
  for (const uid of call.members) (isMemberLive(call.seenAtMs.get(uid), nowMs) ? live : lapsed).push(uid);
  return { live, lapsed };
}

/** A direction between two members: the mailbox `from` writes and `to` reads. */
export interface Direction {
  readonly from: string;
  readonly to: string;
  /** The mailbox's document id, `{from}_{to}`. */
  readonly id: string;
}

/** Both mailboxes between `uid` and each of `others` (never with itself). */
export function mailboxesBetween(uid: string, others: readonly string[]): Direction[] {
  return others
    .filter((o) => o !== uid)
    .flatMap((o) => [
      { from: uid, to: o, id: signalId(uid, o) },
      { from: o, to: uid, id: signalId(o, uid) },
    ]);
}

/**
 * Every mailbox that involves one of `leaving` among `members` (each pair
 * once): what goes when they leave or are removed.
 */
export function mailboxesOf(leaving: readonly string[], members: readonly string[]): Direction[] {
  const ids = new Map<string, Direction>();
  for (const uid of leaving) for (const d of mailboxesBetween(uid, members)) ids.set(d.id, d);
  return [...ids.values()];
}

/** What an `enterCall` does, decided on what was read. */
export type EnterDecision =
  /** No such link call, it expired, or nobody is live in it: delete what is left of it (if anything). */
  | { readonly kind: 'ended'; readonly lapsed: readonly string[] }
  /** Live members fill it; the caller is not one. Lapsed members (none, in practice) are still removed. */
  | { readonly kind: 'full'; readonly live: readonly string[]; readonly lapsed: readonly string[] }
  /** The caller is a live member already: refresh its heartbeat, remove the lapsed. */
  | { readonly kind: 'refresh'; readonly live: readonly string[]; readonly lapsed: readonly string[] }
  /** The caller joins: `members` is the new list; mailboxes open between it and every other live member. */
  | { readonly kind: 'add'; readonly members: readonly string[]; readonly lapsed: readonly string[] };

/**
 * `uid` asks to enter `call` (null: no link call with that id). Lapsed members
 * are removed first, so a seat held by a closed tab frees itself; a caller
 * whose own lease lapsed enters again as a newcomer, at the end of the order.
 */
export function decideEnter(call: LinkCallFacts | null, uid: string, nowMs: number): EnterDecision {
  if (call === null) return { kind: 'ended', lapsed: [] };
  const { live, lapsed } = partitionMembers(call, nowMs);
  if (isCallExpired(call.createdAtMs, nowMs) || live.length === 0) return { kind: 'ended', lapsed };
  if (live.includes(uid)) return { kind: 'refresh', live, lapsed };
  if (live.length >= call.capacity) return { kind: 'full', live, lapsed };
  return { kind: 'add', members: [...live, uid], lapsed };
}

/** What a `leaveCall` does, decided on what was read. */
export type LeaveDecision =
  /** The caller is not a member (or there is no such call): nothing to change. */
  | { readonly kind: 'not-member'; readonly ended: boolean }
  /** The caller (and any lapsed member) goes; `remaining` stay. */
  | { readonly kind: 'leave'; readonly remaining: readonly string[]; readonly leaving: readonly string[] }
  /** Nobody live is left after the caller: the call ends. */
  | { readonly kind: 'end'; readonly leaving: readonly string[] };

export function decideLeave(call: LinkCallFacts | null, uid: string, nowMs: number): LeaveDecision {
  if (call === null) return { kind: 'not-member', ended: true };
  if (!call.members.includes(uid)) return { kind: 'not-member', ended: false };
  const { live, lapsed } = partitionMembers(call, nowMs);
  const remaining = live.filter((m) => m !== uid);
  const leaving = [uid, ...lapsed.filter((m) => m !== uid)];
  if (remaining.length === 0 || isCallExpired(call.createdAtMs, nowMs)) return { kind: 'end', leaving: [...call.members] };
  return { kind: 'leave', remaining, leaving };
}

/** What the sweeper does with a call that has a lapsed member. */
export type PruneDecision =
  | { readonly kind: 'keep' }
  | { readonly kind: 'drop'; readonly remaining: readonly string[]; readonly lapsed: readonly string[] }
  | { readonly kind: 'end' };

export function decidePrune(call: LinkCallFacts, nowMs: number): PruneDecision {
  const { live, lapsed } = partitionMembers(call, nowMs);
  if (live.length === 0 || isCallExpired(call.createdAtMs, nowMs)) return { kind: 'end' };
  if (lapsed.length === 0) return { kind: 'keep' };
  return { kind: 'drop', remaining: live, lapsed };
}

/**
 * What `peekCall` tells anyone holding the link: how many are live in it and
 * the capacity, or `ended`. Nothing else (no uids, no times). A call nobody
 * is live in is `ended`, the same answer as no call at all.
 */
export function availability(call: LinkCallFacts | null, nowMs: number): CallAvailability {
  if (call === null || isCallExpired(call.createdAtMs, nowMs)) return { status: 'ended' };
  const { live } = partitionMembers(call, nowMs);
  if (live.length === 0) return { status: 'ended' };
  if (live.length >= call.capacity) return { status: 'full', members: live.length, capacity: call.capacity };
  return { status: 'open', members: live.length, capacity: call.capacity };
}

/** Capacity of every new link call: a full mesh of MAX_CALL_MEMBERS. */
export const LINK_CALL_CAPACITY = MAX_CALL_MEMBERS;

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/**
 * Bytes at or above this are rejected: 248 = 4 × 62, so `byte % 62` is
 * uniform over the bytes kept (no modulo bias).
 */
const UNBIASED_BYTE_LIMIT = 256 - (256 % ID_ALPHABET.length);

/**
 * A new link call id: LINK_CALL_ID_LENGTH characters of [A-Za-z0-9], each
 * uniform (rejection sampling over crypto-random bytes), about 131 bits in
 * all: the link is the invitation, so it must not be guessable. `random` is
 * injected for tests.
 */
export function newLinkCallId(random: (size: number) => Uint8Array = randomBytes): string {
  let id = '';
  while (id.length < LINK_CALL_ID_LENGTH) {
    for (const byte of random(LINK_CALL_ID_LENGTH * 2)) {
      if (byte >= UNBIASED_BYTE_LIMIT) continue;
      id += ID_ALPHABET[byte % ID_ALPHABET.length];
      if (id.length === LINK_CALL_ID_LENGTH) break;
    }
  }
  return id;
}

/**
 * Who to pair a joiner with, and which pools a waiting entry is in. Pure: the
 * matchmaker reads a few waiting entries and asks this module which one to
 * take.
 *
 * Pools: an entry waits in its own room's pool; after a long wait in a quiet
 * room (and if the person allows it) also in the Anyone pool. Two people can
 * be paired when their pools meet.
 */
import { WAITING_SEEN_MS } from '../protocol/calls.js';
import { ANYONE_ROOM } from '../protocol/rooms.js';

/** What pairing needs to know about a waiting entry. Times in epoch ms. */
export interface WaitingEntry {
  readonly uid: string;
  /** The room the person chose. */
  readonly room: string;
  /** Where the entry can be found: its room, and 'any' once widened. */
  readonly pools: readonly string[];
  readonly createdAtMs: number;
  readonly leaseExpiresAtMs: number;
  /**
   * The page's last sign of life: its join, or its heartbeat on the entry
   * (every WAITING_HEARTBEAT_MS). Absent on entries written before heartbeats.
   */
  readonly seenAtMs?: number;
  /** People this waiter blocked: never paired with them. */
  readonly blocked?: readonly string[];
  /**
   * People this waiter's page asked to avoid with its join: those it just
   * blocked or reported, whose block may not be stored yet. Never paired with them.
   */
  readonly avoid?: readonly string[];
  /** People this waiter was paired with a moment ago: paired again only if nobody else fits. */
  readonly recent?: readonly string[];
}

/** The person looking for a partner. */
export interface Seeker {
  readonly uid: string;
  /** Own room first: a partner from one's own room is preferred to one from Anyone. */
  readonly pools: readonly string[];
  readonly blocked?: ReadonlySet<string>;
  /** Whom the seeker's page asked to avoid with this join (see WaitingEntry.avoid). */
  readonly avoid?: ReadonlySet<string>;
  readonly recent?: ReadonlySet<string>;
}

/**
 * Whether either of the two refuses the other: a stored block, or a page's
 * avoid list, in either direction. Avoiding only ever restricts the one who
 * asks, so it needs no proof; it holds from the join that carries it, before
 * the block itself is stored.
 */
export function refuses(
  seeker: Pick<Seeker, 'uid' | 'blocked' | 'avoid'>,
  entry: Pick<WaitingEntry, 'uid' | 'blocked' | 'avoid'>,
): boolean {
  return (
    (seeker.blocked?.has(entry.uid) ?? false) ||
    (seeker.avoid?.has(entry.uid) ?? false) ||
    (entry.blocked?.includes(seeker.uid) ?? false) ||
    (entry.avoid?.includes(seeker.uid) ?? false)
  );
}

/**
 * An entry is eligible while its lease runs and its page was seen within
 * WAITING_SEEN_MS: a lapsed lease means a closed page, a missed heartbeat a
 * dead one (killed, asleep, offline), which must not be paired with anyone.
 */
export function isLeaseLive(entry: Pick<WaitingEntry, 'leaseExpiresAtMs' | 'seenAtMs'>, nowMs: number): boolean {
  return entry.leaseExpiresAtMs > nowMs && (entry.seenAtMs === undefined || entry.seenAtMs + WAITING_SEEN_MS > nowMs);
}

/** The pool two people would meet in, the seeker's own room first; null when their pools do not meet. */
export function sharedPool(seeker: Pick<Seeker, 'pools'>, entry: Pick<WaitingEntry, 'pools'>): string | null {
  return seeker.pools.find((p) => entry.pools.includes(p)) ?? null;
}

/** Whether `entry` may be paired with `seeker` at all: not themself, alive, a common pool, no block or avoid either way. */
export function isCompatible(seeker: Seeker, entry: WaitingEntry, nowMs: number): boolean {
  return entry.uid !== seeker.uid && isLeaseLive(entry, nowMs) && sharedPool(seeker, entry) !== null && !refuses(seeker, entry);
}

/** Whether the two were paired a moment ago (either side remembers it). */
export function isRecentPair(seeker: Seeker, entry: WaitingEntry): boolean {
  return (seeker.recent?.has(entry.uid) ?? false) || (entry.recent?.includes(seeker.uid) ?? false);
}

/**
 * Compatible entries, best first: someone not met a moment ago before someone
 * just skipped; someone from the seeker's own room before someone met through
 * Anyone; then the longest waiting (ties by uid, so the order is total).
 */
export function rankPartners<E extends WaitingEntry>(seeker: Seeker, waiting: readonly E[], nowMs: number): E[] {
  const key = (e: E) => [isRecentPair(seeker, e) ? 1 : 0, seeker.pools.indexOf(sharedPool(seeker, e)!)] as const;
  return waiting
    .filter((e) => isCompatible(seeker, e, nowMs))
    .sort((a, b) => {
      const [ra, pa] = key(a);
      const [rb, pb] = key(b);
      return ra - rb || pa - pb || a.createdAtMs - b.createdAtMs || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
    });
}

export interface ChoiceOptions {
  /**
   * Choose at random among this many of the best equally-ranked entries.
   * 1 is strictly longest-waiting first; more spreads joiners who arrive at
   * the same moment over several waiters, so they do not all race for one.
   */
  readonly spread?: number;
  /** In [0, 1); injected for tests. */
  readonly random?: () => number;
}

/**
 * The partner for `seeker`, or null when nobody compatible is waiting. A
 * recently met person is chosen only when nobody else fits. `waiting` may come
 * in any order and hold entries of other pools.
 */
export function choosePartner<E extends WaitingEntry>(
  seeker: Seeker,
  waiting: readonly E[],
  nowMs: number,
  { spread = 1, random = Math.random }: ChoiceOptions = {},
): E | null {
  const choice = choosePartnerAround(seeker, waiting, nowMs, () => false, { spread, random });
  return choice !== null && 'partner' in choice ? choice.partner : null;
}

/** What choosePartnerAround decided: a partner, nobody, or to wait for pairings already taking the best entries. */
export type AroundChoice<E> = { readonly partner: E } | { readonly waitFor: readonly E[] } | null;

/**
 * choosePartner for an instance that is already taking some entries for
 * other joins (matching/claims.ts): `taking` entries are passed over in
 * favour of an entry ranked as well as the best (same tier: not met a moment
 * ago, same pool), never in favour of a worse one. When every entry of the
 * best tier is being taken, the answer is to wait for those pairings
 * (`waitFor`) and choose again among what they leave: so a join never goes
 * on to queue, or to a just-skipped person, while a fitting entry may still
 * be free.
 */
export function choosePartnerAround<E extends WaitingEntry>(
  seeker: Seeker,
  waiting: readonly E[],
  nowMs: number,
  taking: (entry: E) => boolean,
  { spread = 1, random = Math.random }: ChoiceOptions = {},
): AroundChoice<E> {
  const ranked = rankPartners(seeker, waiting, nowMs);
  const best = ranked[0];
  if (best === undefined) return null;
  // Only among entries in the same tier as the best (a prefix of the ranking):
  // spreading must never pick a just-skipped person over a fresh one, or
  // Anyone over one's room.
  const tier = (e: E) => `${isRecentPair(seeker, e)}|${sharedPool(seeker, e)}`;
  const bestTier = ranked.filter((e) => tier(e) === tier(best));
  const free = bestTier.filter((e) => !taking(e)).slice(0, Math.max(1, spread));
  if (free.length === 0) return { waitFor: bestTier };
  return { partner: free[Math.min(free.length - 1, Math.floor(random() * free.length))]! };
}

/** Where a waiting entry waits, and when that changes. */
export interface Widening {
  readonly pools: readonly string[];
  /** True when the entry is also in the Anyone pool. */
  readonly widened: boolean;
  /** In how many ms a renewal would widen it; null when it never will (or already did). */
  readonly widenInMs: number | null;
}

/**
 * Widen to Anyone: someone who has waited `widenAfterMs` in a quiet room, and
 * allows it, can also be paired from the Anyone pool. `widenAfterMs` 0 turns
 * widening off for the whole deployment.
 */
export function widening(room: string, allowed: boolean, waitingSinceMs: number, nowMs: number, widenAfterMs: number): Widening {
  if (room === ANYONE_ROOM || !allowed || widenAfterMs <= 0) return { pools: [room], widened: false, widenInMs: null };
  const waited = nowMs - waitingSinceMs;
  if (waited >= widenAfterMs) return { pools: [room, ANYONE_ROOM], widened: true, widenInMs: null };
  return { pools: [room], widened: false, widenInMs: widenAfterMs - waited };
}

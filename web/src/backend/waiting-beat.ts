/**
 * When a waiting page's heartbeat on its queue entry can be left out. Pure.
 *
 * Every `join` (a renewal every 15 s, a widening, a renewal after a block)
 * sets the entry's `seenAt` itself, to its commit time. A beat beside it
 * is a write that proves nothing new, and worse: landing between the
 * renewal's read and its conditional commit, it voids the commit, and the
 * renewal reads everything again. The page's 5 s beat and 15 s renewal start together, so every third
 * beat fell on a renewal (in the bench one renewal in four lost its commit).
 */
import { WAITING_HEARTBEAT_MS } from '@parley/functions/protocol';

/**
 * How long after a `join` answered its own `seenAt` stands in for a beat
 * (while it runs, no beat is sent at all). The join writes `seenAt` at its
 * commit, before it answers, so a beat this long after the answer is safely
 * past the rules' 2 s between two `seenAt`s, which would refuse it and make
 * the page think its place was lost. Counted from the sending instead, a
 * join slowed by a cold start or a burst committed less than 2 s before
 * such a beat. Under one period; the longest a live page then goes without
 * refreshing `seenAt` is this plus one period (9 s) after the answer, well
 * inside the 15 s after which it is no longer matched.
 */
export const JOIN_STANDS_FOR_BEAT_MS = WAITING_HEARTBEAT_MS - 1_000;

/** How long a beat waits for a renewal due at the same moment to go first. */
export const BEAT_DEFER_MS = 250;

/** The page's joins as a beat needs to know them: how many are running, and when the last one answered (or was sent). */
export interface JoinsSeen {
  readonly running: number;
  /** ms of the beat's clock; -Infinity: never. */
  readonly lastAtMs: number;
}

/** Whether a beat is needed now: no join running, and none answered just before. */
export function beatNeeded(nowMs: number, joins: JoinsSeen): boolean {
  return joins.running === 0 && nowMs - joins.lastAtMs >= JOIN_STANDS_FOR_BEAT_MS;
}

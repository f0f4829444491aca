/**
 * When a waiting page's heartbeat on its queue entry can be left out. Pure.
 *
 * Every `join` (a renewal every 15 s, a widening, a renewal after a block)
 * sets the entry's `seenAt` itself. A beat beside it is a write that proves
 * nothing new, and worse: landing between the renewal's read and its
 * conditional commit, it voids the commit, and the renewal reads everything
 * again. The page's 5 s beat and 15 s renewal start together, so every third
 * beat fell on a renewal (in the bench one renewal in four lost its commit).
 */
import { WAITING_HEARTBEAT_MS } from '@parley/functions/protocol';

/**
 * How long after a `join` was sent its own `seenAt` stands in for a beat.
 * Under one period, so that the next beat comes at least this long after the
 * join (safely past the rules' 2 s between two `seenAt`s, which would refuse
 * it and make the page think its place was lost); the longest a live page
 * then goes without refreshing `seenAt` is this plus one period (9 s), well
 * inside the 15 s after which it is no longer matched.
 */
export const JOIN_STANDS_FOR_BEAT_MS = WAITING_HEARTBEAT_MS - 1_000;

/** How long a beat waits for a renewal due at the same moment to go first. */
export const BEAT_DEFER_MS = 250;

/** Whether a beat is needed now, given when the last `join` was sent (ms of the same clock; -Infinity: never). */
export function beatNeeded(nowMs: number, lastJoinSentAtMs: number): boolean {
  return nowMs - lastJoinSentAtMs >= JOIN_STANDS_FOR_BEAT_MS;
}

/**
 * When the live room counts are counted again. Pure: presence/room-counter.ts
 * reads and writes the schedule document and runs the counts; every decision
 * about them is here, tested without an emulator. Times in epoch ms.
 *
 * A change (someone starts or stops waiting, a random call ends) needs a
 * count that starts after it. The first change after a quiet spell schedules
 * one `delayMs` later, so that the burst a pairing makes (the waiter's entry
 * deleted and the call created in one commit, the joiner's previous call
 * ended, the pages' first writes to the new call) is over before anyone
 * counts. Later changes are covered by that count as long as it has not
 * started; one that lands while the count runs (or is about to) marks the
 * schedule, and the count then schedules its own follow-up, at least
 * `intervalMs` after it started. So counts never starve under a steady
 * stream of changes (a later change never pushes a due count back), the
 * public document takes at most one write per interval, and every change is
 * in a count within about `delayMs` + `intervalMs`.
 */
import type { RoomCounts } from '../protocol/room-counts.js';
import { ROOMS } from '../protocol/rooms.js';

export interface RoomCountTiming {
  /** From the first change after a quiet spell to its count. */
  readonly delayMs: number;
  /** Least time between the starts of two counts. */
  readonly intervalMs: number;
}

/** The functions' own schedule of counts (never read by pages). */
export interface RoomCountSchedule {
  /** When the last published count started (0: never). */
  readonly countedAtMs: number;
  /** When the next count starts (0: none scheduled). */
  readonly pendingAtMs: number;
  /** The latest change that the pending count may have started too early to see (0: none). */
  readonly dirtyAtMs: number;
}

export const NO_SCHEDULE: RoomCountSchedule = { countedAtMs: 0, pendingAtMs: 0, dirtyAtMs: 0 };

/**
 * Commit times come from Firestore, count times from a function instance's
 * clock: a change this close to a count's start counts as not seen by it.
 * Server clocks agree to a few milliseconds; half a second also covers the
 * time between a count's start and its queries.
 */
export const CLOCK_MARGIN_MS = 500;

/**
 * A count scheduled this long ago and never published died with its
 * instance (a function runs at most 60 s): the next change schedules anew
 * instead of waiting for it forever.
 */
export const STALE_COUNT_MS = 90_000;

export type ChangeDecision =
  /** A published count started after the change. */
  | { readonly kind: 'already-counted' }
  /** The pending count starts after the change. */
  | { readonly kind: 'already-scheduled' }
  /** A count is running (or due now) and may miss the change: note it, the count then schedules the next one. */
  | { readonly kind: 'mark'; readonly dirtyAtMs: number }
  /** As for 'mark', but a change as late or later is noted already: whatever the count makes of it covers this one. */
  | { readonly kind: 'already-marked' }
  /** Nothing pending: schedule a count. */
  | { readonly kind: 'schedule'; readonly pendingAtMs: number };

/**
 * What to do about a change committed at `changedAtMs`, seen by a trigger
 * at `nowMs` (never before the commit).
 */
export function onChange(s: RoomCountSchedule, changedAtMs: number, nowMs: number, t: RoomCountTiming): ChangeDecision {
  if (s.countedAtMs >= changedAtMs + CLOCK_MARGIN_MS) return { kind: 'already-counted' };
  // The trigger runs after the commit, so a count that starts after now starts after the change.
  if (s.pendingAtMs >= nowMs + CLOCK_MARGIN_MS) return { kind: 'already-scheduled' };
  if (s.pendingAtMs !== 0 && s.pendingAtMs > nowMs - STALE_COUNT_MS) {
    return s.dirtyAtMs >= changedAtMs ? { kind: 'already-marked' } : { kind: 'mark', dirtyAtMs: changedAtMs };
  }
  return { kind: 'schedule', pendingAtMs: Math.max(nowMs + t.delayMs, s.countedAtMs + t.intervalMs) };
}

/**
 * A count that started at `startedAtMs` is done at `nowMs`: when the next
 * one starts (0: none needed), because a change was marked that it may
 * have missed.
 */
export function nextAfterCount(s: RoomCountSchedule, startedAtMs: number, nowMs: number, t: RoomCountTiming): number {
  if (s.dirtyAtMs === 0 || s.dirtyAtMs + CLOCK_MARGIN_MS <= startedAtMs) return 0;
  return Math.max(startedAtMs + t.intervalMs, nowMs + CLOCK_MARGIN_MS);
}

/**
 * Whether a write of the schedule made a new count due: the pending time
 * went from none, or from another time, to this one. (Marking a change, or
 * publishing with nothing to follow, starts nothing.)
 */
export function startsCount(beforePendingAtMs: number, afterPendingAtMs: number): boolean {
  return afterPendingAtMs !== 0 && afterPendingAtMs !== beforePendingAtMs;
}

/** Whether two counts show the same numbers (then the public document is not written: every page would read it again). */
export function sameCounts(a: RoomCounts, b: RoomCounts): boolean {
  return ROOMS.every((r) => a[r.id].waiting === b[r.id].waiting && a[r.id].chatting === b[r.id].chatting);
}

/**
 * The latest instant an event's RFC 3339 `time` can stand for, in epoch ms
 * (NaN when it is not a time). The change decisions compare it with count
 * start times, so a time read too early makes a change look counted when it
 * was not. Event times come with whatever precision the sender keeps: the
 * Functions emulator sends whole seconds (a delete committed at 53.818 s
 * arrives as 53 s, and a count that started at 53.580 s looked as if it
 * covered it), production sends microseconds (Date.parse keeps only the
 * milliseconds). So the time is taken at the end of its last digit.
 */
export function latestInstantOf(time: string): number {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return NaN;
  const fraction = /T\d{2}:\d{2}:\d{2}(?:\.(\d+))?/.exec(time)?.[1] ?? '';
  // Digits beyond the milliseconds were cut by Date.parse: up to 1 ms more.
  return ms + (fraction.length >= 3 ? (fraction.length > 3 ? 1 : 0) : 10 ** (3 - fraction.length) - 1);
}

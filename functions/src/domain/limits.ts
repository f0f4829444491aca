/**
 * Limits and timings of matching and cleanup. Pure constants, shared by the
 * functions and the pure decision modules; the reason for each is beside it.
 */

/**
 * Longest SDP accepted. A Chromium offer with audio, video and a data channel
 * is 4–7 KB; 16 KiB leaves room for more codecs and candidates while keeping a
 * hostile client from storing megabytes in a document (the limit is 1 MiB).
 */
export const MAX_SDP_LENGTH = 16 * 1024;

/**
 * How long a waiting entry stays eligible without renewal by join (every
 * WAITING_RENEW_MS, 15 s): three missed renewals. A dead page stops being
 * matchable much sooner, when its heartbeat stops (WAITING_SEEN_MS, 15 s,
 * in protocol/calls.ts); the lease bounds the room counts and the TTL.
 */
export const WAITING_LEASE_MS = 45_000;

/** How often a waiting page renews its entry (also retries pairing). */
export const WAITING_RENEW_MS = 15_000;

/**
 * A random call whose joiner has not answered within this time is abandoned:
 * the joiner's tab died between the match and its answer. The waiter's page gives
 * up sooner (see the web config) and searches again; this is the server's
 * backstop for pages that died too.
 */
export const UNANSWERED_CALL_MS = 60_000;

/**
 * Signaling documents of an answered call are kept this long at most. Peers
 * talk directly once connected, so Firestore cannot tell a live call from an
 * abandoned one; the documents hold IP addresses (candidates), so we do not
 * keep them for longer than a long conversation.
 */
export const MAX_CALL_AGE_MS = 4 * 60 * 60 * 1000;

/**
 * Waiting entries read per pool per pairing attempt. Entries whose lease
 * lapsed, that belong to the joiner or that blocked them are skipped, so a few
 * extra give a live partner a chance without reading the whole room.
 */
export const PAIRING_SCAN_LIMIT = 10;

/**
 * Pages of PAIRING_SCAN_LIMIT entries a pairing attempt reads per pool at
 * most, when nobody on the pages before could be taken: a room whose oldest
 * entries are all dead pages (a killed tab stays until its heartbeat is
 * missed and its lease lapses), or all refuse the joiner, still pairs the
 * joiner with whoever waits behind them. Bounded so that a join costs at most
 * 50 entry reads per pool however many such entries pile up; beyond them the
 * page's renewal looks again (by then the dead ones have lapsed).
 */
export const PAIRING_SCAN_PAGES = 5;

/**
 * Joiners arriving at the same moment pick at random among this many of the
 * longest-waiting entries instead of all racing for the first one. Small, so
 * the longest wait still almost always goes first.
 */
export const PAIRING_SPREAD = 3;

/**
 * Pairing writes are optimistic (conditional on what was read); one that lost
 * a race reads again and retries this many times in all before giving up.
 * Losing takes one round trip, so this bounds a join to about a second even
 * in a stampede; a waiting page's renewal then tries again.
 */
export const PAIRING_ATTEMPTS = 12;

/**
 * Default wait in a quiet room before the entry is also offered to the Anyone
 * pool (the person can turn widening off; the deployment can change the
 * delay or turn it off with WIDEN_AFTER_SECONDS, see functions/src/config.ts).
 */
export const DEFAULT_WIDEN_AFTER_MS = 20_000;

/** Skip memory's span and size: protocol/calls.ts (a page sends its own with join). */
export { SKIP_MEMORY_MS, SKIP_MEMORY_SIZE } from '../protocol/calls.js';

/**
 * The public room counts are recomputed at most once per this interval. It
 * bounds the writes to the one document every page listens to (production's
 * guideline: about one write per second per document) and the reads it
 * costs every open page.
 */
export const ROOM_COUNTS_INTERVAL_MS = 3_000;

/**
 * A change is counted this long after the first change of a quiet spell
 * (domain/room-count-schedule.ts): a pairing is a burst of writes and
 * triggers, and its first face (about half a second after the match here,
 * a second at p95) should not share the database with 26 count queries and
 * the listeners' updates. Two seconds still reads as live.
 */
export const ROOM_COUNTS_DELAY_MS = 2_000;

/** Documents deleted per sweep query, to bound one run's work. */
export const SWEEP_BATCH = 200;

/**
 * The sweep runs once a minute (Cloud Scheduler's least interval) and looks
 * at liveness once more this long after: what a vanished page left is gone
 * within its lease plus this.
 */
export const SWEEP_SECOND_PASS_MS = 30_000;

/** How long an ended call is remembered for Report and Block (members and room only). */
export const HISTORY_MS = 60 * 60 * 1000;

/** How long reports are kept for moderators. */
export const REPORT_RETENTION_MS = 90 * 24 * 3600_000;

/**
 * Default per-user limits, per minute. 30 pairings a minute is a Next every
 * two seconds, faster than anyone can look at a face; renewals while waiting
 * take 4 a minute. Deployments can change them (functions/src/config.ts).
 */
export const DEFAULT_RATE_LIMITS = {
  join: { max: 30, windowMs: 60_000 },
  leave: { max: 60, windowMs: 60_000 },
  report: { max: 10, windowMs: 60_000 },
  block: { max: 30, windowMs: 60_000 },
  // Calls by link. Creating a call is deliberate (a few a minute at most);
  // entering is retried by a page that was refused `full` or lost the
  // network; leave and peek are cheap and sent on every tab close and every
  // visit of an invitation link.
  createCall: { max: 10, windowMs: 60_000 },
  enterCall: { max: 30, windowMs: 60_000 },
  leaveCall: { max: 60, windowMs: 60_000 },
  peekCall: { max: 60, windowMs: 60_000 },
  // A page asks once when it signs in and then about once an hour (and
  // before an ICE restart); 20 a minute leaves room for reloads and several
  // tabs while a script cannot mint credentials in bulk.
  turnCredentials: { max: 20, windowMs: 60_000 },
} as const;

export type RateLimits = {
  readonly [K in keyof typeof DEFAULT_RATE_LIMITS]: { readonly max: number; readonly windowMs: number };
};

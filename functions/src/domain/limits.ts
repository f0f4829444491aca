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
 * How long a waiting entry stays eligible without renewal. The page renews
 * every WAITING_RENEW_MS (15 s): three missed renewals and the entry is never
 * paired again, so a closed tab stops being a ghost within 45 s at worst.
 */
export const WAITING_LEASE_MS = 45_000;

/** How often a waiting page renews its entry (also retries pairing). */
export const WAITING_RENEW_MS = 15_000;

/**
 * A call whose callee has not answered within this time is abandoned: the
 * callee's tab died between the match and its answer. The caller's page gives
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
 * Waiting entries read per pairing attempt. Entries whose lease lapsed or that
 * belong to the joiner are skipped, so a few extra give a live partner a
 * chance without reading the whole room.
 */
export const PAIRING_SCAN_LIMIT = 10;

/** Documents deleted per sweep query, to bound one run's work. */
export const SWEEP_BATCH = 200;

/** How long an ended call is remembered for Report and Block (participants and room only). */
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
} as const;

export type RateLimits = { readonly [K in keyof typeof DEFAULT_RATE_LIMITS]: { readonly max: number; readonly windowMs: number } };

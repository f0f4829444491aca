/**
 * Moderation words both sides agree on. The server validates against them;
 * the page words them in the person's language.
 */

/** Why a person can be reported. A fixed list so moderators can sort and count. */
export const REPORT_REASONS = ['nudity', 'harassment', 'hate', 'underage', 'spam', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/**
 * How long after a call either person may still report or block the other
 * (the functions keep the call's history this long, and no longer).
 */
export const REPORT_WINDOW_MS = 60 * 60 * 1000;

/**
 * The field of a random call's document (`calls/{callId}`) in which each
 * member's page records, once per call, when its media link connected:
 * `connectedAt.<uid>`, written as `serverTimestamp()` by that member only
 * (firestore.rules). A report counts toward a ban only when both members
 * recorded it (docs/SECURITY.md).
 */
export const CONNECTED_AT_FIELD = 'connectedAt';

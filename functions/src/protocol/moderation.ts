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

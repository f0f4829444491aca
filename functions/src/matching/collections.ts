/**
 * Names of the Firestore collections. docs/PROTOCOL.md describes the
 * signaling ones, docs/SECURITY.md the moderation ones; firestore.rules
 * guards all of them.
 */
export const QUEUE = 'queue';
export const CALLS = 'calls';
/** Recently ended calls (participants and room only), so Report and Block work right after a call. */
export const HISTORY = 'history';
export const REPORTS = 'reports';
export const BANS = 'bans';
export const BLOCKS = 'blocks';
export const RATE_LIMITS = 'rateLimits';
/** What the ban rule weighs about each recent report, with a keyed hash of the reporter's network; kept for the ban window only. */
export const STRIKES = 'strikes';
/** Keys the functions make for themselves (the network hash key); no client access. */
export const SECRETS = 'secrets';

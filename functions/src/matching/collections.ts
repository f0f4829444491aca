/**
 * Names of the Firestore collections only the functions read and write.
 * Those the pages use too (the queue, calls and what is under them, the
 * room counts) are named in the protocol module. docs/SECURITY.md describes
 * these; firestore.rules closes them to every client.
 */
/** Recently ended random calls (members and room only), so Report and Block work right after a call. */
export const HISTORY = 'history';
export const REPORTS = 'reports';
export const BANS = 'bans';
export const BLOCKS = 'blocks';
export const RATE_LIMITS = 'rateLimits';
/** What the ban rule weighs about each recent report, with a keyed hash of the reporter's network; kept for the ban window only. */
export const STRIKES = 'strikes';
/** Keys the functions make for themselves (the network hash key); no client access. */
export const SECRETS = 'secrets';

import type { DocumentSnapshot, Timestamp } from 'firebase-admin/firestore';

/**
 * Names of the Firestore collections only the functions read and write.
 * Those the pages use too (the queue, calls and what is under them, the
 * room counts) are named in the protocol module. docs/SECURITY.md describes
 * these; firestore.rules closes them to every client.
 */
/** Recently ended random calls (members and room only), so Report and Block work right after a call. */
export const HISTORY = 'history';
export const REPORTS = 'reports';
/** The operators' record of each ban (when, by whom, why); `list` and `lift` read it. Not what pairing reads: see BANNED_UNTIL. */
export const BANS = 'bans';
/**
 * What pairing must respect about a person, in the one document join reads:
 * `blocked` (whom they blocked) and, while they are banned, BANNED_UNTIL.
 */
export const BLOCKS = 'blocks';
/**
 * `blocks/{uid}.bannedUntil`: until when uid is banned, written with the
 * ban's record (bans/{uid}) by whatever bans or lifts a ban (the report
 * function, scripts/moderation.mjs), so that a join reads one document for
 * the ban and the blocks, not two.
 */
export const BANNED_UNTIL = 'bannedUntil';
export const RATE_LIMITS = 'rateLimits';
/** What the ban rule weighs about each recent report, with a keyed hash of the reporter's network; kept for the ban window only. */
export const STRIKES = 'strikes';
/** Keys the functions make for themselves (the network hash key); no client access. */
export const SECRETS = 'secrets';

/** Until when the person of `blocks/{uid}` is banned (epoch ms), or 0. */
export function bannedUntilOf(blocks: DocumentSnapshot): number {
  return (blocks.get(BANNED_UNTIL) as Timestamp | undefined)?.toMillis() ?? 0;
}

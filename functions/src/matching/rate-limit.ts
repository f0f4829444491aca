/**
 * Per-user rate limits kept in Firestore (`rateLimits/{uid}_{action}`), taken
 * inside the caller's transaction so a burst of requests cannot slip past.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { takeRate, type RatePolicy } from '../domain/moderation.js';
import { RateLimited } from '../domain/refusals.js';
import { RATE_LIMITS } from './collections.js';
import type { MeteredTransaction } from './transactions.js';

export type RateAction = 'join' | 'leave' | 'report' | 'block';

/** Read phase: must run before the transaction's first write. Returns the write phase. */
export async function checkRate(
  db: Firestore,
  tx: MeteredTransaction,
  uid: string,
  action: RateAction,
  nowMs: number,
  policy: RatePolicy,
): Promise<() => void> {
  const ref = db.collection(RATE_LIMITS).doc(`${uid}_${action}`);
  const snap = await tx.getDoc(ref);
  const current = snap.exists
    ? { windowStartMs: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number }
    : null;
  const decision = takeRate(current, nowMs, policy);
  if (!decision.allowed) throw new RateLimited(action, decision.retryAfterMs);
  return () =>
    tx.set(ref, {
      windowStart: Timestamp.fromMillis(decision.next.windowStartMs),
      count: decision.next.count,
      // TTL: the window is useless once over.
      expireAt: Timestamp.fromMillis(decision.next.windowStartMs + 2 * policy.windowMs),
    });
}

/**
 * Per-user rate limits kept in Firestore (`rateLimits/{uid}_{action}`), taken
 * inside the caller's transaction, or in its conditional batch, so that a
 * burst of requests cannot slip past: concurrent requests of one person
 * conflict on this document and are counted one after the other.
 */
import { Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import type { RateLimits } from '../domain/limits.js';
import { takeRate, type RatePolicy } from '../domain/moderation.js';
import { RateLimited } from '../domain/refusals.js';
import type { UsageMeter } from '../domain/usage.js';
import { RATE_LIMITS } from './collections.js';
import { isLostRace, MeteredBatch, readDoc, replaceIfUnchanged } from './optimistic.js';
import type { MeteredTransaction } from './transactions.js';

/** The actions rate-limited per user: one per callable. */
export type RateAction = keyof RateLimits;

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
  const next = decide(await tx.getDoc(ref), action, nowMs, policy);
  return () => tx.set(ref, next);
}

/**
 * The same for a conditional batch (see optimistic.ts): the read happens
 * now, and the returned function adds the window's update to the batch,
 * conditional on nobody having counted in between.
 */
export async function checkRateOptimistic(
  db: Firestore,
  meter: UsageMeter,
  uid: string,
  action: RateAction,
  nowMs: number,
  policy: RatePolicy,
): Promise<(batch: MeteredBatch) => void> {
  const snap = await readDoc(db.collection(RATE_LIMITS).doc(`${uid}_${action}`), meter);
  const next = decide(snap, action, nowMs, policy);
  return (batch) => replaceIfUnchanged(batch, snap, next);
}

/**
 * Lost races one standalone count may take: only the same person's
 * concurrent requests conflict on their window, so a few retries suffice.
 */
const STANDALONE_ATTEMPTS = 5;

/**
 * Counts one request of `action` for a callable that writes nothing else
 * (e.g. turnCredentials): its own conditional batch, retried when the same
 * person's concurrent request counted in between. Throws RateLimited.
 */
export async function takeRateAlone(
  db: Firestore,
  meter: UsageMeter,
  uid: string,
  action: RateAction,
  nowMs: number,
  policy: RatePolicy,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const write = await checkRateOptimistic(db, meter, uid, action, nowMs, policy);
    const batch = new MeteredBatch(db, meter);
    write(batch);
    try {
      await batch.commit();
      return;
    } catch (err) {
      if (!isLostRace(err) || attempt >= STANDALONE_ATTEMPTS) throw err;
    }
  }
}

/** The window after this request, or RateLimited. */
function decide(snap: DocumentSnapshot, action: RateAction, nowMs: number, policy: RatePolicy) {
  const current = snap.exists
    ? { windowStartMs: (snap.get('windowStart') as Timestamp).toMillis(), count: snap.get('count') as number }
    : null;
  const decision = takeRate(current, nowMs, policy);
  if (!decision.allowed) throw new RateLimited(action, decision.retryAfterMs);
  return {
    windowStart: Timestamp.fromMillis(decision.next.windowStartMs),
    count: decision.next.count,
    // TTL: the window is useless once over.
    expireAt: Timestamp.fromMillis(decision.next.windowStartMs + 2 * policy.windowMs),
  };
}

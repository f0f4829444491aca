/**
 * Removes what abrupt exits leave behind: waiting entries whose page stopped
 * renewing, calls nobody answered or that outlived any conversation, and
 * candidates whose call is gone. Queries find likely candidates; the pure
 * staleness module decides.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { HISTORY_MS, SWEEP_BATCH } from '../domain/limits.js';
import { queryReads, type Usage } from '../domain/usage.js';
import { DEFAULT_STALENESS, isStaleCall, isStaleWaitingEntry, type StalenessPolicy } from '../domain/staleness.js';
import { CALLS, CANDIDATES, HISTORY, QUEUE, RATE_LIMITS } from '../matching/collections.js';

export interface SweepReport {
  readonly waitingEntries: number;
  readonly calls: number;
  readonly orphanCandidates: number;
  /** Expired history entries and rate-limit windows (production's TTL does this too, but slowly). */
  readonly expiredRecords: number;
}

export class Sweeper {
  constructor(
    private readonly db: Firestore,
    private readonly policy: StalenessPolicy = DEFAULT_STALENESS,
  ) {}

  async sweep(nowMs: number): Promise<SweepReport> {
    const [waitingEntries, calls] = await Promise.all([this.sweepQueue(nowMs), this.sweepCalls(nowMs)]);
    // After the calls, so candidates of calls deleted just now are not counted twice.
    const orphanCandidates = await this.sweepOrphanCandidates(nowMs);
    const expired = await Promise.all([HISTORY, RATE_LIMITS].map((c) => this.sweepExpired(c, nowMs)));
    return { waitingEntries, calls, orphanCandidates, expiredRecords: expired[0]! + expired[1]! };
  }

  private async sweepExpired(collection: string, nowMs: number): Promise<number> {
    const snap = await this.db
      .collection(collection)
      .where('expireAt', '<=', Timestamp.fromMillis(nowMs))
      .limit(SWEEP_BATCH)
      .get();
    await Promise.all(snap.docs.map((d) => d.ref.delete()));
    return snap.size;
  }

  private async sweepQueue(nowMs: number): Promise<number> {
    const snap = await this.db
      .collection(QUEUE)
      .where('leaseExpiresAt', '<=', Timestamp.fromMillis(nowMs))
      .limit(SWEEP_BATCH)
      .get();
    const stale = snap.docs.filter((d) =>
      isStaleWaitingEntry({ leaseExpiresAtMs: (d.get('leaseExpiresAt') as Timestamp).toMillis() }, nowMs),
    );
    // Each delete is conditioned on the entry not having been renewed since we read it.
    await Promise.all(stale.map((d) => d.ref.delete({ lastUpdateTime: d.updateTime })));
    return stale.length;
  }

  private async sweepCalls(nowMs: number): Promise<number> {
    // Every stale call is at least this old; younger ones are never read.
    const youngestStale = Math.min(this.policy.unansweredCallMs, this.policy.maxCallAgeMs);
    const snap = await this.db
      .collection(CALLS)
      .where('createdAt', '<=', Timestamp.fromMillis(nowMs - youngestStale))
      .limit(SWEEP_BATCH)
      .get();
    const stale = snap.docs.filter((d) => {
      const answeredAt = d.get('answeredAt') as Timestamp | null;
      return isStaleCall(
        { createdAtMs: (d.get('createdAt') as Timestamp).toMillis(), answeredAtMs: answeredAt?.toMillis() ?? null },
        nowMs,
        this.policy,
      );
    });
    await Promise.all(stale.map((d) => this.db.recursiveDelete(d.ref)));
    return stale.length;
  }

  private async sweepOrphanCandidates(nowMs: number): Promise<number> {
    // Candidates normally go with their call (see onCallDeleted). Any left
    // after the oldest a call may be are orphans of a failed trigger.
    const snap = await this.db
      .collectionGroup(CANDIDATES)
      .where('createdAt', '<=', Timestamp.fromMillis(nowMs - this.policy.maxCallAgeMs))
      .limit(SWEEP_BATCH)
      .get();
    await Promise.all(snap.docs.map((d) => d.ref.delete()));
    return snap.size;
  }
}

/**
 * After a call document is deleted: keep its participants and room for an
 * hour (so either person can still report or block the other), and delete its
 * candidates. `call` is the deleted document's data, when the trigger has it.
 */
export async function onCallEnded(
  db: Firestore,
  callId: string,
  call: Record<string, unknown> | undefined,
  nowMs: number,
): Promise<Usage> {
  let writes = 0;
  if (call && Array.isArray(call['participants'])) {
    await db.collection(HISTORY).doc(callId).set({
      participants: call['participants'],
      room: call['room'] ?? '',
      endedAt: Timestamp.fromMillis(nowMs),
      expireAt: Timestamp.fromMillis(nowMs + HISTORY_MS),
    });
    writes = 1;
  }
  const deleted = await deleteCallCandidates(db, callId);
  return { reads: queryReads(deleted), writes, deletes: deleted };
}

/** Deletes the candidates of a call whose document is gone; returns how many. */
export async function deleteCallCandidates(db: Firestore, callId: string): Promise<number> {
  const candidates = db.collection(CALLS).doc(callId).collection(CANDIDATES);
  // A browser trickles a handful of candidates; the rules bound each one's
  // size, not their number, so delete in batches under Firestore's 500 limit.
  const snap = await candidates.get();
  for (let i = 0; i < snap.size; i += 400) {
    const batch = db.batch();
    for (const doc of snap.docs.slice(i, i + 400)) batch.delete(doc.ref);
    await batch.commit();
  }
  return snap.size;
}

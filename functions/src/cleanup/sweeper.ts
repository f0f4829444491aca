/**
 * Removes what abrupt exits leave behind: waiting entries whose page stopped
 * renewing, calls nobody answered or that outlived any conversation, members
 * of calls by link whose page stopped its heartbeat (and such calls once
 * nobody live is left in them), and candidates and mailboxes whose call is
 * gone. Queries find likely candidates; the pure staleness and membership
 * modules decide.
 */
import { Timestamp, type CollectionReference, type Firestore } from 'firebase-admin/firestore';
import { HISTORY_MS, SWEEP_BATCH } from '../domain/limits.js';
import { queryReads, type Usage } from '../domain/usage.js';
import { DEFAULT_STALENESS, isStaleCall, isStaleWaitingEntry, type StalenessPolicy } from '../domain/staleness.js';
import { CALLS, CANDIDATES, HISTORY, QUEUE, RATE_LIMITS } from '../matching/collections.js';
import { isLinkCall, LinkCalls } from '../calls/link-calls.js';
import { LINK_LEASE_MS, MEMBERS_SUBCOLLECTION, SIGNALS_SUBCOLLECTION } from '../protocol/calls.js';

export interface SweepReport {
  readonly waitingEntries: number;
  readonly calls: number;
  readonly orphanCandidates: number;
  /** Members of calls by link removed because their lease lapsed (calls left with nobody live count in `calls`). */
  readonly lapsedMembers: number;
  /** Mailboxes older than any call (their call's trigger failed). */
  readonly orphanSignals: number;
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
    // After the calls, so members, candidates and mailboxes of calls deleted
    // just now are not counted twice.
    const links = await this.sweepLinkMembers(nowMs);
    const [orphanCandidates, orphanSignals] = await Promise.all([
      this.sweepOrphans(CANDIDATES, 'createdAt', nowMs),
      this.sweepOrphans(SIGNALS_SUBCOLLECTION, 'updatedAt', nowMs),
    ]);
    const expired = await Promise.all([HISTORY, RATE_LIMITS].map((c) => this.sweepExpired(c, nowMs)));
    return {
      waitingEntries,
      calls: calls + links.endedCalls,
      orphanCandidates,
      lapsedMembers: links.lapsedMembers,
      orphanSignals,
      expiredRecords: expired[0]! + expired[1]!,
    };
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
        {
          kind: isLinkCall(d.data()) ? 'link' : 'random',
          createdAtMs: (d.get('createdAt') as Timestamp).toMillis(),
          answeredAtMs: answeredAt?.toMillis() ?? null,
        },
        nowMs,
        this.policy,
      );
    });
    await Promise.all(stale.map((d) => this.db.recursiveDelete(d.ref)));
    return stale.length;
  }

  /**
   * Members of calls by link not seen for a lease: each such call is pruned
   * by the same code as enterCall (the decision is membership.ts's), which
   * also ends it when nobody live is left. A member refreshed meanwhile stays.
   */
  private async sweepLinkMembers(nowMs: number): Promise<{ lapsedMembers: number; endedCalls: number }> {
    const snap = await this.db
      .collectionGroup(MEMBERS_SUBCOLLECTION)
      .where('seenAt', '<=', Timestamp.fromMillis(nowMs - LINK_LEASE_MS))
      .limit(SWEEP_BATCH)
      .get();
    const callIds = [...new Set(snap.docs.map((d) => d.ref.parent.parent!.id))];
    const links = new LinkCalls(this.db, () => nowMs);
    const pruned = await Promise.all(callIds.map((id) => links.prune(id, nowMs)));
    return {
      lapsedMembers: pruned.reduce((sum, p) => sum + p.removed, 0),
      endedCalls: pruned.filter((p) => p.ended).length,
    };
  }

  /**
   * Candidates and mailboxes normally go with their call (see onCallDeleted).
   * Any not written since the oldest a call may be are orphans of a failed trigger.
   */
  private async sweepOrphans(subcollection: string, timeField: string, nowMs: number): Promise<number> {
    const snap = await this.db
      .collectionGroup(subcollection)
      .where(timeField, '<=', Timestamp.fromMillis(nowMs - this.policy.maxCallAgeMs))
      .limit(SWEEP_BATCH)
      .get();
    await Promise.all(snap.docs.map((d) => d.ref.delete()));
    return snap.size;
  }
}

/**
 * After a call document is deleted: for a random call, keep its participants
 * and room for an hour (so either person can still report or block the
 * other), and delete its candidates; for a call by link, delete its members'
 * presence and its mailboxes, and keep nothing (history is for moderating
 * random calls). `call` is the deleted document's data, when the trigger has it.
 */
export async function onCallEnded(
  db: Firestore,
  callId: string,
  call: Record<string, unknown> | undefined,
  nowMs: number,
): Promise<Usage> {
  if (isLinkCall(call)) {
    const ref = db.collection(CALLS).doc(callId);
    const deleted = await Promise.all(
      [MEMBERS_SUBCOLLECTION, SIGNALS_SUBCOLLECTION].map((name) => deleteAll(db, ref.collection(name))),
    );
    const total = deleted[0]! + deleted[1]!;
    // Two queries, each billed at least one read.
    return { reads: queryReads(deleted[0]!) + queryReads(deleted[1]!), writes: 0, deletes: total };
  }
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
  // A browser trickles a handful of candidates; the rules bound each one's
  // size, not their number.
  return deleteAll(db, db.collection(CALLS).doc(callId).collection(CANDIDATES));
}

/** Deletes every document of a (sub)collection, in batches under Firestore's 500 limit; returns how many. */
async function deleteAll(db: Firestore, collection: CollectionReference): Promise<number> {
  const snap = await collection.get();
  for (let i = 0; i < snap.size; i += 400) {
    const batch = db.batch();
    for (const doc of snap.docs.slice(i, i + 400)) batch.delete(doc.ref);
    await batch.commit();
  }
  return snap.size;
}

/**
 * Removes what abrupt exits leave behind: waiting entries whose page stopped
 * renewing, random calls whose joiner never answered (never wrote its
 * mailbox) and calls that outlived any conversation, members of calls by
 * link whose page stopped its heartbeat (and such calls once nobody live is
 * left in them), and mailboxes whose call is gone. Queries find what may be
 * stale; the pure staleness and membership modules decide.
 */
import {
  Timestamp,
  type DocumentReference,
  type Firestore,
  type QueryDocumentSnapshot,
  type QuerySnapshot,
} from 'firebase-admin/firestore';
import { HISTORY_MS, SWEEP_BATCH } from '../domain/limits.js';
import { connectedMs } from '../domain/moderation.js';
import { queryReads, type Usage } from '../domain/usage.js';
import {
  DEFAULT_STALENESS,
  isStaleCall,
  isStaleWaitingEntry,
  needsJoinerWrites,
  type CallFacts,
  type StalenessPolicy,
} from '../domain/staleness.js';
import { HISTORY, RATE_LIMITS } from '../matching/collections.js';
import { isLinkCall, LinkCalls } from '../calls/link-calls.js';
import { answerMailboxId, isRandomCallAbandoned, randomCallMembers } from '../domain/membership.js';
import { signalRef } from '../calls/mailboxes.js';
import {
  CALLS_COLLECTION,
  MEMBERS_SUBCOLLECTION,
  PRESENCE_LEASE_MS,
  QUEUE_COLLECTION,
  SIGNALS_SUBCOLLECTION,
  WAITING_SEEN_MS,
  type RandomCallDoc,
} from '../protocol/calls.js';

/**
 * `history/{callId}`: a random call that ended, kept for HISTORY_MS so that
 * either member can still report or block the other, and so that join can
 * remember whom one just met (skip memory). Readable by no client.
 */
interface HistoryDoc {
  /** The call's members, `[joiner, waiter]`, as on the call. */
  readonly members: RandomCallDoc['members'];
  readonly room: string;
  /** How long the call was connected (domain/moderation.ts, connectedMs). */
  readonly callMs: number;
  readonly endedAt: Timestamp;
  /** TTL field, and what the sweeper deletes by. */
  readonly expireAt: Timestamp;
}

export interface SweepReport {
  readonly waitingEntries: number;
  readonly calls: number;
  /** Members (of either kind of call) removed because their lease lapsed (the calls that ended with it count in `calls`). */
  readonly lapsedMembers: number;
  /** Mailboxes older than any call (their call's trigger failed). */
  readonly orphanSignals: number;
  /** Expired history entries and rate-limit windows (production's TTL does this too, but slowly). */
  readonly expiredRecords: number;
}

/** What staleness.ts needs of a call document, except its joiner's mailbox. */
function callFacts(call: QueryDocumentSnapshot): CallFacts {
  return {
    kind: isLinkCall(call.data()) ? 'link' : 'random',
    createdAtMs: (call.get('createdAt') as Timestamp).toMillis(),
  };
}

export class Sweeper {
  constructor(
    private readonly db: Firestore,
    private readonly policy: StalenessPolicy = DEFAULT_STALENESS,
  ) {}

  /**
   * Only what liveness decides (dead waiting pages, calls whose people
   * vanished): the sweep function runs this again half a minute after the
   * full sweep, so that both are gone within a minute of the last sign of
   * life although the scheduler runs it once a minute.
   */
  async sweepLapsed(nowMs: number): Promise<Pick<SweepReport, 'waitingEntries' | 'lapsedMembers' | 'calls'>> {
    const [waitingEntries, links] = await Promise.all([this.sweepQueue(nowMs), this.sweepLapsedMembers(nowMs)]);
    return { waitingEntries, lapsedMembers: links.lapsedMembers, calls: links.endedCalls };
  }

  async sweep(nowMs: number): Promise<SweepReport> {
    const [waitingEntries, calls] = await Promise.all([this.sweepQueue(nowMs), this.sweepCalls(nowMs)]);
    // After the calls, so members and mailboxes of calls deleted just now
    // are not counted twice.
    const links = await this.sweepLapsedMembers(nowMs);
    const orphanSignals = await this.sweepOrphanSignals(nowMs);
    const expired = await Promise.all([HISTORY, RATE_LIMITS].map((c) => this.sweepExpired(c, nowMs)));
    return {
      waitingEntries,
      calls: calls + links.endedCalls,
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
    // Lapsed leases (closed pages) and stopped heartbeats (dead pages): two
    // queries, as Firestore cannot OR two range filters on different fields.
    const [lapsed, silent] = await Promise.all([
      this.db.collection(QUEUE_COLLECTION).where('leaseExpiresAt', '<=', Timestamp.fromMillis(nowMs)).limit(SWEEP_BATCH).get(),
      this.db
        .collection(QUEUE_COLLECTION)
        .where('seenAt', '<=', Timestamp.fromMillis(nowMs - WAITING_SEEN_MS))
        .limit(SWEEP_BATCH)
        .get(),
    ]);
    const docs = new Map([...lapsed.docs, ...silent.docs].map((d) => [d.id, d]));
    const stale = [...docs.values()].filter((d) => {
      const seenAt = d.get('seenAt') as Timestamp | undefined;
      return isStaleWaitingEntry(
        {
          leaseExpiresAtMs: (d.get('leaseExpiresAt') as Timestamp).toMillis(),
          ...(seenAt instanceof Timestamp ? { seenAtMs: seenAt.toMillis() } : {}),
        },
        nowMs,
      );
    });
    // Each delete is conditioned on the entry not having been renewed since we read it.
    await Promise.all(stale.map((d) => d.ref.delete({ lastUpdateTime: d.updateTime })));
    return stale.length;
  }

  private async sweepCalls(nowMs: number): Promise<number> {
    // Every stale call is at least this old; younger ones are never read.
    const youngestStale = Math.min(this.policy.unansweredCallMs, this.policy.maxCallAgeMs);
    const snap = await this.db
      .collection(CALLS_COLLECTION)
      .where('createdAt', '<=', Timestamp.fromMillis(nowMs - youngestStale))
      .limit(SWEEP_BATCH)
      .get();
    const calls = snap.docs.map((d) => ({ snap: d, facts: callFacts(d) }));
    // A random call's answer is in its joiner's mailbox: read those (in one
    // round trip) only for the calls whose fate depends on it.
    const unsure = calls.filter((c) => needsJoinerWrites(c.facts, nowMs, this.policy));
    const writes = await this.joinerWrites(unsure.map((c) => c.snap));
    const stale = calls.filter((c) => isStaleCall({ ...c.facts, joinerWrites: writes.get(c.snap.id) }, nowMs, this.policy));
    await Promise.all(stale.map((c) => this.db.recursiveDelete(c.snap.ref)));
    return stale.length;
  }

  /** For each random call: how many times its joiner wrote its mailbox to the waiter (null: no such mailbox). */
  private async joinerWrites(calls: readonly QueryDocumentSnapshot[]): Promise<Map<string, number | null>> {
    const found = new Map<string, number | null>();
    const refs: DocumentReference[] = [];
    for (const call of calls) {
      const members = randomCallMembers(call.data());
      if (members !== null) refs.push(signalRef(this.db, call.id, answerMailboxId(members)));
      else found.set(call.id, null); // not two members: nobody can answer it
    }
    if (refs.length === 0) return found;
    for (const box of await this.db.getAll(...refs)) {
      const n = box.get('n') as unknown;
      found.set(box.ref.parent.parent!.id, box.exists ? (typeof n === 'number' ? n : 0) : null);
    }
    return found;
  }

  /**
   * Members not seen for a lease. A call by link is pruned by the same code
   * as enterCall (the decision is membership.ts's), which also ends it when
   * nobody live is left. A random call ends (isRandomCallAbandoned): its
   * document goes on condition that the lapsed presence was not refreshed
   * meanwhile, and onCallDeleted removes the rest. A member refreshed
   * meanwhile stays.
   */
  private async sweepLapsedMembers(nowMs: number): Promise<{ lapsedMembers: number; endedCalls: number }> {
    const snap = await this.db
      .collectionGroup(MEMBERS_SUBCOLLECTION)
      .where('seenAt', '<=', Timestamp.fromMillis(nowMs - PRESENCE_LEASE_MS))
      .limit(SWEEP_BATCH)
      .get();
    const byCall = new Map<string, QueryDocumentSnapshot[]>();
    for (const d of snap.docs) {
      const id = d.ref.parent.parent!.id;
      byCall.set(id, [...(byCall.get(id) ?? []), d]);
    }
    const links = new LinkCalls(this.db, () => nowMs);
    const outcomes = await Promise.all(
      [...byCall].map(async ([id, lapsed]) => {
        const call = await this.db.collection(CALLS_COLLECTION).doc(id).get();
        if (randomCallMembers(call.data()) !== null) return this.endAbandonedRandomCall(call.ref, lapsed, nowMs);
        return links.prune(id, nowMs);
      }),
    );
    return {
      lapsedMembers: outcomes.reduce((sum, p) => sum + p.removed, 0),
      endedCalls: outcomes.filter((p) => p.ended).length,
    };
  }

  private async endAbandonedRandomCall(
    call: DocumentReference,
    lapsed: readonly QueryDocumentSnapshot[],
    nowMs: number,
  ): Promise<{ removed: number; ended: boolean }> {
    const seen = new Map(lapsed.map((d) => [d.id, (d.get('seenAt') as Timestamp).toMillis()]));
    if (!isRandomCallAbandoned(seen, nowMs)) return { removed: 0, ended: false };
    const batch = this.db.batch();
    for (const d of lapsed) batch.delete(d.ref, { lastUpdateTime: d.updateTime });
    batch.delete(call);
    try {
      await batch.commit();
      return { removed: lapsed.length, ended: true };
    } catch {
      // A heartbeat landed after our read: that person is back, the call stays.
      return { removed: 0, ended: false };
    }
  }

  /**
   * Mailboxes normally go with their call (see onCallDeleted). Any not
   * written since the oldest a call may be are orphans of a failed trigger.
   */
  private async sweepOrphanSignals(nowMs: number): Promise<number> {
    const snap = await this.db
      .collectionGroup(SIGNALS_SUBCOLLECTION)
      .where('updatedAt', '<=', Timestamp.fromMillis(nowMs - this.policy.maxCallAgeMs))
      .limit(SWEEP_BATCH)
      .get();
    await Promise.all(snap.docs.map((d) => d.ref.delete()));
    return snap.size;
  }
}

/**
 * After a call document is deleted: delete its mailboxes and its members'
 * presence (both kinds); for a random call, keep its members, room and how
 * long it was connected for an hour (so either person can still report or
 * block the other, and the ban rule can weigh the report; calls by link keep
 * nothing: history is for moderating random calls). `call` is the deleted
 * document's data, when the trigger has it.
 */
export async function onCallEnded(
  db: Firestore,
  callId: string,
  call: Record<string, unknown> | undefined,
  nowMs: number,
): Promise<Usage> {
  const ref = db.collection(CALLS_COLLECTION).doc(callId);
  // Both kinds have presence and mailboxes. Read before anything is
  // deleted: the joiner's mailbox says whether it answered.
  const [presence, mailboxes] = await Promise.all([
    ref.collection(MEMBERS_SUBCOLLECTION).get(),
    ref.collection(SIGNALS_SUBCOLLECTION).get(),
  ]);
  const members = randomCallMembers(call);
  let writes = 0;
  if (call !== undefined && members !== null) {
    await db
      .collection(HISTORY)
      .doc(callId)
      .set({
        members,
        room: typeof call['room'] === 'string' ? call['room'] : '',
        callMs: endedCallMs(call, members, mailboxes.docs, nowMs),
        endedAt: Timestamp.fromMillis(nowMs),
        expireAt: Timestamp.fromMillis(nowMs + HISTORY_MS),
      } satisfies HistoryDoc);
    writes = 1;
  }
  const deleted = await Promise.all([presence, mailboxes].map((snap) => deleteAll(db, snap)));
  return {
    // Each query is billed at least one read.
    reads: deleted.reduce((sum, n) => sum + queryReads(n), 0),
    writes,
    deletes: deleted.reduce((sum, n) => sum + n, 0),
  };
}

/**
 * How long a random call that ended at `nowMs` was connected (domain/moderation.ts,
 * connectedMs): answered when its joiner wrote its mailbox to the waiter.
 */
function endedCallMs(
  call: Record<string, unknown>,
  members: RandomCallDoc['members'],
  mailboxes: readonly QueryDocumentSnapshot[],
  nowMs: number,
): number {
  const createdAt = call['createdAt'] as Partial<Timestamp> | undefined;
  if (typeof createdAt?.toMillis !== 'function') return 0;
  const n = mailboxes.find((m) => m.id === answerMailboxId(members))?.get('n') as unknown;
  const joinerWrites = typeof n === 'number' ? n : null;
  return connectedMs({ createdAtMs: createdAt.toMillis(), joinerWrites }, nowMs, nowMs);
}

/** Deletes the documents of a (sub)collection as read, in batches under Firestore's 500 limit; returns how many. */
async function deleteAll(db: Firestore, snap: QuerySnapshot): Promise<number> {
  for (let i = 0; i < snap.size; i += 400) {
    const batch = db.batch();
    for (const doc of snap.docs.slice(i, i + 400)) batch.delete(doc.ref);
    await batch.commit();
  }
  return snap.size;
}

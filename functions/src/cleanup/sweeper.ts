/**
 * Removes what abrupt exits leave behind: waiting entries whose page stopped
 * renewing, random calls nobody answered (a mailbox of either side never
 * written) and calls that outlived any conversation, members of calls by
 * link whose page stopped its heartbeat (and such calls once nobody live is
 * left in them), and what is left under a call that is gone (its trigger
 * missed it). Queries find what may be stale; the pure staleness and
 * membership modules decide.
 */
import { Timestamp, type DocumentSnapshot, type Firestore, type QueryDocumentSnapshot } from 'firebase-admin/firestore';
import { SWEEP_BATCH } from '../domain/limits.js';
import {
  DEFAULT_STALENESS,
  isStaleCall,
  isStaleWaitingEntry,
  type CallFacts,
  type StalenessPolicy,
} from '../domain/staleness.js';
import { HISTORY, RATE_LIMITS } from '../matching/collections.js';
import { isLinkCall, LinkCalls } from '../calls/link-calls.js';
import {
  answerMailboxIds,
  isMemberLive,
  isRandomCallAbandoned,
  randomCallMembers,
  randomCallSeenAt,
} from '../domain/membership.js';
import {
  CALLS_COLLECTION,
  JOINER_SEEN_AT_FIELD,
  MEMBERS_SUBCOLLECTION,
  presenceTiming,
  RANDOM_PRESENCE_LEASE_MS,
  QUEUE_COLLECTION,
  SIGNALS_SUBCOLLECTION,
  WAITER_SEEN_AT_FIELD,
  WAITING_SEEN_MS,
  type CallKind,
} from '../protocol/calls.js';
import { endRandomCallInto } from './call-end.js';
import { isLostRace } from '../matching/optimistic.js';

export interface SweepReport {
  readonly waitingEntries: number;
  readonly calls: number;
  /** Members (of either kind of call) removed because their lease lapsed (the calls that ended with it count in `calls`). */
  readonly lapsedMembers: number;
  /** Calls that were gone with presence (and mailboxes) still under them, cleared: their trigger missed them. */
  readonly orphanCalls: number;
  /** Mailboxes older than any call (their call's trigger failed), found without any presence beside them. */
  readonly orphanSignals: number;
  /** Expired history entries and rate-limit windows (production's TTL does this too, but slowly). */
  readonly expiredRecords: number;
}

/** What staleness.ts needs of a call document, except its joiner's mailbox. */
function callFacts(call: DocumentSnapshot): CallFacts {
  return {
    kind: isLinkCall(call.data()) ? 'link' : 'random',
    createdAtMs: (call.get('createdAt') as Timestamp).toMillis(),
  };
}

export class Sweeper {
  constructor(
    private readonly db: Firestore,
    private readonly policy: StalenessPolicy = DEFAULT_STALENESS,
    /** Told what the sweep had to skip (index.ts logs it). */
    private readonly warn: (message: string) => void = () => undefined,
    /** Documents one query of a run reads at most. */
    private readonly batch: number = SWEEP_BATCH,
  ) {}

  /**
   * Only what liveness decides (dead waiting pages, calls whose people
   * vanished): the sweep function runs this again half a minute after the
   * full sweep, so that both are gone within a minute of the last sign of
   * life although the scheduler runs it once a minute.
   */
  async sweepLapsed(nowMs: number): Promise<Pick<SweepReport, 'waitingEntries' | 'lapsedMembers' | 'calls' | 'orphanCalls'>> {
    const [waitingEntries, links] = await Promise.all([this.sweepQueue(nowMs), this.sweepLapsedMembers(nowMs)]);
    return { waitingEntries, lapsedMembers: links.lapsedMembers, calls: links.endedCalls, orphanCalls: links.orphanCalls };
  }

  async sweep(nowMs: number): Promise<SweepReport> {
    const [waitingEntries, calls] = await Promise.all([this.sweepQueue(nowMs), this.sweepCalls(nowMs)]);
    // After the calls, so members of calls deleted just now are not counted twice.
    const links = await this.sweepLapsedMembers(nowMs);
    const orphanSignals = await this.sweepOrphanSignals(nowMs);
    const expired = await Promise.all([HISTORY, RATE_LIMITS].map((c) => this.sweepExpired(c, nowMs)));
    return {
      waitingEntries,
      calls: calls + links.endedCalls,
      lapsedMembers: links.lapsedMembers,
      orphanCalls: links.orphanCalls,
      orphanSignals,
      expiredRecords: expired[0]! + expired[1]!,
    };
  }

  private async sweepExpired(collection: string, nowMs: number): Promise<number> {
    const snap = await this.db
      .collection(collection)
      .where('expireAt', '<=', Timestamp.fromMillis(nowMs))
      .limit(this.batch)
      .get();
    await Promise.all(snap.docs.map((d) => d.ref.delete()));
    return snap.size;
  }

  private async sweepQueue(nowMs: number): Promise<number> {
    // Lapsed leases (closed pages) and stopped heartbeats (dead pages): two
    // queries, as Firestore cannot OR two range filters on different fields.
    const [lapsed, silent] = await Promise.all([
      this.db.collection(QUEUE_COLLECTION).where('leaseExpiresAt', '<=', Timestamp.fromMillis(nowMs)).limit(this.batch).get(),
      this.db
        .collection(QUEUE_COLLECTION)
        .where('seenAt', '<=', Timestamp.fromMillis(nowMs - WAITING_SEEN_MS))
        .limit(this.batch)
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

  /**
   * Calls past their time, found by two queries that each return only what
   * is stale, so that a sweep reads what it ends rather than every live call:
   * calls older than the longest call (either kind), and mailboxes nobody
   * ever wrote (`n == 0`) older than the answer timeout, whose random call
   * is unanswered (membership.ts, answerMailboxIds: the joiner's first
   * write is the answer, and the waiter's page writes its own as soon as it
   * sees the match, so a live call's mailboxes are not among them; a
   * joiner that makes its own mailbox has none until it answers). The query this
   * replaced read every call older than a minute (200 at most) and each
   * random call's joiner mailbox: about 400 reads a minute at any scale, and
   * past 200 calls the newer unanswered ones were never looked at.
   */
  private async sweepCalls(nowMs: number): Promise<number> {
    const [old, unwritten] = await Promise.all([
      this.db
        .collection(CALLS_COLLECTION)
        .where('createdAt', '<=', Timestamp.fromMillis(nowMs - this.policy.maxCallAgeMs))
        .limit(this.batch)
        .get(),
      this.unlessIndexBuilds(
        this.db
          .collectionGroup(SIGNALS_SUBCOLLECTION)
          .where('n', '==', 0)
          .where('updatedAt', '<=', Timestamp.fromMillis(nowMs - this.policy.unansweredCallMs))
          .limit(this.batch)
          .get(),
        'mailboxes never written',
      ),
    ]);
    const calls = new Map<string, DocumentSnapshot>(old.docs.map((d) => [d.id, d]));
    // The calls of the unwritten mailboxes, each with the ids of its unwritten mailboxes.
    const unwrittenByCall = new Map<string, Set<string>>();
    for (const box of unwritten?.docs ?? []) {
      const callId = box.ref.parent.parent!.id;
      unwrittenByCall.set(callId, (unwrittenByCall.get(callId) ?? new Set()).add(box.id));
    }
    const toRead = [...unwrittenByCall.keys()].filter((id) => !calls.has(id));
    if (toRead.length > 0) {
      for (const call of await this.db.getAll(...toRead.map((id) => this.db.collection(CALLS_COLLECTION).doc(id)))) {
        // A mailbox whose call is gone is an orphan: sweepOrphanSignals' (and the liveness pass's).
        if (call.exists) calls.set(call.id, call);
      }
    }
    const stale = [...calls.values()].filter((call) => {
      const members = randomCallMembers(call.data());
      const unwrittenOfCall = unwrittenByCall.get(call.id);
      const unanswered = members !== null && answerMailboxIds(members).some((id) => unwrittenOfCall?.has(id) === true);
      // Answered or not: only an unwritten mailbox of the call, found above, says "not".
      return isStaleCall({ ...callFacts(call), ...(unanswered ? { joinerWrites: 0 } : {}) }, nowMs, this.policy);
    });
    await Promise.all(stale.map((call) => this.endCall(call, nowMs)));
    return stale.length;
  }

  /**
   * A query whose composite index may still be building right after the
   * deploy that declared it (FAILED_PRECONDITION): null then, with a warning,
   * so that the rest of the sweep goes on; what it would have found is found
   * by the other rules later (a lease, the longest call) and by the next sweep
   * once the index is built.
   */
  private unlessIndexBuilds<T>(query: Promise<T>, what: string): Promise<T | null> {
    return query.catch((err: unknown) => {
      if ((err as { code?: unknown }).code !== 9) throw err;
      this.warn(`sweep: the index for ${what} is not ready yet; skipped`);
      return null;
    });
  }

  /**
   * A random call ends like any (cleanup/call-end.ts: its history and
   * everything under it in the same commit; if a page wrote to it since
   * read, it is left for the next sweep); a call by link with everything
   * under it.
   */
  private async endCall(call: DocumentSnapshot, nowMs: number): Promise<void> {
    const members = randomCallMembers(call.data());
    if (members === null) {
      await this.db.recursiveDelete(call.ref);
      return;
    }
    const batch = this.db.batch();
    endRandomCallInto(batch, this.db, call, members, nowMs);
    await batch.commit().catch((err: unknown) => {
      if (!isLostRace(err)) throw err;
    });
  }

  /**
   * Members not seen for a lease. A call by link is pruned by the same code
   * as enterCall (the decision is membership.ts's), which also ends it when
   * nobody live is left. A random call ends (isRandomCallAbandoned): its
   * document goes on condition that the lapsed presence was not refreshed
   * meanwhile, with everything under it. A member refreshed meanwhile
   * stays. Presence under a call that is gone is a leftover: cleared with
   * everything under the call.
   *
   * Two queries of presence documents, one per lease (protocol/calls.ts,
   * presenceTiming): the short one only over presence of calls by link
   * (`kind`), so that it never reads the presence of live random calls
   * between their slower beats (nor fills its batch with them); the long one
   * over all presence, which finds random calls' lapsed members and anything
   * older (presence written before it had a `kind`). And two queries of
   * random calls whose presence is on the document, one per role's field
   * (JOINER_SEEN_AT_FIELD): only random calls have those fields, so their
   * automatic single-field indexes serve.
   */
  private async sweepLapsedMembers(nowMs: number): Promise<{ lapsedMembers: number; endedCalls: number; orphanCalls: number }> {
    const lapsedBefore = (kind: CallKind) => Timestamp.fromMillis(nowMs - presenceTiming(kind).leaseMs);
    const presence = this.db.collectionGroup(MEMBERS_SUBCOLLECTION);
    const callsCollection = this.db.collection(CALLS_COLLECTION);
    const [ofLinks, ofAll, ...onCalls] = await Promise.all([
      // Meanwhile enterCall and peekCall free those seats, and the long query finds them.
      this.unlessIndexBuilds(
        presence.where('kind', '==', 'link').where('seenAt', '<=', lapsedBefore('link')).limit(this.batch).get(),
        'lapsed members of calls by link',
      ),
      presence.where('seenAt', '<=', lapsedBefore('random')).limit(this.batch).get(),
      ...[JOINER_SEEN_AT_FIELD, WAITER_SEEN_AT_FIELD].map((field) =>
        callsCollection.where(field, '<=', lapsedBefore('random')).limit(this.batch).get(),
      ),
    ]);
    const found = new Map([...(ofLinks?.docs ?? []), ...ofAll.docs].map((d) => [d.ref.path, d]));
    const byCall = new Map<string, QueryDocumentSnapshot[]>();
    for (const d of found.values()) {
      const id = d.ref.parent.parent!.id;
      byCall.set(id, [...(byCall.get(id) ?? []), d]);
    }
    // Calls found by their own fields are read already; the others by id.
    const read = new Map<string, DocumentSnapshot>(onCalls.flatMap((q) => q.docs.map((d) => [d.id, d] as const)));
    const toRead = [...byCall.keys()].filter((id) => !read.has(id));
    const others = toRead.length === 0 ? [] : await this.db.getAll(...toRead.map((id) => callsCollection.doc(id)));
    const calls = [...read.values(), ...others];
    const links = new LinkCalls(this.db, () => nowMs);
    const outcomes = await Promise.all(
      calls.map(async (call): Promise<{ removed: number; ended: boolean; orphan: boolean }> => {
        const lapsed = byCall.get(call.id) ?? [];
        if (!call.exists) {
          // A leftover of a call that is gone (whatever ended it left it, or its trigger did not run):
          // nothing under it is needed any more, the history is written from the call document itself.
          await this.db.recursiveDelete(call.ref);
          return { removed: 0, ended: false, orphan: true };
        }
        if (randomCallMembers(call.data()) !== null)
          return { ...(await this.endAbandonedRandomCall(call, lapsed, nowMs)), orphan: false };
        return { ...(await links.prune(call.id, nowMs)), orphan: false };
      }),
    );
    return {
      lapsedMembers: outcomes.reduce((sum, p) => sum + p.removed, 0),
      endedCalls: outcomes.filter((p) => p.ended).length,
      orphanCalls: outcomes.filter((p) => p.orphan).length,
    };
  }

  /**
   * Ends a random call one of whose people vanished: everything under it
   * goes with it (cleanup/call-end.ts), the lapsed presence documents on
   * condition that they were not refreshed since read, and the document on
   * condition that it was not changed (a beat of a presence on the call is
   * a change). Both pages' connection records are in the call document:
   * the history takes them (a person who closes the tab on the one they
   * harassed takes nothing along).
   */
  private async endAbandonedRandomCall(
    call: DocumentSnapshot,
    lapsed: readonly QueryDocumentSnapshot[],
    nowMs: number,
  ): Promise<{ removed: number; ended: boolean }> {
    const members = randomCallMembers(call.data());
    if (members === null) return { removed: 0, ended: false };
    const documents = new Map(lapsed.map((d) => [d.id, (d.get('seenAt') as Timestamp).toMillis()]));
    const seen = new Map([...documents, ...randomCallSeenAt(call.data(), members)]);
    if (!isRandomCallAbandoned(seen, nowMs)) return { removed: 0, ended: false };
    const batch = this.db.batch();
    for (const d of lapsed) batch.delete(d.ref, { lastUpdateTime: d.updateTime });
    endRandomCallInto(batch, this.db, call, members, nowMs, new Set(documents.keys()));
    try {
      await batch.commit();
      return {
        removed: [...seen.values()].filter((at) => !isMemberLive(at, nowMs, RANDOM_PRESENCE_LEASE_MS)).length,
        ended: true,
      };
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
      .limit(this.batch)
      .get();
    await Promise.all(snap.docs.map((d) => d.ref.delete()));
    return snap.size;
  }
}

/**
 * Removes what abrupt exits leave behind: waiting entries whose page stopped
 * renewing, random calls whose joiner never answered (never wrote its
 * mailbox) and calls that outlived any conversation, members of calls by
 * link whose page stopped its heartbeat (and such calls once nobody live is
 * left in them), and what is left under a call that is gone (its trigger
 * missed it). Queries find what may be stale; the pure staleness and
 * membership modules decide.
 */
import {
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { SWEEP_BATCH } from '../domain/limits.js';
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
  presenceTiming,
  QUEUE_COLLECTION,
  SIGNALS_SUBCOLLECTION,
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
    /** Told what the sweep had to skip (index.ts logs it). */
    private readonly warn: (message: string) => void = () => undefined,
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
    await Promise.all(stale.map((c) => this.endCall(c.snap, nowMs)));
    return stale.length;
  }

  /**
   * A random call ends like any (cleanup/call-end.ts: its history and
   * everything under it in the same commit; if a page wrote to it since
   * read, it is left for the next sweep); a call by link with everything
   * under it.
   */
  private async endCall(call: QueryDocumentSnapshot, nowMs: number): Promise<void> {
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
   * meanwhile, with everything under it. A member refreshed meanwhile
   * stays. Presence under a call that is gone is a leftover: cleared with
   * everything under the call.
   *
   * Two queries, one per lease (protocol/calls.ts, presenceTiming): the
   * short one only over presence of calls by link (`kind`), so that it never
   * reads the presence of live random calls between their slower beats
   * (nor fills its batch with them); the long one over all presence, which
   * finds random calls' lapsed members and anything older (presence written
   * before it had a `kind`).
   */
  private async sweepLapsedMembers(nowMs: number): Promise<{ lapsedMembers: number; endedCalls: number; orphanCalls: number }> {
    const lapsedBefore = (kind: CallKind) => Timestamp.fromMillis(nowMs - presenceTiming(kind).leaseMs);
    const presence = this.db.collectionGroup(MEMBERS_SUBCOLLECTION);
    const [ofLinks, ofAll] = await Promise.all([
      presence
        .where('kind', '==', 'link')
        .where('seenAt', '<=', lapsedBefore('link'))
        .limit(SWEEP_BATCH)
        .get()
        .catch((err: unknown) => {
          // FAILED_PRECONDITION: its index is still building after the deploy
          // that declared it. Go on with the rest: enterCall and peekCall free
          // those seats meanwhile, and the long query finds them later.
          if ((err as { code?: unknown }).code !== 9) throw err;
          this.warn('sweep: the index for lapsed members of calls by link is not ready; only the long lease swept');
          return null;
        }),
      presence.where('seenAt', '<=', lapsedBefore('random')).limit(SWEEP_BATCH).get(),
    ]);
    const found = new Map([...(ofLinks?.docs ?? []), ...ofAll.docs].map((d) => [d.ref.path, d]));
    const byCall = new Map<string, QueryDocumentSnapshot[]>();
    for (const d of found.values()) {
      const id = d.ref.parent.parent!.id;
      byCall.set(id, [...(byCall.get(id) ?? []), d]);
    }
    const ids = [...byCall.keys()];
    const calls = ids.length === 0 ? [] : await this.db.getAll(...ids.map((id) => this.db.collection(CALLS_COLLECTION).doc(id)));
    const links = new LinkCalls(this.db, () => nowMs);
    const outcomes = await Promise.all(
      calls.map(async (call): Promise<{ removed: number; ended: boolean; orphan: boolean }> => {
        const lapsed = byCall.get(call.id)!;
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
   * goes with it (cleanup/call-end.ts), the lapsed presence on condition
   * that it was not refreshed since read. Both pages' connection records
   * are in the call document: the trigger copies them into the history (a
   * person who closes the tab on the one they harassed takes nothing along).
   */
  private async endAbandonedRandomCall(
    call: DocumentSnapshot,
    lapsed: readonly QueryDocumentSnapshot[],
    nowMs: number,
  ): Promise<{ removed: number; ended: boolean }> {
    const seen = new Map(lapsed.map((d) => [d.id, (d.get('seenAt') as Timestamp).toMillis()]));
    const members = randomCallMembers(call.data());
    if (members === null || !isRandomCallAbandoned(seen, nowMs)) return { removed: 0, ended: false };
    const batch = this.db.batch();
    for (const d of lapsed) batch.delete(d.ref, { lastUpdateTime: d.updateTime });
    endRandomCallInto(batch, this.db, call, members, nowMs, new Set(seen.keys()));
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

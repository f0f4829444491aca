/**
 * Calls by link on Firestore: `calls/{callId}` (kind 'link', members in entry
 * order), one `members/{uid}` presence document per member, and one
 * `signals/{from}_{to}` mailbox per direction between live members.
 * domain/membership.ts decides; this class reads and writes.
 *
 * Every change is a conditional batch (see matching/optimistic.ts): it
 * commits only if the call document has not changed since it was read (and
 * the presence documents it judged lapsed were not refreshed meanwhile), so
 * concurrent enters are serialised on the call document: ten people entering
 * a call of one at the same moment leave exactly five members. A batch that
 * lost reads again and decides again. No transaction: under contention the
 * server SDK's transactions queue on read locks (optimistic.ts says why),
 * while a lost conditional batch fails in one round trip.
 */
import {
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type QueryDocumentSnapshot,
} from 'firebase-admin/firestore';
import { backoffMs } from '../domain/backoff.js';
import { MAX_CALL_AGE_MS } from '../domain/limits.js';
import {
  availability,
  decideEnter,
  decideLeave,
  decidePrune,
  LINK_CALL_CAPACITY,
  mailboxesBetween,
  mailboxesOf,
  newLinkCallId,
  type LinkCallFacts,
} from '../domain/membership.js';
import { Banned, Contended } from '../domain/refusals.js';
import { UsageMeter } from '../domain/usage.js';
import { BLOCKS, bannedUntilOf } from '../matching/collections.js';
import { isLostRace, MeteredBatch, readDoc, readQuery } from '../matching/optimistic.js';
import { emptyMailbox, newPresence } from './mailboxes.js';
import {
  CALLS_COLLECTION,
  MEMBERS_SUBCOLLECTION,
  SIGNALS_SUBCOLLECTION,
  type CallAvailability,
  type CreateCallRequest,
  type CreateCallResult,
  type EnterCallResult,
  type LeaveCallResult,
  type LinkCallDoc,
} from '../protocol/calls.js';

/**
 * Conditional batches one request may lose before giving up. Ten people
 * entering one call at once take turns, one commit per round trip; a request
 * that lost this many times answers `aborted` and the page retries.
 */
const ATTEMPTS = 20;

/** A call the functions read: the document, its presence documents, and the facts the pure module needs (null: no link call). */
interface ReadCall {
  readonly snap: DocumentSnapshot;
  readonly members: ReadonlyMap<string, QueryDocumentSnapshot>;
  readonly facts: LinkCallFacts | null;
}

/** Whether a call document's data is a link call's (random calls have kind 'random'). */
export function isLinkCall(data: Record<string, unknown> | undefined): boolean {
  return data?.['kind'] === 'link';
}

/** A call by link's document as createCall writes it: the protocol's shape with its times. */
interface StoredLinkCall extends LinkCallDoc {
  readonly createdAt: Timestamp;
  readonly expireAt: Timestamp;
}

export class LinkCalls {
  constructor(
    private readonly db: Firestore,
    /** Injected so tests can move time; production uses the server clock. */
    private readonly now: () => number = Date.now,
  ) {}

  private call(callId: string): DocumentReference {
    return this.db.collection(CALLS_COLLECTION).doc(callId);
  }

  private member(callId: string, uid: string): DocumentReference {
    return this.call(callId).collection(MEMBERS_SUBCOLLECTION).doc(uid);
  }

  private mailbox(callId: string, id: string): DocumentReference {
    return this.call(callId).collection(SIGNALS_SUBCOLLECTION).doc(id);
  }

  /** `createCall`: a new link call with `uid` as its only member (and its creator). */
  async create(uid: string, request: CreateCallRequest = {}, meter = new UsageMeter()): Promise<CreateCallResult> {
    const screenIncoming = request.screenIncoming ?? true;
    await this.refuseBanned(uid, meter);
    return this.retrying<CreateCallResult>(meter, async () => {
      const nowMs = this.now();
      // A fresh id each attempt: the only race create() can lose is an id
      // already taken (never in practice at 131 bits), or the rate window.
      const callId = newLinkCallId();
      const batch = new MeteredBatch(this.db, meter);
      const call: StoredLinkCall = {
        kind: 'link',
        members: [uid],
        capacity: LINK_CALL_CAPACITY,
        creator: uid,
        screenIncoming,
        screeningChanges: 0,
        createdAt: Timestamp.fromMillis(nowMs),
        // TTL field: production deletes the call after this time, like a random call.
        expireAt: Timestamp.fromMillis(nowMs + MAX_CALL_AGE_MS),
      };
      batch.create(this.call(callId), call);
      batch.create(this.member(callId, uid), this.presence(uid, nowMs));
      return { batch, result: { callId, members: [uid], capacity: LINK_CALL_CAPACITY, screenIncoming } };
    });
  }

  /**
   * `peekCall`: what anyone with the link may know. Counts live members
   * only; lapsed members it finds are removed on the way (as by the next
   * enter), so the members' pages see them go without waiting for the sweep.
   */
  async peek(callId: string, meter = new UsageMeter()): Promise<CallAvailability> {
    return this.retrying<CallAvailability>(meter, async () => {
      const nowMs = this.now();
      const read = await this.read(callId, meter);
      const batch = new MeteredBatch(this.db, meter);
      if (read.facts !== null) {
        const prune = decidePrune(read.facts, nowMs);
        if (prune.kind === 'end') this.endInto(batch, callId, read);
        else if (prune.kind === 'drop') this.dropInto(batch, callId, read, prune.remaining, prune.lapsed);
      }
      return { batch, result: availability(read.facts, nowMs) };
    });
  }

  /** `enterCall`: take a seat, or learn that the call is full or over. */
  async enter(uid: string, callId: string, meter = new UsageMeter()): Promise<EnterCallResult> {
    await this.refuseBanned(uid, meter);
    return this.retrying<EnterCallResult>(meter, async () => {
      const nowMs = this.now();
      const read = await this.read(callId, meter);
      const batch = new MeteredBatch(this.db, meter);
      const decision = decideEnter(read.facts, uid, nowMs);
      const members = read.facts?.members ?? [];
      const capacity = read.facts?.capacity ?? LINK_CALL_CAPACITY;
      // Only `false` turns it off: a call stored before the field existed screens.
      const screenIncoming = read.snap.get('screenIncoming') !== false;
      switch (decision.kind) {
        case 'ended':
          // A link call nobody is live in, or past its age: remove what is left.
          if (read.facts !== null) this.endInto(batch, callId, read);
          return { batch, result: { status: 'ended' } };
        case 'full':
          this.dropInto(batch, callId, read, decision.live, decision.lapsed);
          return { batch, result: { status: 'full', members: decision.live.length, capacity } };
        case 'refresh': {
          this.dropInto(batch, callId, read, decision.live, decision.lapsed);
          const own = read.members.get(uid)!;
          batch.update(own.ref, { seenAt: Timestamp.fromMillis(nowMs) }, { lastUpdateTime: own.updateTime });
          return { batch, result: { status: 'entered', members: decision.live, capacity, screenIncoming } };
        }
        case 'add': {
          // The call document changes in every case, so the whole batch is
          // conditional on nobody having entered or left since it was read.
          batch.update(this.call(callId), { members: decision.members }, { lastUpdateTime: read.snap.updateTime! });
          const opened = new Set(mailboxesBetween(uid, decision.members).map((d) => d.id));
          for (const lapsedUid of decision.lapsed) {
            if (lapsedUid === uid) continue; // its presence document is replaced below
            this.deletePresenceInto(batch, read, lapsedUid);
          }
          // Mailboxes of the lapsed go, except those opened afresh below (the
          // caller's own, when it lapsed and comes back): one write per document.
          for (const d of mailboxesOf(decision.lapsed, members)) {
            if (!opened.has(d.id)) batch.delete(this.mailbox(callId, d.id));
          }
          const ownPresence = read.members.get(uid);
          if (ownPresence)
            batch.update(ownPresence.ref, { ...this.presence(uid, nowMs) }, { lastUpdateTime: ownPresence.updateTime });
          else batch.create(this.member(callId, uid), this.presence(uid, nowMs));
          for (const d of mailboxesBetween(uid, decision.members)) {
            batch.set(this.mailbox(callId, d.id), emptyMailbox(d.from, d.to, nowMs));
          }
          return { batch, result: { status: 'entered', members: decision.members, capacity, screenIncoming } };
        }
      }
    });
  }

  /** `leaveCall`: go, taking one's mailboxes along; the last one out ends the call. Idempotent. */
  async leave(uid: string, callId: string, meter = new UsageMeter()): Promise<LeaveCallResult> {
    return this.retrying<LeaveCallResult>(meter, async () => {
      const nowMs = this.now();
      const read = await this.read(callId, meter);
      const batch = new MeteredBatch(this.db, meter);
      const decision = decideLeave(read.facts, uid, nowMs);
      switch (decision.kind) {
        case 'not-member':
          return { batch, result: { left: false, ended: decision.ended } };
        case 'end':
          this.endInto(batch, callId, read, uid);
          return { batch, result: { left: true, ended: true } };
        case 'leave':
          this.dropInto(batch, callId, read, decision.remaining, decision.leaving, uid);
          return { batch, result: { left: true, ended: false } };
      }
    });
  }

  /**
   * The sweeper's part: remove lapsed members of one call (and end it if
   * nobody live is left). Presence documents of a call that no longer
   * exists are deleted too. Returns how many members it removed.
   */
  async prune(
    callId: string,
    nowMs: number,
    meter = new UsageMeter(),
  ): Promise<{ readonly removed: number; readonly ended: boolean }> {
    return this.retrying<{ readonly removed: number; readonly ended: boolean }>(meter, async () => {
      const read = await this.read(callId, meter);
      const batch = new MeteredBatch(this.db, meter);
      if (read.facts === null) {
        // Orphans: the call is gone (its trigger failed) or is not a link call.
        for (const m of read.members.values()) batch.delete(m.ref);
        return { batch, result: { removed: read.members.size, ended: !read.snap.exists } };
      }
      const decision = decidePrune(read.facts, nowMs);
      switch (decision.kind) {
        case 'keep':
          return { batch, result: { removed: 0, ended: false } };
        case 'end':
          this.endInto(batch, callId, read);
          return { batch, result: { removed: read.facts.members.length, ended: true } };
        case 'drop':
          this.dropInto(batch, callId, read, decision.remaining, decision.lapsed);
          return { batch, result: { removed: decision.lapsed.length, ended: false } };
      }
    });
  }

  /** The call, and the presence of its members; facts only for a link call. */
  private async read(callId: string, meter: UsageMeter): Promise<ReadCall> {
    const ref = this.call(callId);
    const [snap, presence] = await Promise.all([
      readDoc(ref, meter),
      readQuery(ref.collection(MEMBERS_SUBCOLLECTION), meter, 'calls/members'),
    ]);
    const members = new Map(presence.docs.map((d) => [d.id, d]));
    if (!snap.exists || !isLinkCall(snap.data())) return { snap, members, facts: null };
    const seenAtMs = new Map<string, number>();
    for (const [uid, d] of members) {
      const seenAt = d.get('seenAt') as Timestamp | undefined;
      if (seenAt instanceof Timestamp) seenAtMs.set(uid, seenAt.toMillis());
    }
    const listed = snap.get('members') as unknown;
    return {
      snap,
      members,
      facts: {
        members: Array.isArray(listed) ? listed.filter((m): m is string => typeof m === 'string') : [],
        capacity: (snap.get('capacity') as number | undefined) ?? LINK_CALL_CAPACITY,
        createdAtMs: (snap.get('createdAt') as Timestamp).toMillis(),
        seenAtMs,
      },
    };
  }

  /**
   * Adds to `batch`: `leaving` go (presence, mailboxes with every member)
   * and `remaining` become the call's members. Nothing when nobody leaves.
   * `self` is the caller leaving on purpose: its presence goes whatever its
   * last heartbeat; others' only if not refreshed since they were read.
   */
  private dropInto(
    batch: MeteredBatch,
    callId: string,
    read: ReadCall,
    remaining: readonly string[],
    leaving: readonly string[],
    self?: string,
  ): void {
    if (leaving.length === 0) return;
    batch.update(this.call(callId), { members: [...remaining] }, { lastUpdateTime: read.snap.updateTime! });
    for (const uid of leaving) {
      if (uid === self) batch.delete(this.member(callId, uid));
      else this.deletePresenceInto(batch, read, uid);
    }
    for (const d of mailboxesOf(leaving, read.facts?.members ?? [])) batch.delete(this.mailbox(callId, d.id));
  }

  /** Adds to `batch` the end of the call: the document (if unchanged), every presence and mailbox. */
  private endInto(batch: MeteredBatch, callId: string, read: ReadCall, self?: string): void {
    batch.delete(this.call(callId), { lastUpdateTime: read.snap.updateTime! });
    const members = read.facts?.members ?? [];
    for (const uid of new Set([...members, ...read.members.keys()])) {
      if (uid === self) batch.delete(this.member(callId, uid));
      else this.deletePresenceInto(batch, read, uid);
    }
    // The onCallDeleted trigger deletes the subcollections too; doing it here
    // means a page never sees a mailbox outlive its call.
    for (const d of mailboxesOf(members, members)) batch.delete(this.mailbox(callId, d.id));
  }

  /** Deletes a member's presence on condition it was not refreshed since read (a late heartbeat makes it live again). */
  private deletePresenceInto(batch: MeteredBatch, read: ReadCall, uid: string): void {
    const snap = read.members.get(uid);
    if (snap) batch.delete(snap.ref, { lastUpdateTime: snap.updateTime });
  }

  private presence(uid: string, nowMs: number) {
    return newPresence(uid, 'link', nowMs);
  }

  /** Refuses someone banned for reports (like join does): permission-denied with when it ends. */
  private async refuseBanned(uid: string, meter: UsageMeter): Promise<void> {
    const until = bannedUntilOf(await readDoc(this.db.collection(BLOCKS).doc(uid), meter));
    if (until > this.now()) throw new Banned(until);
  }

  /** Runs `attempt` (read, decide, fill a batch) until its batch commits without losing a race. */
  private async retrying<T>(meter: UsageMeter, attempt: () => Promise<{ batch: MeteredBatch; result: T }>): Promise<T> {
    for (let n = 1; n <= ATTEMPTS; n++) {
      const { batch, result } = await attempt();
      if (batch.size === 0) return result;
      try {
        await batch.commit();
        return result;
      } catch (err) {
        if (!isLostRace(err)) throw err;
        meter.lostRace('enter call');
        // Jittered, so that the losers of one round do not all collide again.
        await new Promise((r) => setTimeout(r, backoffMs(n, Math.random, 20, 400)));
      }
    }
    throw new Contended('Many people entered or left this call at the same moment. Try again in a second.');
  }
}

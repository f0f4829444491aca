/**
 * Pairing on Firestore: the waiting queue and the creation of calls, such that
 * nobody is paired twice, with themself, or outside their pools, however the
 * joins interleave — and without a document that every join must lock.
 *
 * How (docs/SCALING.md has the argument in full):
 * - Reads take no locks. Every write is conditional on what was read (see
 *   optimistic.ts): taking a waiter deletes their entry only if it is
 *   unchanged, creates the call only if its id is free, and removes one's own
 *   entry only if nobody took it meanwhile. A join that lost a race reads
 *   again; contention is only between joiners that picked the same waiter,
 *   and PAIRING_SPREAD makes simultaneous joiners pick different ones. The
 *   joins one instance runs at once also pass over the waiters the others
 *   are taking (claims.ts): a hint that spares their races, never a lock.
 * - No lost matches: two people who queue at the same moment in one pool
 *   might each see nobody. So after queuing, a joiner looks once more, for
 *   entries queued no later than its own (createdAt is the commit time), and
 *   takes one. Of any two entries, the later one's look happens after both
 *   commits, so it sees the earlier: two compatible people never both stay
 *   waiting.
 * - Blocks hold from the moment they are made, both ways: the joiner's own
 *   list is read with its other facts, a waiter's is in its entry (Report
 *   and Block update a waiting blocker's entry at once), and the waiter
 *   about to be taken has its blocks read once more (see confirmedPartner).
 * - And from the moment the page says so: whom the page blocked or reported
 *   lately comes with each join (`avoid`) and is kept in the entry, so a
 *   block whose own request is still on its way (a cold function) holds
 *   too, both ways (domain/pairing.ts, refuses).
 *
 * Rate limits are the RequestGate's (handlers/auth.ts), refused or not:
 * a join's count comes in as `count` and is written in the join's own
 * commit; leave passed the gate before it started.
 */
import { isDeepStrictEqual } from 'node:util';
import { FieldValue, Timestamp, type DocumentReference, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import {
  DEFAULT_WIDEN_AFTER_MS,
  MAX_CALL_AGE_MS,
  PAIRING_ATTEMPTS,
  PAIRING_SCAN_LIMIT,
  PAIRING_SCAN_PAGES,
  PAIRING_SPREAD,
  SKIP_MEMORY_MS,
  SKIP_MEMORY_SIZE,
  WAITING_LEASE_MS,
} from '../domain/limits.js';
import { randomCallMembers } from '../domain/membership.js';
import { MAX_BLOCKED } from '../domain/moderation.js';
import { Banned, Contended } from '../domain/refusals.js';
import {
  choosePartnerAround,
  isLeaseLive,
  sharedPool,
  widening,
  type Seeker,
  type WaitingEntry,
  type Widening,
} from '../domain/pairing.js';
import type { JoinRequest } from '../domain/requests.js';
import { PairingClaims, type Claim, type EntryVersion } from './claims.js';
import {
  CALLS_COLLECTION,
  JOINER_SEEN_AT_FIELD,
  PRESENCE_MIN_GAP_MS,
  QUEUE_COLLECTION,
  WAITER_SEEN_AT_FIELD,
  type JoinResult,
  type LeaveRequest,
  type LeaveResult,
  type RandomCallDoc,
  type SessionDescription,
} from '../protocol/calls.js';
import type { RoomId } from '../protocol/rooms.js';
import { UsageMeter } from '../domain/usage.js';
import { emptyMailbox, mailboxRef, newPresence, presenceRef } from '../calls/mailboxes.js';
import { endRandomCallsInto } from '../cleanup/call-end.js';
import { BLOCKS, HISTORY, bannedUntilOf } from './collections.js';
import { isLostRace, MeteredBatch, readDoc, readQuery } from './optimistic.js';
import type { RequestCount } from './rate-limit.js';

/** The queue and pairing, as the callables see them. */
export interface Matchmaker {
  /**
   * Ends the caller's calls, then pairs them with someone waiting in their
   * pools or queues them. Operations are added to `meter` as Firestore bills them.
   * With `count` (the RequestGate's), the request is counted in the join's
   * own commit, and refused before any write if its window is full.
   */
  join(uid: string, request: JoinRequest, meter?: UsageMeter, count?: RequestCount): Promise<JoinResult>;
  /** Ends everything of random chat the caller is part of: their waiting entry and their random calls. */
  leave(uid: string, request?: LeaveRequest, meter?: UsageMeter): Promise<LeaveResult>;
}

/** A `queue/{uid}` document. Written only by the functions. */
export interface QueueDoc {
  readonly uid: string;
  /** The room the person chose. */
  readonly room: RoomId;
  /** Where pairing looks for this entry: the room, and 'any' once widened. */
  readonly pools: readonly RoomId[];
  /** The waiter's offer: the first description of the call it will be in. */
  readonly offer: SessionDescription & { readonly type: 'offer' };
  /** The id the call will have, so the waiting page can listen for it. */
  readonly callId: string;
  /** Whom this person blocked: copied at join, and updated by Report and Block while the person waits. */
  readonly blocked: readonly string[];
  /** Whom this person's page asked to avoid with its last join (recent blocks and reports, maybe not stored yet). */
  readonly avoid: readonly string[];
  /** Whom this person was paired with a moment ago (skip memory). */
  readonly recent: readonly string[];
  /** When the person started waiting: the commit time of the first entry, kept by renewals. */
  readonly createdAt: Timestamp;
  readonly leaseExpiresAt: Timestamp;
  /** The page's last sign of life: set by join, then by the page's heartbeat (the rules let it write only this). */
  readonly seenAt?: Timestamp;
  /** The page beats its call's document rather than a presence document (JoinRequest.presenceOnCall); absent: false. */
  readonly presenceOnCall?: boolean;
  /** TTL field: production deletes the document after this time. */
  readonly expireAt: Timestamp;
}

/**
 * A random call's `calls/{callId}` document as `join` creates it: the
 * protocol's shape (members `[joiner, waiter]`, who may read it and by which
 * join and leave find one's calls) with its times. Everything after the
 * waiter's offer (the answer, candidates, later descriptions both ways) goes
 * through the two mailboxes, created in the same batch.
 */
interface StoredRandomCall extends RandomCallDoc {
  readonly createdAt: Timestamp;
  /** Presence of the members whose pages beat the call (protocol/calls.ts, JOINER_SEEN_AT_FIELD). */
  readonly joinerSeenAt?: Timestamp;
  readonly waiterSeenAt?: Timestamp;
  /** TTL field: production deletes the document after this time. */
  readonly expireAt: Timestamp;
}

/** Deployment settings of matching (functions/src/config.ts reads them from parameters). */
export interface MatchingSettings {
  /** Wait before a quiet room's entry is also offered to Anyone; 0 turns widening off. */
  readonly widenAfterMs: number;
}

export const DEFAULT_MATCHING_SETTINGS: MatchingSettings = { widenAfterMs: DEFAULT_WIDEN_AFTER_MS };

/** Facts about the joiner that hold for the whole join. */
interface PersonFacts {
  readonly blocked: readonly string[];
  readonly recentPartners: readonly string[];
}

/** The other members of a random call or history entry. */
function partnersOf(members: unknown, uid: string): string[] {
  return (Array.isArray(members) ? (members as string[]) : []).filter((m) => m !== uid);
}

/**
 * The joiner's blocked list: as read at the start of the join, with any
 * newer block that Report or Block wrote into the joiner's entry since
 * (blocks are only ever added; newest last, capped like the blocks document).
 */
function withEntryBlocks(blocked: readonly string[], entry: QueueDoc | undefined): string[] {
  const all = [...new Set([...blocked, ...(entry?.blocked ?? [])])];
  return all.slice(Math.max(0, all.length - MAX_BLOCKED));
}

/**
 * What a renewal's own entry already carries of what pairing must respect,
 * in place of reading the ban, the blocks and the history again every 15 s
 * (three of a renewal's seven reads). It is current: the join that wrote it
 * read all three; a ban deletes the entry in its own commit (so a banned
 * person's renewal finds no entry and reads them all); Report and Block
 * copy every new block into it; and a person who waits is in no call whose
 * end would add a recent partner. Its `recent` stays for the wait instead of
 * SKIP_MEMORY_MS after the call: skip memory only decides who goes first.
 */
function carriedFacts(entry: QueueDoc): PersonFacts {
  return { blocked: entry.blocked ?? [], recentPartners: entry.recent ?? [] };
}

/** Whether an entry read as `read` is now `now` but for its heartbeat (`seenAt`). */
function sameBesidesBeat(read: QueueDoc, now: QueueDoc): boolean {
  const fields = new Set([...Object.keys(read), ...Object.keys(now)]);
  fields.delete('seenAt');
  return [...fields].every((f) => isDeepStrictEqual(read[f as keyof QueueDoc], now[f as keyof QueueDoc]));
}

type Candidate = WaitingEntry & { readonly doc: QueueDoc; readonly snap: DocumentSnapshot<QueueDoc> };

/**
 * Where a scan goes on: for each pool whose page came back full, the last
 * entry of that page (the next page starts after it). Empty: nothing beyond.
 */
type ScanFrom = ReadonlyMap<string, DocumentSnapshot<QueueDoc>>;

/** One page of a scan of the queue: its entries (deduplicated across pools), and where the next page starts. */
interface ScanPage {
  readonly entries: Candidate[];
  readonly next: ScanFrom;
}

/** Reads a page of waiting entries: the first, or the one after `from`. */
type Scan = (from?: ScanFrom) => Promise<ScanPage>;

/** A partner chosen and confirmed, claimed on this instance until its pairing is decided. */
interface Chosen {
  readonly partner: Candidate;
  readonly claim: Claim;
}

/** An update time as claims.ts keys it. */
function versionOf(time: Timestamp): string {
  return `${time.seconds}.${time.nanoseconds}`;
}

/** The entry as read, as claims.ts knows it. */
function entryVersion(c: Candidate): EntryVersion {
  return { uid: c.uid, version: c.snap.updateTime ? versionOf(c.snap.updateTime) : '' };
}

function toCandidate(snap: DocumentSnapshot<QueueDoc>): Candidate {
  const doc = snap.data()!;
  return {
    uid: doc.uid,
    room: doc.room,
    pools: doc.pools ?? [doc.room],
    createdAtMs: doc.createdAt.toMillis(),
    leaseExpiresAtMs: doc.leaseExpiresAt.toMillis(),
    ...(doc.seenAt instanceof Timestamp ? { seenAtMs: doc.seenAt.toMillis() } : {}),
    blocked: doc.blocked ?? [],
    avoid: doc.avoid ?? [],
    recent: doc.recent ?? [],
    doc,
    snap,
  };
}

/** What the joiner's page said of itself in its join: where its presence is kept, who makes its mailbox. */
interface JoinerPage {
  readonly presenceOnCall: boolean;
  readonly makesOwnMailbox: boolean;
}

/** A queued entry, as its owner knows it after the commit. */
interface Queued {
  readonly ref: DocumentReference<QueueDoc>;
  readonly updateTime: Timestamp;
  readonly createdAt: Timestamp;
  readonly callId: string;
  readonly widening: Widening;
  readonly seeker: Seeker;
  /** JoinRequest.presenceOnCall and makesOwnMailbox of the join that queued it: the call this look makes has the seeker as its joiner. */
  readonly joinerPage: JoinerPage;
  /** True when an entry that kept its place entered a pool it was not in (widened): others there never saw it. */
  readonly newPools: boolean;
}

export class FirestoreMatchmaker implements Matchmaker {
  /** The entries this instance's joins are taking now and took a moment ago (claims.ts): one per instance. */
  private readonly claims: PairingClaims;

  constructor(
    private readonly db: Firestore,
    /** Injected so tests can move time; production uses the server clock. */
    private readonly now: () => number = Date.now,
    /** Read per request, so deploy-time parameters apply (functions/src/config.ts). */
    private readonly settings: () => MatchingSettings = () => DEFAULT_MATCHING_SETTINGS,
  ) {
    this.claims = new PairingClaims(now);
  }

  private get queue() {
    return this.db.collection(QUEUE_COLLECTION);
  }

  private get calls() {
    return this.db.collection(CALLS_COLLECTION);
  }

  /**
   * The random calls `uid` is in (one, unless something went wrong). Not
   * its calls by link: random chat never ends those.
   */
  private randomCallsOf(uid: string) {
    return this.calls.where('members', 'array-contains', uid).where('kind', '==', 'random');
  }

  async join(
    uid: string,
    {
      room,
      offer,
      renewing,
      widen,
      avoid = [],
      presenceOnCall = false,
      makesOwnMailbox = false,
      recent: recentFromPage,
      leaving,
    }: JoinRequest,
    meter = new UsageMeter(),
    count?: RequestCount,
  ): Promise<JoinResult> {
    const ownRef = this.queue.doc(uid) as DocumentReference<QueueDoc>;
    const joinerPage: JoinerPage = { presenceOnCall, makesOwnMailbox };
    // Ban, blocks and recent partners do not change within one join: read
    // with the first attempt, reused by the retries of a lost race. A
    // renewal reads them only when its entry is gone (see carriedFacts).
    let read: Promise<PersonFacts> | undefined;
    // The page's word on what it holds here, taken until a commit loses a
    // race (then everything is read: the word may have been wrong).
    let said = leaving;
    for (let attempt = 1; attempt <= PAIRING_ATTEMPTS; attempt++) {
      const nowMs = this.now();
      if (renewing === undefined) read ??= this.personFacts(uid, nowMs, meter, recentFromPage);
      const [own, ownCalls] = await meter.timed(
        'reads',
        Promise.all([...this.ownEntryAndCalls(ownRef, uid, renewing !== undefined, said, meter), read, count?.check()] as const),
      );
      said = undefined;
      const commit = (batch: MeteredBatch) => meter.timed('commit', count ? count.commit(batch) : batch.commit());

      // A renewal that crossed its own match: the call it waits for exists,
      // with the caller as its waiter (the second member). Change nothing
      // (ending it would drop the partner) and say so: a page whose listener
      // missed the call's creation learns it here.
      const crossed = renewing === undefined ? undefined : ownCalls.find((c) => c.id === renewing);
      const crossedMembers = crossed && randomCallMembers(crossed.data());
      if (crossed && crossedMembers?.[1] === uid) {
        return { status: 'paired', callId: crossed.id, members: crossedMembers };
      }

      // A renewal from the same room keeps its place in line and its call id
      // (the page is already listening for that call).
      const previous = own?.exists ? own.data() : undefined;
      const keepsPlace = own !== null && previous !== undefined && previous.room === room && isLeaseLive(toCandidate(own), nowMs);
      const carried = renewing !== undefined && keepsPlace && previous.callId === renewing ? carriedFacts(previous) : null;
      const { blocked: blockedAtStart, recentPartners } =
        carried ?? (await meter.timed('reads', (read ??= this.personFacts(uid, nowMs, meter, recentFromPage))));
      // A block made during this join (after its facts were read) is in the
      // entry by now: Report and Block write it there (moderation/moderator.ts).
      const blocked = withEntryBlocks(blockedAtStart, previous);
      // Skip memory: partners of the calls this join ends, and of calls that
      // ended a moment ago.
      const recent = [...new Set([...ownCalls.flatMap((c) => partnersOf(c.get('members'), uid)), ...recentPartners])].slice(
        0,
        SKIP_MEMORY_SIZE,
      );
      const waitingSinceMs = keepsPlace ? previous.createdAt.toMillis() : nowMs;
      const widened = widening(room, widen, waitingSinceMs, nowMs, this.settings().widenAfterMs);
      const seeker: Seeker = {
        uid,
        pools: widened.pools,
        blocked: new Set(blocked),
        avoid: new Set(avoid),
        recent: new Set(recent),
      };

      // Longest wait first; only after a lost race (a stampede) spread out.
      const partner = await this.confirmedPartner(
        seeker,
        (from) => meter.timed('scan', this.candidates(widened.pools, null, meter, 'queue (scan)', from)),
        attempt === 1 ? 1 : PAIRING_SPREAD,
        meter,
      );

      // Whoever joins leaves every call they were in: one person, one call.
      // Deleting the call document is what tells the partner "stranger left";
      // everything under it goes in the same commit (cleanup/call-end.ts).
      const batchEndingOwnCalls = () => {
        const batch = new MeteredBatch(this.db, meter);
        endRandomCallsInto(batch, this.db, ownCalls, nowMs);
        return batch;
      };

      if (partner !== null) {
        const matched = await this.commitPairing(
          partner,
          { uid, ...(own?.exists ? { entry: own.updateTime! } : {}) },
          (taken) => {
            const batch = batchEndingOwnCalls();
            const result = this.pairInto(batch, taken, seeker, joinerPage, nowMs);
            if (own?.exists) batch.delete(ownRef, { lastUpdateTime: own.updateTime! });
            return commit(batch).then(() => result);
          },
          meter,
          'scan',
        );
        if (matched !== null) return matched;
        count?.reread();
        continue;
      }

      const batch = batchEndingOwnCalls();
      const callId = keepsPlace ? previous.callId : this.calls.doc().id;
      const entry = {
        uid,
        room,
        pools: widened.pools as RoomId[],
        offer,
        callId,
        blocked,
        avoid,
        recent,
        presenceOnCall,
        // The commit time: it orders entries the way the look after queuing needs.
        createdAt: keepsPlace ? previous.createdAt : FieldValue.serverTimestamp(),
        leaseExpiresAt: Timestamp.fromMillis(nowMs + WAITING_LEASE_MS),
        // The commit time too, not the attempt's start: the page is alive
        // while its join runs, and a join slowed by a burst (seconds under
        // load) must not queue an entry that others already take for dead.
        seenAt: FieldValue.serverTimestamp(),
        expireAt: Timestamp.fromMillis(nowMs + 2 * WAITING_LEASE_MS),
      };
      const entryIndex = batch.size;
      if (own?.exists) batch.update(ownRef, entry, { lastUpdateTime: own.updateTime! });
      // Fails if an entry exists that was not read (the page said it had none): read all, then try again.
      else batch.create(ownRef, entry);
      let results;
      try {
        results = await commit(batch);
      } catch (err) {
        if (!isLostRace(err)) throw err;
        meter.lostRace('queueing');
        count?.reread();
        continue;
      }
      const updateTime = results[entryIndex]!.writeTime;
      const previousPools: readonly string[] = keepsPlace ? (previous.pools ?? [previous.room]) : [];
      return this.lookAgain(
        {
          ref: ownRef,
          updateTime,
          createdAt: keepsPlace ? previous.createdAt : updateTime,
          callId,
          widening: widened,
          seeker,
          joinerPage,
          // A new entry's createdAt is this commit: "no later than us" is everyone before it.
          newPools: keepsPlace && widened.pools.some((p) => !previousPools.includes(p)),
        },
        meter,
      );
    }
    throw new Contended();
  }

  /**
   * The caller's queue entry (`null`: not read, the page said it has none)
   * and the random calls it is in, the ones this join ends.
   *
   * A renewal reads its entry first, and the calls only when the entry is
   * gone: a person whose entry exists is in no random call (a pairing
   * deletes the waiter's entry in the commit that creates the call, and a
   * join that pairs or queues ends the joiner's calls in the commit that
   * writes or deletes its entry), so a renewal in place reads one document
   * less every 15 s.
   *
   * A page that says what it holds (JoinRequest.leaving) is taken at its
   * word: `null`, nothing is read; a call id, that call alone, ended if the
   * caller is one of its members (and then, by the same rule the other way
   * round, the caller has no entry). A word that was wrong costs nobody
   * else anything: an entry it hid makes this join's create of its entry
   * lose (it then reads all and tries again), and a random call it hid is
   * the caller's own, ended by the sweep once its presence lapses, as a
   * killed tab's is. Any other join reads both at once: the calls are on
   * the way of a Start or a Next, which cannot wait for one more round trip.
   */
  private ownEntryAndCalls(
    ownRef: DocumentReference<QueueDoc>,
    uid: string,
    renewal: boolean,
    leaving: string | null | undefined,
    meter: UsageMeter,
  ): [Promise<DocumentSnapshot<QueueDoc> | null>, Promise<DocumentSnapshot[]>] {
    if (!renewal && leaving === null) return [Promise.resolve(null), Promise.resolve([])];
    if (!renewal && typeof leaving === 'string') {
      return [Promise.resolve(null), this.namedRandomCall(leaving, uid, meter).then((call) => (call ? [call] : []))];
    }
    const own = readDoc(ownRef, meter, 'queue (own entry)');
    const calls = () => readQuery(this.randomCallsOf(uid), meter, 'calls (own)').then((q) => q.docs);
    return [own, renewal ? own.then((entry) => (entry.exists ? [] : calls())) : calls()];
  }

  /**
   * What pairing must respect about the person: refuses the banned; whom
   * they blocked and met a moment ago. `recent`: the page's own skip memory
   * (JoinRequest.recent), taken instead of querying the history: skip
   * memory only decides who goes first, so the page's word is enough.
   */
  private async personFacts(
    uid: string,
    nowMs: number,
    meter: UsageMeter,
    recent: readonly string[] | undefined,
  ): Promise<PersonFacts> {
    // One document holds the blocks and the ban (collections.ts, BANNED_UNTIL).
    const [blocks, history] = await Promise.all([
      readDoc(this.db.collection(BLOCKS).doc(uid), meter, 'blocks and ban (own)'),
      recent !== undefined
        ? null
        : // Written by whatever ended the call, in the same commit.
          readQuery(
            this.db
              .collection(HISTORY)
              .where('members', 'array-contains', uid)
              .where('endedAt', '>', Timestamp.fromMillis(nowMs - SKIP_MEMORY_MS))
              .orderBy('endedAt', 'desc')
              .limit(SKIP_MEMORY_SIZE),
            meter,
            'history (skip memory)',
          ),
    ]);
    const bannedUntil = bannedUntilOf(blocks);
    if (bannedUntil > nowMs) throw new Banned(bannedUntil);
    return {
      blocked: blocks.exists ? ((blocks.get('blocked') as string[] | undefined) ?? []) : [],
      recentPartners: history === null ? [...(recent ?? [])] : history.docs.flatMap((h) => partnersOf(h.get('members'), uid)),
    };
  }

  /**
   * After queuing: take someone compatible who queued no later than us (see
   * the header), or stay queued. Never throws a lost race: at worst the entry
   * stays queued and the page's next renewal looks again.
   */
  private async lookAgain(queued: Queued, meter: UsageMeter): Promise<JoinResult> {
    const waiting: JoinResult = {
      status: 'waiting',
      callId: queued.callId,
      widened: queued.widening.widened,
      widenInMs: queued.widening.widenInMs,
    };
    for (let attempt = 1; attempt <= PAIRING_ATTEMPTS; attempt++) {
      // Another join of this instance is taking us: if it commits, our call
      // is made (the page is listening for it); if not, look as before.
      if (await this.claims.settled(queued.seeker.uid)) return waiting;
      const nowMs = this.now();
      // An entry that just entered a pool (new, or widened) must look at the
      // whole pool; a renewal in place only at those who came before it.
      const partner = await this.confirmedPartner(
        queued.seeker,
        (from) =>
          meter.timed(
            'look again',
            this.candidates(queued.seeker.pools, queued.newPools ? null : queued.createdAt, meter, 'queue (look again)', from),
          ),
        attempt === 1 ? 1 : PAIRING_SPREAD,
        meter,
      );
      if (partner === null) return waiting;
      const matched = await this.commitPairing(
        partner,
        { uid: queued.seeker.uid, entry: queued.updateTime },
        (taken) => {
          const batch = new MeteredBatch(this.db, meter);
          const result = this.pairInto(batch, taken, queued.seeker, queued.joinerPage, nowMs);
          batch.delete(queued.ref, { lastUpdateTime: queued.updateTime });
          return meter.timed('commit', batch.commit()).then(() => result);
        },
        meter,
        'look again',
      );
      if (matched !== null) return matched;
      // Lost: either someone took us (our call is being created: wait for it)
      // or someone took our partner (look again).
      const own = await readDoc(queued.ref, meter, 'queue (own entry)');
      if (!own.exists || !own.updateTime?.isEqual(queued.updateTime)) return waiting;
    }
    return waiting;
  }

  /**
   * Commits a pairing with the chosen partner (`commit` builds the batch for
   * the entry given and commits it), or returns null when it lost a race;
   * either way the claim on the two is released (claims.ts). `seeker.entry`:
   * the seeker's own entry the batch deletes, if it has one.
   */
  private async commitPairing(
    { partner, claim }: Chosen,
    seeker: { readonly uid: string; readonly entry?: Timestamp },
    commit: (partner: Candidate) => Promise<JoinResult>,
    meter: UsageMeter,
    where: 'scan' | 'look again',
  ): Promise<JoinResult | null> {
    // Once committed, the entries it deleted are remembered as taken.
    let taken = partner;
    let result: JoinResult | null = null;
    try {
      result = await this.commitOrRetryAfterBeat(partner, commit, meter, where, (c) => (taken = c));
      return result;
    } finally {
      claim.release(
        result === null
          ? null
          : [entryVersion(taken), ...(seeker.entry ? [{ uid: seeker.uid, version: versionOf(seeker.entry) }] : [])],
      );
    }
  }

  /**
   * commitPairing's commit, once more if the entry changed only by a beat.
   * A waiting page writes `seenAt` on its entry every WAITING_HEARTBEAT_MS,
   * which changes the entry's update time, so a pairing that read the entry
   * just before a beat loses its conditional delete although the waiter is
   * as free as it was. So after a loss the entry is read again and, if only
   * `seenAt` changed, the same pairing commits once more against it: a beat
   * costs one read and one commit instead of the whole join's retry (and in
   * a busy pool, maybe another waiter). Not when the entry was seen less than
   * PRESENCE_MIN_GAP_MS before, the rules' least gap between two beats: then
   * the loss was a real race, and reading would be waste. `tried` learns
   * the entry the second commit used.
   */
  private async commitOrRetryAfterBeat(
    partner: Candidate,
    commit: (partner: Candidate) => Promise<JoinResult>,
    meter: UsageMeter,
    where: 'scan' | 'look again',
    tried: (entry: Candidate) => void,
  ): Promise<JoinResult | null> {
    try {
      return await commit(partner);
    } catch (err) {
      if (!isLostRace(err)) throw err;
      meter.lostRace(`pairing (${where})`);
    }
    if (partner.seenAtMs !== undefined && this.now() - partner.seenAtMs < PRESENCE_MIN_GAP_MS) return null;
    const now = await readDoc(partner.snap.ref as DocumentReference<QueueDoc>, meter, 'queue (partner, after a lost race)');
    if (!now.exists || !sameBesidesBeat(partner.doc, now.data()!)) return null;
    const again = toCandidate(now);
    tried(again);
    try {
      return await commit(again);
    } catch (err) {
      if (!isLostRace(err)) throw err;
      meter.lostRace(`pairing (${where}, after a beat)`);
      return null;
    }
  }

  /**
   * choosePartner, confirmed against the chosen waiter's blocks as they are
   * now. Its entry's copy is current for every block made while it waited
   * (Report and Block update it, and a pairing that read it before loses its
   * conditional commit), but not for one made while the waiter's own join
   * was writing the entry: that join read the blocks before the block and
   * found no entry to update. One read per pairing closes that gap; a waiter
   * found to block the seeker is passed over like any other blocked one.
   */
  private async confirmedPartner(seeker: Seeker, scan: Scan, spread: number, meter: UsageMeter): Promise<Chosen | null> {
    // An entry a pairing of this instance deleted may still be in a scan that began before it.
    const fresh = (page: ScanPage) => page.entries.filter((c) => !this.claims.wasTaken(entryVersion(c)));
    let page = await scan();
    let pages = 1;
    let left = fresh(page);
    // Whether `left` is what pairings of this instance left of an earlier scan.
    let stale = false;
    for (let waits = 0; ;) {
      // After PAIRING_ATTEMPTS waits, choose as if this instance took nobody: the commit decides.
      const taking = waits < PAIRING_ATTEMPTS ? (c: Candidate) => this.claims.isTaking(c.uid) : () => false;
      const choice = choosePartnerAround(seeker, left, this.now(), taking, { spread });
      if (choice === null) {
        if (stale) {
          // Nobody left of that scan, but it held at most PAIRING_SCAN_LIMIT
          // entries a pool: whoever waits beyond them may be the one
          // compatible person left (lost otherwise: both would wait). Scan again.
          page = await scan();
          pages = 1;
        } else if (page.next.size > 0 && pages < PAIRING_SCAN_PAGES) {
          // Nobody on this page could be taken (dead pages, people who
          // refuse the seeker), and it was full: the one who fits may be
          // behind them. Without this, ten such entries at the head of a
          // pool would hide everyone behind them until they lapse.
          page = await scan(page.next);
          pages++;
        } else {
          return null;
        }
        left = fresh(page);
        stale = false;
        continue;
      }
      if ('waitFor' in choice) {
        // The best are all being taken here: wait for those pairings, then choose among what they left.
        waits++;
        await meter.timed('claims', Promise.all(choice.waitFor.map((c) => this.claims.settled(c.uid))));
        left = left.filter((c) => !this.claims.wasTaken(entryVersion(c)));
        stale = true;
        continue;
      }
      const partner = choice.partner;
      // Claimed from the choice on, so that joins of this instance choosing
      // meanwhile pass over this waiter.
      const claim = this.claims.reserve([seeker.uid, partner.uid]);
      let blocks;
      try {
        blocks = await meter.timed('confirm', readDoc(this.db.collection(BLOCKS).doc(partner.uid), meter, 'blocks (partner)'));
      } catch (err) {
        claim.release(null);
        throw err;
      }
      const blocked = blocks.exists ? ((blocks.get('blocked') as string[] | undefined) ?? []) : [];
      if (!blocked.includes(seeker.uid)) return { partner, claim };
      claim.release(null);
      left = left.filter((c) => c.uid !== partner.uid);
    }
  }

  /**
   * A page of waiting entries of `pools`, the longest waiting first. With
   * `upTo`, the ones queued no later than that, nearest first: simultaneous
   * joiners then look at different entries instead of all at the oldest few.
   * With `from`, the next page of the pools it names (only those).
   */
  private async candidates(
    pools: readonly string[],
    upTo: Timestamp | null,
    meter: UsageMeter,
    what: string,
    from?: ScanFrom,
  ): Promise<ScanPage> {
    const scanned = await Promise.all(
      (from === undefined ? pools : pools.filter((p) => from.has(p))).map(async (pool) => {
        let q = this.queue.where('pools', 'array-contains', pool);
        q = upTo === null ? q.orderBy('createdAt', 'asc') : q.where('createdAt', '<=', upTo).orderBy('createdAt', 'desc');
        const after = from?.get(pool);
        if (after !== undefined) q = q.startAfter(after);
        const snap = await readQuery(q.limit(PAIRING_SCAN_LIMIT), meter, from === undefined ? what : `${what}, next page`);
        return { pool, docs: snap.docs as DocumentSnapshot<QueueDoc>[] };
      }),
    );
    const byUid = new Map<string, Candidate>();
    const next = new Map<string, DocumentSnapshot<QueueDoc>>();
    for (const { pool, docs } of scanned) {
      for (const d of docs) byUid.set(d.id, toCandidate(d));
      if (docs.length === PAIRING_SCAN_LIMIT) next.set(pool, docs[docs.length - 1]!);
    }
    return { entries: [...byUid.values()], next };
  }

  /**
   * Adds to `batch` the taking of `partner` (unchanged since read) and the
   * creation of the call with its empty mailboxes; returns what the seeker
   * is told once it commits. One batch: the waiter's listener never sees a
   * call whose mailboxes are not there yet. The joiner's mailbox to the
   * waiter only for a page that does not make it itself with its answer
   * (JoinRequest.makesOwnMailbox): a mailbox made empty is a write, and the
   * waiter's listener reads it once empty and again with the answer.
   */
  private pairInto(
    batch: MeteredBatch,
    partner: Candidate,
    seeker: Seeker,
    { presenceOnCall: joinerPresenceOnCall, makesOwnMailbox }: JoinerPage,
    nowMs: number,
  ): JoinResult {
    const room = sharedPool(seeker, partner) as RoomId;
    const callId = partner.doc.callId;
    // The waiter's offer is the call's first: the waiter is the later member.
    const [joiner, waiter] = [seeker.uid, partner.uid];
    const members = [joiner, waiter] as const;
    const now = Timestamp.fromMillis(nowMs);
    const waiterPresenceOnCall = partner.doc.presenceOnCall === true;
    // Presence for both: each page refreshes its own, and the sweeper ends
    // the call once either stops (both tabs killed: nobody calls leave). On
    // the call document for a page that beats it there (no write of its
    // own, none to delete at the end); a presence document for one that
    // does not (a page of an earlier release).
    const call: StoredRandomCall = {
      kind: 'random',
      members,
      room,
      createdAt: now,
      expireAt: Timestamp.fromMillis(nowMs + MAX_CALL_AGE_MS),
      ...(joinerPresenceOnCall ? { [JOINER_SEEN_AT_FIELD]: now } : {}),
      ...(waiterPresenceOnCall ? { [WAITER_SEEN_AT_FIELD]: now } : {}),
    };
    batch.delete(partner.snap.ref, { lastUpdateTime: partner.snap.updateTime! });
    // create(), not set(): if the id were somehow taken the batch fails
    // instead of overwriting someone else's call (or its mailboxes).
    batch.create(this.calls.doc(callId) as DocumentReference<StoredRandomCall>, call);
    batch.create(mailboxRef(this.db, callId, waiter, joiner), emptyMailbox(waiter, joiner, nowMs));
    if (!makesOwnMailbox) batch.create(mailboxRef(this.db, callId, joiner, waiter), emptyMailbox(joiner, waiter, nowMs));
    if (!waiterPresenceOnCall) batch.create(presenceRef(this.db, callId, waiter), newPresence(waiter, 'random', nowMs));
    if (!joinerPresenceOnCall) batch.create(presenceRef(this.db, callId, joiner), newPresence(joiner, 'random', nowMs));
    // The entry's update time stands in for an entry written before `seenAt` existed.
    const seenAtMs = partner.seenAtMs ?? partner.snap.updateTime?.toMillis() ?? nowMs;
    const waiterSeenMsAgo = Math.max(0, this.now() - seenAtMs);
    return {
      status: 'matched',
      callId,
      offer: partner.doc.offer,
      room,
      members,
      waiterSeenMsAgo,
      // What the joiner's own mailbox must carry as its expiry (firestore.rules: the call's).
      ...(makesOwnMailbox ? { expireAtMs: call.expireAt.toMillis() } : {}),
    };
  }

  /**
   * Ends the caller's wait and random calls. One read where the page says
   * which call it is in (`callId`): a person in a random call has no queue
   * entry (the pairing deletes the waiter's in the commit that creates the
   * call, and a joiner's own join deletes its own), so that call is all
   * there is. Otherwise the entry first, and the calls only when it is
   * gone (a person whose entry exists is in no random call): one read for
   * a waiting page's Stop, two for a page just matched. A `callId` that is
   * not the caller's random call (ended meanwhile, or made up) costs that
   * read, then the rest as without it.
   */
  /**
   * The random call a page named (join's `leaving`, leave's `callId`), read
   * alone: null when it is gone, or not a random call the caller is in.
   */
  private async namedRandomCall(callId: string, uid: string, meter: UsageMeter): Promise<DocumentSnapshot | null> {
    const call = await readDoc(this.calls.doc(callId), meter, 'calls (named)');
    return call.exists && randomCallMembers(call.data())?.includes(uid) ? call : null;
  }

  async leave(uid: string, { callId }: LeaveRequest = {}, meter = new UsageMeter()): Promise<LeaveResult> {
    // Conditional like join (no transaction: under load a transaction here
    // waits behind pairing and can outlive its deadline). Someone can only
    // pair us through our entry, which is deleted on condition it is
    // unchanged, so no call is created between the read and the commit.
    const ownRef = this.queue.doc(uid);
    let named = callId;
    for (let attempt = 1; attempt <= PAIRING_ATTEMPTS; attempt++) {
      let own: DocumentSnapshot | null = null;
      let ownCalls: DocumentSnapshot[];
      const call = named === undefined ? null : await this.namedRandomCall(named, uid, meter);
      if (call) {
        ownCalls = [call];
      } else {
        // Read once: after a lost race the entry and the calls are read again.
        named = undefined;
        own = await readDoc(ownRef, meter, 'queue (own entry)');
        ownCalls = own.exists ? [] : (await readQuery(this.randomCallsOf(uid), meter, 'calls (own)')).docs;
      }
      const batch = new MeteredBatch(this.db, meter);
      if (own?.exists) batch.delete(ownRef, { lastUpdateTime: own.updateTime! });
      endRandomCallsInto(batch, this.db, ownCalls, this.now());
      try {
        await batch.commit();
        return { endedCalls: ownCalls.length, leftQueue: own?.exists ?? false };
      } catch (err) {
        if (!isLostRace(err)) throw err;
        meter.lostRace('leave');
      }
    }
    throw new Contended();
  }
}

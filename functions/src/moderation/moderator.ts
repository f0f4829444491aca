/**
 * Report and Block on Firestore. Both work during a call and for an hour
 * after it (from `history/{callId}`), end the call at once if it is still on,
 * and make sure the two are never paired again — from this moment, even when
 * the blocker is already waiting (see blockInto). Each request was counted
 * against the caller's rate before it got here (handlers/auth.ts).
 *
 * Cheap checks first: the call (or its history) is read before anything
 * else, so a report or block of a call one was not in costs two reads.
 */
import { Timestamp, type DocumentReference, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { REPORT_RETENTION_MS } from '../domain/limits.js';
import {
  banUntil,
  bothConnectedMs,
  DEFAULT_BAN_POLICY,
  partnerOf,
  strikeCounts,
  withBlocked,
  type BanPolicy,
  type BlockRequest,
  type ReportRequest,
  type ConnectedAt,
  type Strike,
} from '../domain/moderation.js';
import { randomCallMembers } from '../domain/membership.js';
import { networkOf } from '../domain/network.js';
import { NotInCall } from '../domain/refusals.js';
import { UsageMeter } from '../domain/usage.js';
import { endRandomCallInto, type CallEnder } from '../cleanup/call-end.js';
import { BANNED_UNTIL, BANS, BLOCKS, HISTORY, REPORTS, STRIKES } from '../matching/collections.js';
import { CALLS_COLLECTION, QUEUE_COLLECTION, type RandomCallDoc } from '../protocol/calls.js';
import { runContended, type MeteredTransaction } from '../matching/transactions.js';
import { connectedAtOf } from './evidence.js';
import type { NetworkHasher } from './networks.js';

/** A `reports/{callId}_{reporter}` document: for moderators, readable by no client. */
export interface ReportDoc {
  readonly reporter: string;
  readonly reported: string;
  readonly reason: string;
  readonly room: string;
  readonly callId: string;
  readonly at: Timestamp;
  /** Whether the report could count toward a ban (old enough account, real call, known network). */
  readonly counted: boolean;
  /**
   * Whether each side's page recorded that its link connected (the evidence;
   * moderation/evidence.ts). A report of a person whose page never did is
   * kept, but cannot count: reviewers see that here.
   */
  readonly reporterConnected: boolean;
  readonly reportedConnected: boolean;
  /** How long the call ran with both sides connected; how old the reporter's account was (null: unknown). For reviewers. */
  readonly callMs: number;
  readonly reporterAgeMs: number | null;
  readonly expireAt: Timestamp;
}

/**
 * Strikes read per report, the newest first. Three from different people ban;
 * this many leaves room for one person's many counted reports (one network)
 * without pushing a newer genuine one out of view.
 */
const MAX_STRIKES_READ = 100;

/** A `strikes/{callId}_{reporter}` document: a report that counts, as the ban rule weighs it, for the ban window only. */
export interface StrikeDoc {
  readonly reporter: string;
  readonly reported: string;
  /** Keyed hash of the reporter's network, never the address (moderation/networks.ts). */
  readonly network: string | null;
  readonly reporterAgeMs: number | null;
  readonly callMs: number;
  readonly at: Timestamp;
  /** TTL: gone once it can no longer count. */
  readonly expireAt: Timestamp;
}

/** What the functions know about a reporter besides the uid (handlers/auth.ts, Caller). */
export interface Reporter {
  readonly signedInAtMs: number | null;
  /** The reporter's IP address: used for its network's hash, never stored. */
  readonly address: string | null;
}

/** Where a call (or its history) says the caller was, and with whom. */
interface CallFacts {
  readonly partner: string;
  readonly room: string;
  /** The two sides' records of the connection, and how long it ran with both (bothConnectedMs). */
  readonly connectedAt: ConnectedAt;
  readonly callMs: number;
  /** While the call goes on: its document as read and its members `[joiner, waiter]`; null once it ended. */
  readonly live: { readonly doc: DocumentSnapshot; readonly members: RandomCallDoc['members'] } | null;
}

export class FirestoreModerator {
  constructor(
    private readonly db: Firestore,
    private readonly networks: NetworkHasher,
    private readonly now: () => number = Date.now,
    private readonly banPolicy: () => BanPolicy = () => DEFAULT_BAN_POLICY,
  ) {}

  /**
   * Reports the other member of `callId`. Ends the call, blocks the
   * reported person for the reporter, stores the report, and bans the
   * reported person when the recent reports against them come from enough
   * different people (domain/moderation.ts, banUntil).
   */
  async report(
    uid: string,
    { callId, reason }: ReportRequest,
    reporter: Reporter,
    meter = new UsageMeter(),
  ): Promise<{ readonly banned: boolean; readonly counted: boolean }> {
    const policy = this.banPolicy();
    return runContended(
      this.db,
      async (tx) => {
        const nowMs = this.now();
        const call = await this.callFacts(tx, uid, callId, nowMs);
        const id = `${callId}_${uid}`;
        const reportRef = this.db.collection(REPORTS).doc(id) as DocumentReference<ReportDoc>;
        const strikeRef = this.db.collection(STRIKES).doc(id) as DocumentReference<StrikeDoc>;
        const network = reporter.address === null ? null : networkOf(reporter.address);
        const [existing, blocker, recent, networkHash] = await Promise.all([
          tx.getDoc(reportRef),
          this.blockerFacts(tx, uid),
          // The newest first: a flood of older strikes cannot hide a new one.
          tx.query(
            this.db
              .collection(STRIKES)
              .where('reported', '==', call.partner)
              .where('at', '>', Timestamp.fromMillis(nowMs - policy.windowMs))
              .orderBy('at', 'desc')
              .limit(MAX_STRIKES_READ),
          ),
          network === null ? null : this.networks.hash(network, meter),
        ]);
        const strike: Strike = {
          reporter: uid,
          network: networkHash,
          atMs: nowMs,
          reporterAgeMs: reporter.signedInAtMs === null ? null : Math.max(0, nowMs - reporter.signedInAtMs),
          callMs: call.callMs,
        };
        // A repeated report is already among them (its strike was written with its report).
        const strikes = recent.docs.map((d) => toStrike(d));
        // One report per person per call: reporting again adds nothing.
        const until = banUntil(existing.exists ? strikes : [...strikes, strike], nowMs, policy);

        this.endAndBlockInto(tx, uid, call, blocker, nowMs);
        const counted = !existing.exists && strikeCounts(strike, policy);
        if (!existing.exists) {
          const at = Timestamp.fromMillis(nowMs);
          tx.set(reportRef, {
            reporter: uid,
            reported: call.partner,
            reason,
            room: call.room,
            callId,
            at,
            counted,
            reporterConnected: Object.hasOwn(call.connectedAt, uid),
            reportedConnected: Object.hasOwn(call.connectedAt, call.partner),
            callMs: strike.callMs,
            reporterAgeMs: strike.reporterAgeMs,
            expireAt: Timestamp.fromMillis(nowMs + REPORT_RETENTION_MS),
          });
          // Only a report that can count is weighed later: the others need no network hash kept.
          if (counted) {
            tx.set(strikeRef, {
              reporter: uid,
              reported: call.partner,
              network: strike.network,
              reporterAgeMs: strike.reporterAgeMs,
              callMs: strike.callMs,
              at,
              expireAt: Timestamp.fromMillis(nowMs + policy.windowMs),
            });
          }
        }
        if (until !== null) {
          tx.set(this.db.collection(BANS).doc(call.partner), {
            until: Timestamp.fromMillis(until),
            at: Timestamp.fromMillis(nowMs),
            expireAt: Timestamp.fromMillis(until),
          });
          // What join and the calls by link read (collections.ts, BANNED_UNTIL).
          tx.merge(this.db.collection(BLOCKS).doc(call.partner), { [BANNED_UNTIL]: Timestamp.fromMillis(until) });
          // A banned person waiting right now is taken out of the queue.
          tx.delete(this.db.collection(QUEUE_COLLECTION).doc(call.partner));
        }
        return { banned: until !== null, counted };
      },
      meter,
    );
  }

  /** Never pair the caller with the other member of `callId` again; ends the call. */
  async block(uid: string, { callId }: BlockRequest, meter = new UsageMeter()): Promise<void> {
    await runContended(
      this.db,
      async (tx) => {
        const nowMs = this.now();
        const call = await this.callFacts(tx, uid, callId, nowMs);
        this.endAndBlockInto(tx, uid, call, await this.blockerFacts(tx, uid), nowMs);
      },
      meter,
    );
  }

  /**
   * The first read of Report and Block: the random call, or its history once
   * it ended. Refuses (NotInCall) when neither has the caller among its two
   * members (calls by link are not moderated this way: they leave no
   * history, and whoever holds the link chose to be there). Either document
   * holds both pages' records of the connection (moderation/evidence.ts):
   * the call while it goes on, the history (written by whatever ended the
   * call, in the same commit: cleanup/call-end.ts) once it ended.
   */
  private async callFacts(tx: MeteredTransaction, uid: string, callId: string, nowMs: number): Promise<CallFacts> {
    const [call, history] = await Promise.all([
      tx.getDoc(this.db.collection(CALLS_COLLECTION).doc(callId)),
      tx.getDoc(this.db.collection(HISTORY).doc(callId)),
    ]);
    if (call.exists) {
      const members = randomCallMembers(call.data());
      const partner = members === null ? null : partnerOf(members, uid);
      if (members === null || partner === null) throw new NotInCall();
      const connectedAt = connectedAtOf(call.data());
      return {
        partner,
        room: (call.get('room') as string | undefined) ?? '',
        connectedAt,
        callMs: bothConnectedMs(members, connectedAt, null, nowMs),
        live: { doc: call, members },
      };
    }
    const partner = history.exists ? partnerOf((history.get('members') as string[] | undefined) ?? [], uid) : null;
    if (partner === null) throw new NotInCall();
    return {
      partner,
      room: (history.get('room') as string | undefined) ?? '',
      connectedAt: connectedAtOf(history.data()),
      callMs: (history.get('callMs') as number | undefined) ?? 0,
      live: null,
    };
  }

  /** The blocker's blocked list, and their waiting entry if they are waiting right now. */
  private async blockerFacts(tx: MeteredTransaction, uid: string): Promise<BlockerFacts> {
    const [blocks, waiting] = await Promise.all([
      tx.getDoc(this.db.collection(BLOCKS).doc(uid)),
      tx.getDoc(this.db.collection(QUEUE_COLLECTION).doc(uid)),
    ]);
    return { blocked: blocks.exists ? ((blocks.get('blocked') as string[] | undefined) ?? []) : [], waiting };
  }

  /**
   * The write phase Report and Block share: block the partner, end the call
   * if it is still on.
   *
   * A blocker who is waiting has their blocked list copied into their queue
   * entry (pairing reads it there, with the entry); it is updated here too,
   * in the same transaction, so that the block holds for the very next join
   * of the blocked person, not only from the blocker's next renewal. The
   * update also changes the entry's update time, so a pairing that read the
   * entry before this block loses its conditional commit and reads again
   * (matching/matchmaker.ts). One read and, for a waiting blocker, one write
   * per block — instead of every join reading the blocks of each waiter.
   */
  private endAndBlockInto(tx: MeteredTransaction, uid: string, call: CallFacts, blocker: BlockerFacts, nowMs: number): void {
    const blocked = withBlocked(blocker.blocked, call.partner);
    // Merged: the same document may hold the blocker's ban (BANNED_UNTIL).
    tx.merge(this.db.collection(BLOCKS).doc(uid), { blocked });
    if (blocker.waiting.exists) tx.update(blocker.waiting.ref, { blocked });
    // Ending it tells the other page (its history is written and everything
    // under it goes, in this transaction, whose reads already guard the call).
    if (call.live !== null) {
      const ender: CallEnder = { set: (ref, data) => tx.set(ref, data), delete: (ref) => tx.delete(ref) };
      endRandomCallInto(ender, this.db, call.live.doc, call.live.members, nowMs);
    }
  }
}

/** What blocking needs to know of the blocker (read in the transaction). */
interface BlockerFacts {
  readonly blocked: readonly string[];
  /** `queue/{uid}`: exists while the blocker waits. */
  readonly waiting: DocumentSnapshot;
}

function toStrike(d: DocumentSnapshot): Strike {
  return {
    reporter: d.get('reporter') as string,
    network: (d.get('network') as string | null | undefined) ?? null,
    atMs: (d.get('at') as Timestamp).toMillis(),
    reporterAgeMs: (d.get('reporterAgeMs') as number | null | undefined) ?? null,
    callMs: (d.get('callMs') as number | undefined) ?? 0,
  };
}

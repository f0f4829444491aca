/**
 * Report and Block on Firestore. Both work during a call and for an hour
 * after it (from `history/{callId}`), end the call at once if it is still on,
 * and make sure the two are never paired again.
 */
import { Timestamp, type DocumentReference, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
import { DEFAULT_RATE_LIMITS, REPORT_RETENTION_MS, type RateLimits } from '../domain/limits.js';
import {
  banUntil,
  DEFAULT_BAN_POLICY,
  partnerOf,
  withBlocked,
  type BanPolicy,
  type BlockRequest,
  type ReportRequest,
} from '../domain/moderation.js';
import { NotInCall } from '../domain/refusals.js';
import { UsageMeter } from '../domain/usage.js';
import { BANS, BLOCKS, CALLS, HISTORY, QUEUE, REPORTS } from '../matching/collections.js';
import { checkRate } from '../matching/rate-limit.js';
import { runContended, type MeteredTransaction } from '../matching/transactions.js';

/** A `reports/{callId}_{reporter}` document: for moderators, readable by no client. */
export interface ReportDoc {
  readonly reporter: string;
  readonly reported: string;
  readonly reason: string;
  readonly room: string;
  readonly callId: string;
  readonly at: Timestamp;
  readonly expireAt: Timestamp;
}

export class FirestoreModerator {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => number = Date.now,
    private readonly rateLimits: () => RateLimits = () => DEFAULT_RATE_LIMITS,
    private readonly banPolicy: BanPolicy = DEFAULT_BAN_POLICY,
  ) {}

  /**
   * Reports the other participant of `callId`. Ends the call, blocks the
   * reported person for the reporter, stores the report, and bans the reported
   * person when enough different people reported them recently.
   */
  async report(uid: string, { callId, reason }: ReportRequest, meter = new UsageMeter()): Promise<{ readonly banned: boolean }> {
    return runContended(
      this.db,
      async (tx) => {
        const nowMs = this.now();
        const reportRef = this.db.collection(REPORTS).doc(`${callId}_${uid}`) as DocumentReference<ReportDoc>;
        const [{ partner: reported, room, commit }, existing] = await Promise.all([
          this.endAndBlock(tx, uid, callId, 'report', nowMs),
          tx.getDoc(reportRef),
        ]);
        const recent = await tx.query(
          this.db
            .collection(REPORTS)
            .where('reported', '==', reported)
            .where('at', '>', Timestamp.fromMillis(nowMs - this.banPolicy.windowMs))
            .limit(50),
        );
        const reports = recent.docs.map((d) => ({
          reporter: d.get('reporter') as string,
          atMs: (d.get('at') as Timestamp).toMillis(),
        }));
        const until = banUntil([...reports, { reporter: uid, atMs: nowMs }], nowMs, this.banPolicy);

        commit();
        if (!existing.exists) {
          // One report per person per call: reporting again changes nothing.
          tx.set(reportRef, {
            reporter: uid,
            reported,
            reason,
            room,
            callId,
            at: Timestamp.fromMillis(nowMs),
            expireAt: Timestamp.fromMillis(nowMs + REPORT_RETENTION_MS),
          });
        }
        if (until !== null) {
          tx.set(this.db.collection(BANS).doc(reported), {
            until: Timestamp.fromMillis(until),
            expireAt: Timestamp.fromMillis(until),
          });
          // A banned person waiting right now is taken out of the queue.
          tx.delete(this.db.collection(QUEUE).doc(reported));
        }
        return { banned: until !== null };
      },
      meter,
    );
  }

  /** Never pair the caller with the other participant of `callId` again; ends the call. */
  async block(uid: string, { callId }: BlockRequest, meter = new UsageMeter()): Promise<void> {
    await runContended(this.db, async (tx) => (await this.endAndBlock(tx, uid, callId, 'block', this.now())).commit(), meter);
  }

  /**
   * What Report and Block share. Read phase: the call (or its history), the
   * caller's blocked list, the rate window. Returns the partner and the write
   * phase: take the rate, block the partner, end the call if it is still on.
   */
  private async endAndBlock(
    tx: MeteredTransaction,
    uid: string,
    callId: string,
    action: 'report' | 'block',
    nowMs: number,
  ): Promise<{ partner: string; room: string; commit: () => void }> {
    const callRef = this.db.collection(CALLS).doc(callId);
    const blocksRef = this.db.collection(BLOCKS).doc(uid);
    const [call, history, blocks, commitRate] = await Promise.all([
      tx.getDoc(callRef),
      tx.getDoc(this.db.collection(HISTORY).doc(callId)),
      tx.getDoc(blocksRef),
      checkRate(this.db, tx, uid, action, nowMs, this.rateLimits()[action]),
    ]);
    const { reported: partner, room } = this.partnerIn(call, history, uid);
    return {
      partner,
      room,
      commit: () => {
        commitRate();
        tx.set(blocksRef, { blocked: withBlocked(this.blockedIn(blocks), partner) });
        if (call.exists) tx.delete(callRef);
      },
    };
  }

  private partnerIn(call: DocumentSnapshot, history: DocumentSnapshot, uid: string): { reported: string; room: string } {
    const source = call.exists ? call : history.exists ? history : null;
    const participants = (source?.get('participants') as string[] | undefined) ?? [];
    const other = partnerOf(participants, uid);
    if (source === null || other === null) throw new NotInCall();
    return { reported: other, room: (source.get('room') as string | undefined) ?? '' };
  }

  private blockedIn(blocks: DocumentSnapshot): string[] {
    return blocks.exists ? ((blocks.get('blocked') as string[] | undefined) ?? []) : [];
  }
}

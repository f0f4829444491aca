/**
 * Report and Block on Firestore. Both work during a call and for an hour
 * after it (from `history/{callId}`), end the call at once if it is still on,
 * and make sure the two are never paired again.
 */
import { Timestamp, type DocumentSnapshot, type Firestore } from 'firebase-admin/firestore';
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
import { queryReads, UsageMeter } from '../domain/usage.js';
import { BANS, BLOCKS, CALLS, HISTORY, QUEUE, REPORTS } from '../matching/collections.js';
import { checkRate } from '../matching/rate-limit.js';
import { runContended } from '../matching/transactions.js';

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
    return runContended(this.db, async (tx) => {
      const nowMs = this.now();
      const callRef = this.db.collection(CALLS).doc(callId);
      const blocksRef = this.db.collection(BLOCKS).doc(uid);
      const reportRef = this.db.collection(REPORTS).doc(`${callId}_${uid}`);
      const [call, history, blocks, existing, commitRate] = await Promise.all([
        tx.get(callRef),
        tx.get(this.db.collection(HISTORY).doc(callId)),
        tx.get(blocksRef),
        tx.get(reportRef),
        checkRate(this.db, tx, uid, 'report', nowMs, this.rateLimits().report),
      ]);
      const { reported, room } = this.partnerIn(call, history, uid);
      const recent = await tx.get(
        this.db
          .collection(REPORTS)
          .where('reported', '==', reported)
          .where('at', '>', Timestamp.fromMillis(nowMs - this.banPolicy.windowMs))
          .limit(50),
      );
      meter.read(5 + queryReads(recent.size));
      const reports = recent.docs.map((d) => ({ reporter: d.get('reporter') as string, atMs: (d.get('at') as Timestamp).toMillis() }));
      const until = banUntil([...reports, { reporter: uid, atMs: nowMs }], nowMs, this.banPolicy);

      commitRate();
      if (!existing.exists) {
        // One report per person per call: reporting again changes nothing.
        const doc: ReportDoc = {
          reporter: uid,
          reported,
          reason,
          room,
          callId,
          at: Timestamp.fromMillis(nowMs),
          expireAt: Timestamp.fromMillis(nowMs + REPORT_RETENTION_MS),
        };
        tx.set(reportRef, doc);
        meter.write();
      }
      tx.set(blocksRef, { blocked: withBlocked(this.blockedIn(blocks), reported) });
      meter.write(2);
      if (call.exists) {
        tx.delete(callRef);
        meter.delete();
      }
      if (until !== null) {
        tx.set(this.db.collection(BANS).doc(reported), { until: Timestamp.fromMillis(until), expireAt: Timestamp.fromMillis(until) });
        // A banned person waiting right now is taken out of the queue.
        tx.delete(this.db.collection(QUEUE).doc(reported));
        meter.write();
        meter.delete();
      }
      return { banned: until !== null };
    });
  }

  /** Never pair the caller with the other participant of `callId` again; ends the call. */
  async block(uid: string, { callId }: BlockRequest, meter = new UsageMeter()): Promise<void> {
    await runContended(this.db, async (tx) => {
      const nowMs = this.now();
      const callRef = this.db.collection(CALLS).doc(callId);
      const blocksRef = this.db.collection(BLOCKS).doc(uid);
      const [call, history, blocks, commitRate] = await Promise.all([
        tx.get(callRef),
        tx.get(this.db.collection(HISTORY).doc(callId)),
        tx.get(blocksRef),
        checkRate(this.db, tx, uid, 'block', nowMs, this.rateLimits().block),
      ]);
      meter.read(4);
      const { reported: blocked } = this.partnerIn(call, history, uid);
      commitRate();
      tx.set(blocksRef, { blocked: withBlocked(this.blockedIn(blocks), blocked) });
      meter.write(2);
      if (call.exists) {
        tx.delete(callRef);
        meter.delete();
      }
    });
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

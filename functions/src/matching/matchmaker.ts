/**
 * Pairing on Firestore: the waiting queue and the creation of calls, each in
 * one transaction so that nobody is paired twice, with themself, or across
 * rooms, however the joins interleave.
 */
import { Timestamp, type DocumentReference, type Firestore } from 'firebase-admin/firestore';
import { DEFAULT_RATE_LIMITS, MAX_CALL_AGE_MS, PAIRING_SCAN_LIMIT, WAITING_LEASE_MS, type RateLimits } from '../domain/limits.js';
import { Banned } from '../domain/refusals.js';
import { choosePartner, isLeaseLive, type WaitingEntry } from '../domain/pairing.js';
import type { JoinRequest, SessionDescription } from '../domain/requests.js';
import type { RoomId } from '../domain/rooms.js';
import { UsageMeter } from '../domain/usage.js';
import { BANS, BLOCKS, CALLS, QUEUE } from './collections.js';
import { checkRate } from './rate-limit.js';
import { runContended } from './transactions.js';

/** What `join` tells the caller. */
export type JoinOutcome =
  /** Queued. The call will be created under `callId` when someone arrives. */
  | { readonly status: 'waiting'; readonly callId: string }
  /** Paired at once with someone who was waiting: answer their offer. */
  | { readonly status: 'matched'; readonly callId: string; readonly offer: SessionDescription };

/** The queue and pairing, as the callables see them. */
export interface Matchmaker {
  /**
   * Ends the caller's calls, then pairs them with someone waiting in `room` or
   * queues them. Operations are added to `meter` as Firestore bills them.
   */
  join(uid: string, request: JoinRequest, meter?: UsageMeter): Promise<JoinOutcome>;
  /** Ends everything the caller is part of: their waiting entry and their calls. */
  leave(uid: string, meter?: UsageMeter): Promise<{ readonly endedCalls: number; readonly leftQueue: boolean }>;
}

/** A `queue/{uid}` document. Written only by the functions. */
export interface QueueDoc {
  readonly uid: string;
  readonly room: RoomId;
  readonly offer: SessionDescription;
  /** The id the call will have, so the waiting page can listen for it. */
  readonly callId: string;
  /** Whom this person blocked, copied at join so pairing needs no extra reads. */
  readonly blocked: readonly string[];
  readonly createdAt: Timestamp;
  readonly leaseExpiresAt: Timestamp;
  /** TTL field: production deletes the document after this time. */
  readonly expireAt: Timestamp;
}

/** A `calls/{callId}` document. */
export interface CallDoc {
  readonly caller: string;
  readonly callee: string;
  readonly participants: readonly [string, string];
  readonly room: RoomId;
  readonly offer: SessionDescription;
  /** Written once by the callee. */
  readonly answer: SessionDescription | null;
  readonly answeredAt: Timestamp | null;
  readonly createdAt: Timestamp;
  /** TTL field: production deletes the document after this time. */
  readonly expireAt: Timestamp;
}

function toWaitingEntry(doc: QueueDoc): WaitingEntry & { readonly doc: QueueDoc } {
  return {
    uid: doc.uid,
    room: doc.room,
    createdAtMs: doc.createdAt.toMillis(),
    leaseExpiresAtMs: doc.leaseExpiresAt.toMillis(),
    blocked: doc.blocked ?? [],
    doc,
  };
}

export class FirestoreMatchmaker implements Matchmaker {
  constructor(
    private readonly db: Firestore,
    /** Injected so tests can move time; production uses the server clock. */
    private readonly now: () => number = Date.now,
    /** Read per request, so deploy-time parameters apply (functions/src/config.ts). */
    private readonly rateLimits: () => RateLimits = () => DEFAULT_RATE_LIMITS,
  ) {}

  private get queue() {
    return this.db.collection(QUEUE);
  }

  private get calls() {
    return this.db.collection(CALLS);
  }

  async join(uid: string, { room, offer, renewing }: JoinRequest, meter = new UsageMeter()): Promise<JoinOutcome> {
    return runContended(
      this.db,
      async (tx) => {
        const nowMs = this.now();
        const ownRef = this.queue.doc(uid) as DocumentReference<QueueDoc>;
        const [own, waiting, ownCalls, ban, blocks, commitRate] = await Promise.all([
          tx.getDoc(ownRef),
          tx.query(this.queue.where('room', '==', room).orderBy('createdAt').limit(PAIRING_SCAN_LIMIT)),
          tx.query(this.calls.where('participants', 'array-contains', uid)),
          tx.getDoc(this.db.collection(BANS).doc(uid)),
          tx.getDoc(this.db.collection(BLOCKS).doc(uid)),
          checkRate(this.db, tx, uid, 'join', nowMs, this.rateLimits().join),
        ]);
        const bannedUntil = ban.exists ? (ban.get('until') as Timestamp).toMillis() : 0;
        if (bannedUntil > nowMs) throw new Banned(bannedUntil);
        const blocked: string[] = blocks.exists ? ((blocks.get('blocked') as string[] | undefined) ?? []) : [];
        commitRate();

        // A renewal that crossed its own match: the call it waits for exists and
        // the page will see it. Change nothing (ending it would drop the partner).
        if (renewing !== undefined && ownCalls.docs.some((c) => c.id === renewing && c.get('caller') === uid)) {
          return { status: 'waiting', callId: renewing } as const;
        }

        // Whoever joins leaves every call they were in: one person, one call.
        // Deleting the call document is what tells the partner "stranger left";
        // a trigger then removes its candidates.
        for (const call of ownCalls.docs) tx.delete(call.ref);

        const entries = waiting.docs.map((d) => toWaitingEntry(d.data() as QueueDoc));
        const partner = choosePartner(uid, room, entries, nowMs, new Set(blocked));
        if (partner !== null) {
          const call: CallDoc = {
            caller: partner.uid,
            callee: uid,
            participants: [partner.uid, uid],
            room,
            offer: partner.doc.offer,
            answer: null,
            answeredAt: null,
            createdAt: Timestamp.fromMillis(nowMs),
            expireAt: Timestamp.fromMillis(nowMs + MAX_CALL_AGE_MS),
          };
          tx.delete(this.queue.doc(partner.uid));
          if (own.exists) tx.delete(ownRef);
          // create(), not set(): if the id were somehow taken the transaction fails
          // instead of overwriting someone else's call.
          tx.create(this.calls.doc(partner.doc.callId) as DocumentReference<CallDoc>, call);
          return { status: 'matched', callId: partner.doc.callId, offer: partner.doc.offer } as const;
        }

        // Nobody to pair with: wait. A renewal from the same room keeps its place
        // in line and its call id (the page is already listening for that call).
        const previous = own.exists ? own.data() : undefined;
        const keepsPlace = previous !== undefined && previous.room === room && isLeaseLive(toWaitingEntry(previous), nowMs);
        const callId = keepsPlace ? previous.callId : this.calls.doc().id;
        const entry: QueueDoc = {
          uid,
          room,
          offer,
          callId,
          blocked,
          createdAt: keepsPlace ? previous.createdAt : Timestamp.fromMillis(nowMs),
          leaseExpiresAt: Timestamp.fromMillis(nowMs + WAITING_LEASE_MS),
          expireAt: Timestamp.fromMillis(nowMs + 2 * WAITING_LEASE_MS),
        };
        tx.set(ownRef, entry);
        return { status: 'waiting', callId } as const;
      },
      meter,
    );
  }

  async leave(
    uid: string,
    meter = new UsageMeter(),
  ): Promise<{ readonly endedCalls: number; readonly leftQueue: boolean }> {
    return runContended(
      this.db,
      async (tx) => {
        const ownRef = this.queue.doc(uid);
        const [own, ownCalls, commitRate] = await Promise.all([
          tx.getDoc(ownRef),
          tx.query(this.calls.where('participants', 'array-contains', uid)),
          checkRate(this.db, tx, uid, 'leave', this.now(), this.rateLimits().leave),
        ]);
        commitRate();
        if (own.exists) tx.delete(ownRef);
        for (const call of ownCalls.docs) tx.delete(call.ref);
        return { endedCalls: ownCalls.size, leftQueue: own.exists };
      },
      meter,
    );
  }
}

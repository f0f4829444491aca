/**
 * The signaling mailboxes `calls/{callId}/signals/{from}_{to}` as the
 * functions create them, for calls by link (enterCall) and random calls
 * (join) alike: empty, with the two sides fixed. Pages then only update
 * them (firestore.rules), so a mailbox exists exactly while the functions
 * say the two may talk.
 */
import { Timestamp, type DocumentReference, type Firestore } from 'firebase-admin/firestore';
import { MAX_CALL_AGE_MS } from '../domain/limits.js';
import {
  CALLS_COLLECTION,
  MEMBERS_SUBCOLLECTION,
  SIGNALS_SUBCOLLECTION,
  signalId,
  type CallKind,
  type SignalDoc,
} from '../protocol/calls.js';

/** The mailbox document from `from` to `to` in call `callId`. */
export function mailboxRef(db: Firestore, callId: string, from: string, to: string): DocumentReference {
  return signalRef(db, callId, signalId(from, to));
}

/** The mailbox document with id `id` (`{from}_{to}`) in call `callId`. */
export function signalRef(db: Firestore, callId: string, id: string): DocumentReference {
  return db.collection(CALLS_COLLECTION).doc(callId).collection(SIGNALS_SUBCOLLECTION).doc(id);
}

/**
 * A new mailbox: nothing said yet (epoch 0, no description, no candidates,
 * n 0). The rules let `from` write it with n = 1 next. updatedAt is the
 * time it was made, the call's or the entry's own (`nowMs`, the function's
 * clock, as the call's createdAt): the sweeper finds by it the mailboxes
 * nobody wrote since the answer timeout, and orphans. `expireAt` is the TTL
 * field: production deletes a mailbox its call's cleanup missed (it holds
 * addresses) no later than a call's longest life after it was made.
 */
export function emptyMailbox(
  from: string,
  to: string,
  nowMs: number,
): SignalDoc & { readonly updatedAt: Timestamp; readonly expireAt: Timestamp } {
  return {
    expireAt: Timestamp.fromMillis(nowMs + MAX_CALL_AGE_MS),
    from,
    to,
    epoch: 0,
    description: null,
    candidates: '',
    n: 0,
    updatedAt: Timestamp.fromMillis(nowMs),
  };
}

/** A member's presence document `calls/{callId}/members/{uid}`. */
export function presenceRef(db: Firestore, callId: string, uid: string): DocumentReference {
  return db.collection(CALLS_COLLECTION).doc(callId).collection(MEMBERS_SUBCOLLECTION).doc(uid);
}

/**
 * A member's presence in a call of either kind, as the functions create it:
 * seen now. The page then refreshes `seenAt` (firestore.rules: its heartbeat
 * only); the sweeper removes it once the kind's lease (presenceTiming)
 * passes without one. `kind` is the call's: the sweeper finds lapsed members
 * of calls by link by it without reading the presence of random calls,
 * whose lease is longer. `expireAt` is the TTL field, production's last
 * resort behind leave and the sweeper.
 */
export function newPresence(uid: string, kind: CallKind, nowMs: number) {
  const at = Timestamp.fromMillis(nowMs);
  return { uid, kind, joinedAt: at, seenAt: at, expireAt: Timestamp.fromMillis(nowMs + MAX_CALL_AGE_MS) };
}

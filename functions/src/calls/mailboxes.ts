/**
 * The signaling mailboxes `calls/{callId}/signals/{from}_{to}` as the
 * functions create them, for calls by link (enterCall) and random calls
 * (join) alike: empty, with the two sides fixed. Pages then only update
 * them (firestore.rules), so a mailbox exists exactly while the functions
 * say the two may talk.
 */
import { FieldValue, type DocumentReference, type Firestore } from 'firebase-admin/firestore';
import { CALLS_COLLECTION, SIGNALS_SUBCOLLECTION, signalId } from '../protocol/calls.js';

/** The mailbox document from `from` to `to` in call `callId`. */
export function mailboxRef(db: Firestore, callId: string, from: string, to: string): DocumentReference {
  return db.collection(CALLS_COLLECTION).doc(callId).collection(SIGNALS_SUBCOLLECTION).doc(signalId(from, to));
}

/**
 * A new mailbox: nothing said yet (epoch 0, no description, no candidates,
 * n 0). The rules let `from` write it with n = 1 next; updatedAt is the
 * commit time, which the sweeper uses to find orphans.
 */
export function emptyMailbox(from: string, to: string) {
  return {
    from,
    to,
    epoch: 0,
    description: null,
    candidates: '',
    n: 0,
    updatedAt: FieldValue.serverTimestamp(),
  };
}

/**
 * What goes when a call ends, and what is kept. Whoever ends a random call
 * (leave, join's Next, Report, Block, the sweeper) deletes everything under
 * it in the same commit as the call (endRandomCallInto): its mailboxes hold
 * the two people's addresses, and neither they nor the presence documents
 * wait for a trigger that a storm of ended calls holds up (docs/
 * OPERATIONS.md, "A storm of Stops"). The onCallDeleted trigger then only
 * writes the call's history, from the deleted document itself (the
 * evidence is in it: moderation/evidence.ts), and removes anything a path
 * that ended the call left behind.
 */
import {
  Timestamp,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type QuerySnapshot,
} from 'firebase-admin/firestore';
import { mailboxRef, presenceRef } from '../calls/mailboxes.js';
import { HISTORY_MS } from '../domain/limits.js';
import { randomCallMembers } from '../domain/membership.js';
import { bothConnectedMs } from '../domain/moderation.js';
import { queryReads, type Usage } from '../domain/usage.js';
import { HISTORY } from '../matching/collections.js';
import { connectedAtOf, storedConnectedAt } from '../moderation/evidence.js';
import { CALLS_COLLECTION, MEMBERS_SUBCOLLECTION, SIGNALS_SUBCOLLECTION, type RandomCallDoc } from '../protocol/calls.js';

/**
 * `history/{callId}`: a random call that ended, kept for HISTORY_MS so that
 * either member can still report or block the other, and so that join can
 * remember whom one just met (skip memory). Readable by no client.
 */
export interface HistoryDoc {
  /** The call's members, `[joiner, waiter]`, as on the call. */
  readonly members: RandomCallDoc['members'];
  readonly room: string;
  /** When each member's page recorded that its link connected, for those that did (moderation/evidence.ts). */
  readonly connectedAt: Record<string, Timestamp>;
  /** How long the call ran with both sides connected (domain/moderation.ts, bothConnectedMs). */
  readonly callMs: number;
  readonly endedAt: Timestamp;
  /** TTL field, and what the sweeper deletes by. */
  readonly expireAt: Timestamp;
}

/** What a batch or transaction needs to take part in ending a call. */
interface Deleter {
  delete(ref: DocumentReference): unknown;
}

/**
 * Adds to `batch` the end of a random call: its document, both mailboxes
 * and both presences, known by name (no read). `keepPresenceOf`: members
 * whose presence the caller deletes itself (on a condition of its own).
 */
export function endRandomCallInto(
  batch: Deleter,
  db: Firestore,
  callId: string,
  members: RandomCallDoc['members'],
  keepPresenceOf: ReadonlySet<string> = new Set(),
): void {
  batch.delete(db.collection(CALLS_COLLECTION).doc(callId));
  for (const ref of underRandomCall(db, callId, members, keepPresenceOf)) batch.delete(ref);
}

/** endRandomCallInto for each of `calls` as read (a document that is not a random call is only deleted). */
export function endRandomCallsInto(batch: Deleter, db: Firestore, calls: readonly DocumentSnapshot[]): void {
  for (const call of calls) {
    const members = randomCallMembers(call.data());
    if (members === null) batch.delete(call.ref);
    else endRandomCallInto(batch, db, call.id, members);
  }
}

/** A random call's two mailboxes and (but those of `except`) two presences. */
function underRandomCall(
  db: Firestore,
  callId: string,
  [a, b]: RandomCallDoc['members'],
  except: ReadonlySet<string> = new Set(),
): DocumentReference[] {
  const presence = [a, b].filter((uid) => !except.has(uid)).map((uid) => presenceRef(db, callId, uid));
  return [mailboxRef(db, callId, a, b), mailboxRef(db, callId, b, a), ...presence];
}

/**
 * After a call document was deleted at `endedAtMs` (the deletion's commit
 * time: under a backlog the trigger runs later, and the call did not go on
 * meanwhile). A random call's history is written from `call`, the deleted
 * document's data (members, room, both pages' connection records): one
 * commit, no read, whatever the load; in the same commit its mailboxes and
 * presences are deleted again by name, in case whatever ended it did not.
 * A call by link keeps nothing (history is for moderating random calls):
 * whatever is under it is found by query and deleted.
 */
export async function onCallEnded(
  db: Firestore,
  callId: string,
  call: Record<string, unknown> | undefined,
  endedAtMs: number,
): Promise<Usage> {
  const members = randomCallMembers(call);
  if (call === undefined || members === null) return deleteEverythingUnder(db, callId);
  const connectedAt = connectedAtOf(call);
  const batch = db.batch();
  batch.set(db.collection(HISTORY).doc(callId), {
    members,
    room: typeof call['room'] === 'string' ? call['room'] : '',
    connectedAt: storedConnectedAt(connectedAt),
    callMs: bothConnectedMs(members, connectedAt, endedAtMs, endedAtMs),
    endedAt: Timestamp.fromMillis(endedAtMs),
    expireAt: Timestamp.fromMillis(endedAtMs + HISTORY_MS),
  } satisfies HistoryDoc);
  const leftovers = underRandomCall(db, callId, members);
  for (const ref of leftovers) batch.delete(ref);
  await batch.commit();
  return { reads: 0, writes: 1, deletes: leftovers.length };
}

/** A call by link (or one the trigger has no data of): its members and mailboxes, whatever they are, found by query. */
async function deleteEverythingUnder(db: Firestore, callId: string): Promise<Usage> {
  const ref = db.collection(CALLS_COLLECTION).doc(callId);
  const found = await Promise.all([ref.collection(MEMBERS_SUBCOLLECTION).get(), ref.collection(SIGNALS_SUBCOLLECTION).get()]);
  const deleted = await deleteAll(db, found);
  return { reads: found.reduce((sum, snap) => sum + queryReads(snap.size), 0), writes: 0, deletes: deleted };
}

/** Deletes the documents as read, in batches under Firestore's 500 limit; returns how many. */
async function deleteAll(db: Firestore, snaps: readonly QuerySnapshot[]): Promise<number> {
  const docs = snaps.flatMap((s) => s.docs);
  for (let i = 0; i < docs.length; i += 400) {
    const batch = db.batch();
    for (const doc of docs.slice(i, i + 400)) batch.delete(doc.ref);
    await batch.commit();
  }
  return docs.length;
}

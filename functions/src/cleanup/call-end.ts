/**
 * What goes when a call ends, and what is kept. Whoever ends a random call
 * (leave, join's Next, Report, Block, the sweeper) writes its history and
 * deletes everything under it in the same commit as the call
 * (endRandomCallInto): its mailboxes hold the two people's addresses, and
 * neither they nor the history wait for a trigger that a storm of ended
 * calls holds up (docs/OPERATIONS.md, "A storm of Stops"). A Block or a
 * Report that arrives just after the call ended finds the history at once,
 * and so does the next join's skip memory. The onCallDeleted trigger
 * writes the history only of a random call deleted past its expiry (TTL's
 * deletion), from the deleted document; it reads nothing (onCallEnded).
 */
import {
  Timestamp,
  type DocumentReference,
  type Precondition,
  type DocumentSnapshot,
  type Firestore,
  type QuerySnapshot,
} from 'firebase-admin/firestore';
import { mailboxRef, presenceRef } from '../calls/mailboxes.js';
import { HISTORY_MS } from '../domain/limits.js';
import { randomCallMembers, randomCallSeenAt } from '../domain/membership.js';
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

/**
 * What a batch or transaction needs to take part in ending a call. `delete`
 * with a precondition: a batch deletes the call only if it is unchanged
 * since read, so that the history written from that read holds both pages'
 * latest connection records (a transaction's reads are guarded already: its
 * adapter ignores the precondition).
 */
export interface CallEnder {
  set(ref: DocumentReference<HistoryDoc>, data: HistoryDoc): unknown;
  delete(ref: DocumentReference, precondition?: Precondition): unknown;
}

/**
 * Adds to `ender` the end of a random call read as `call` (whose members
 * are `members`) at `endedAtMs`: its history, and the deletion of its
 * document (on condition it is unchanged since read), both mailboxes and
 * the presence documents (of members whose presence is not on the call),
 * known by name (no further read). `keepPresenceOf`:
 * members whose presence the caller deletes itself (on a condition of its
 * own).
 */
export function endRandomCallInto(
  ender: CallEnder,
  db: Firestore,
  call: DocumentSnapshot,
  members: RandomCallDoc['members'],
  endedAtMs: number,
  keepPresenceOf: ReadonlySet<string> = new Set(),
): void {
  // expireAt written here, beside the collection's name: test/deploy/ttl.deploy.test.ts reads the two together.
  ender.set(db.collection(HISTORY).doc(call.id) as DocumentReference<HistoryDoc>, {
    ...historyOf(members, call.data() ?? {}, endedAtMs),
    expireAt: Timestamp.fromMillis(endedAtMs + HISTORY_MS),
  });
  ender.delete(call.ref, call.updateTime ? { lastUpdateTime: call.updateTime } : undefined);
  for (const ref of underRandomCall(db, call.id, members, call.data(), keepPresenceOf)) ender.delete(ref);
}

/** endRandomCallInto for each of `calls` as read (a document that is not a random call is only deleted). */
export function endRandomCallsInto(ender: CallEnder, db: Firestore, calls: readonly DocumentSnapshot[], endedAtMs: number): void {
  for (const call of calls) {
    const members = randomCallMembers(call.data());
    if (members === null) ender.delete(call.ref);
    else endRandomCallInto(ender, db, call, members, endedAtMs);
  }
}

/** The history of a random call with `members` whose document's data was `call`, ended at `endedAtMs` (but its expiry). */
function historyOf(
  members: RandomCallDoc['members'],
  call: Readonly<Record<string, unknown>>,
  endedAtMs: number,
): Omit<HistoryDoc, 'expireAt'> {
  const connectedAt = connectedAtOf(call);
  return {
    members,
    room: typeof call['room'] === 'string' ? call['room'] : '',
    connectedAt: storedConnectedAt(connectedAt),
    callMs: bothConnectedMs(members, connectedAt, endedAtMs, endedAtMs),
    endedAt: Timestamp.fromMillis(endedAtMs),
  };
}

/**
 * A random call's two mailboxes and the presence documents of its members
 * (but those of `except`). A member whose presence is on the call document
 * (`call`'s data, randomCallSeenAt) has no presence document: deleting one
 * would be a write for nothing.
 */
function underRandomCall(
  db: Firestore,
  callId: string,
  members: RandomCallDoc['members'],
  call: Readonly<Record<string, unknown>> | undefined,
  except: ReadonlySet<string> = new Set(),
): DocumentReference[] {
  const [a, b] = members;
  const onCall = randomCallSeenAt(call, members);
  const presence = [a, b].filter((uid) => !except.has(uid) && !onCall.has(uid)).map((uid) => presenceRef(db, callId, uid));
  return [mailboxRef(db, callId, a, b), mailboxRef(db, callId, b, a), ...presence];
}

/**
 * After a call document was deleted at `endedAtMs` (the deletion's commit
 * time: under a backlog the trigger runs later, and the call did not go on
 * meanwhile).
 *
 * A random call deleted before its `expireAt` was ended by Parley, which
 * wrote its history and deleted what was under it in the same commit: the
 * trigger reads and writes nothing (it read the history to make sure, one
 * read of every call, until 2026-12-06). One deleted at or after it is
 * TTL's (the sweeper was down for hours): it gets its history from `call`,
 * the deleted document's data (members, room, both pages' connection
 * records), and its mailboxes and presences are deleted by name. A random
 * call Parley ends past its expiry (the sweep of a call older than
 * MAX_CALL_AGE_MS) is written twice, the same call's history. One deleted
 * by hand before its expiry (the console) is not remembered; its mailboxes
 * go with the sweep's orphan rule (docs/OPERATIONS.md).
 *
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
  const expireAt = call['expireAt'];
  if (expireAt instanceof Timestamp && endedAtMs < expireAt.toMillis()) return { reads: 0, writes: 0, deletes: 0 };
  const batch = db.batch();
  batch.set(db.collection(HISTORY).doc(callId), {
    ...historyOf(members, call, endedAtMs),
    expireAt: Timestamp.fromMillis(endedAtMs + HISTORY_MS),
  });
  const leftovers = underRandomCall(db, callId, members, call);
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

/**
 * A storm of Stops without browsers: many random calls, made as join's
 * match makes them, then every page presses Stop within seconds. The storm
 * test (test/emulator/load.emulator.test.ts) checks that cleanup keeps up;
 * docs/OPERATIONS.md has the figures.
 */
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { emptyMailbox, mailboxRef, newPresence, presenceRef } from '../../functions/src/calls/mailboxes.js';
import { MAX_CALL_AGE_MS } from '../../functions/src/domain/limits.js';
import { CALLS_COLLECTION, MEMBERS_SUBCOLLECTION, SIGNALS_SUBCOLLECTION } from '../../functions/src/protocol/calls.js';
import { ROOMS } from '../../functions/src/protocol/rooms.js';
import type { TestUser } from './emulator.js';

/**
 * A storm's calls, made without browsers or the join callable: pairs of
 * `users` (0 with 1, 2 with 3, …), each call written as join's match writes
 * it (the call, both empty mailboxes, both presences, in one batch), spread
 * over the rooms. Returns the calls' ids.
 */
export async function pairUp(db: Firestore, users: readonly TestUser[]): Promise<string[]> {
  const nowMs = Date.now();
  const ids: string[] = [];
  for (let i = 0; 2 * i + 1 < users.length; i++) {
    const [joiner, waiter] = [users[2 * i]!.uid, users[2 * i + 1]!.uid];
    const call = db.collection(CALLS_COLLECTION).doc();
    const batch = db.batch();
    batch.create(call, {
      kind: 'random',
      members: [joiner, waiter],
      room: ROOMS[i % ROOMS.length]!.id,
      createdAt: Timestamp.fromMillis(nowMs),
      expireAt: Timestamp.fromMillis(nowMs + MAX_CALL_AGE_MS),
    });
    batch.create(mailboxRef(db, call.id, waiter, joiner), emptyMailbox(waiter, joiner, nowMs));
    batch.create(mailboxRef(db, call.id, joiner, waiter), emptyMailbox(joiner, waiter, nowMs));
    batch.create(presenceRef(db, call.id, waiter), newPresence(waiter, 'random', nowMs));
    batch.create(presenceRef(db, call.id, joiner), newPresence(joiner, 'random', nowMs));
    await batch.commit();
    ids.push(call.id);
  }
  return ids;
}

/**
 * Starts `n` Functions emulator processes for leave (it runs one per request
 * in flight): a request it refuses before any read, all at once.
 */
export async function warmUpLeave(users: readonly TestUser[]): Promise<void> {
  await Promise.all(users.map((u) => u.call('leave', { warm: true }).catch(() => undefined)));
}

/** Requests the Functions emulator dropped without an answer (HTTP status 0), sent again. */
export const droppedStops = { count: 0 };

/**
 * Every page presses Stop (the leave callable), `inFlight` requests at a
 * time: the Functions emulator starts a process per request in flight, and
 * a few hundred starting at once on two cores swamp the machine instead of
 * the cleanup. A dropped request is sent again, as a page would.
 */
export async function stopAll(users: readonly TestUser[], inFlight: number): Promise<void> {
  const queue = [...users];
  const stopNext = async (): Promise<void> => {
    for (let user = queue.shift(); user !== undefined; user = queue.shift()) await leaveResendingDrops(user, droppedStops);
  };
  await Promise.all(Array.from({ length: inFlight }, stopNext));
}

/**
 * Stop (the leave callable), sent again, up to three times in all, when the
 * Functions emulator dropped the request without an answer (HTTP status 0,
 * "internal [0]"), as a page would; each resend is counted in `resent`.
 */
export async function leaveResendingDrops(user: TestUser, resent: { count: number }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await user.call('leave', {});
      return;
    } catch (err) {
      if (!String(err).includes('internal [0]') || attempt >= 3) throw err;
      resent.count++;
    }
  }
}

/** Mailbox and presence documents anywhere (each call's `signals` and `members`). */
export async function callLeftovers(db: Firestore): Promise<{ signals: number; members: number }> {
  const [signals, members] = await Promise.all(
    [SIGNALS_SUBCOLLECTION, MEMBERS_SUBCOLLECTION].map(async (c) => (await db.collectionGroup(c).count().get()).data().count),
  );
  return { signals: signals!, members: members! };
}

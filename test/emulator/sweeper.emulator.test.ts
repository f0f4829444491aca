/**
 * The sweeper and the call-ended cleanup against the Firestore emulator:
 * after abrupt exits (no leave, no Next), nothing stale is left behind and
 * nothing live is touched.
 */
import { Timestamp } from 'firebase-admin/firestore';
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { onCallEnded } from '../../functions/src/cleanup/call-end.js';
import { emptyMailbox } from '../../functions/src/calls/mailboxes.js';
import { Sweeper } from '../../functions/src/cleanup/sweeper.js';
import { HISTORY_MS, MAX_CALL_AGE_MS, UNANSWERED_CALL_MS, WAITING_LEASE_MS } from '../../functions/src/domain/limits.js';
import { PRESENCE_LEASE_MS, RANDOM_PRESENCE_LEASE_MS } from '../../functions/src/protocol/calls.js';
import { UsageMeter } from '../../functions/src/domain/usage.js';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import { FirestoreModerator } from '../../functions/src/moderation/moderator.js';
import { NetworkHasher } from '../../functions/src/moderation/networks.js';
import { RequestGate } from '../../functions/src/matching/rate-limit.js';
import { adminDb, clearFirestore, drainTriggers, eventually, fakeOffer } from '../support/emulator.js';

describe('Sweeper (Firestore emulator)', () => {
  const db = adminDb();
  // The history this file waits for is written by a trigger, and the Functions
  // emulator runs triggers one at a time: start after earlier files' backlog.
  before(() => drainTriggers());
  beforeEach(() => clearFirestore());

  it('removes lapsed waiting entries and unanswered calls with their mailboxes, and keeps live ones', async () => {
    const t0 = Date.now();
    let now = t0;
    const matchmaker = new FirestoreMatchmaker(db, () => now);
    // Four pairs and one waiter, all made at t0 by the real matching code.
    await matchmaker.join('a', { room: 'ta', offer: fakeOffer(), widen: true });
    const unanswered = await matchmaker.join('b', { room: 'ta', offer: fakeOffer(), widen: true });
    await matchmaker.join('c', { room: 'hi', offer: fakeOffer(), widen: true });
    const answered = await matchmaker.join('d', { room: 'hi', offer: fakeOffer(), widen: true });
    await matchmaker.join('g', { room: 'bn', offer: fakeOffer(), widen: true });
    const waiterOnly = await matchmaker.join('h', { room: 'bn', offer: fakeOffer(), widen: true });
    // A joiner that makes its own mailbox with its answer (makesOwnMailbox): join made only the waiter's.
    await matchmaker.join('i', { room: 'te', offer: fakeOffer(), widen: true });
    const ownMailbox = await matchmaker.join('j', { room: 'te', offer: fakeOffer(), widen: true, makesOwnMailbox: true });
    await matchmaker.join('e', { room: 'en', offer: fakeOffer(), widen: true });
    // d (the joiner) answered: its first write into its mailbox to c (the waiter) carries the answer.
    await db.doc(`calls/${answered.callId}/signals/d_c`).update({
      epoch: 1,
      description: { type: 'answer', sdp: 'v=0' },
      candidates: '',
      n: 1,
      updatedAt: Timestamp.fromMillis(t0),
    });
    // And c acknowledged the match (a waiter's page writes its mailbox as soon as it sees it).
    await db.doc(`calls/${answered.callId}/signals/c_d`).update({ n: 1, updatedAt: Timestamp.fromMillis(t0) });
    // In the third call only the waiter (g) wrote: its candidates are no answer.
    await db
      .doc(`calls/${waiterOnly.callId}/signals/g_h`)
      .update({ candidates: 'x\n', n: 1, updatedAt: Timestamp.fromMillis(t0) });
    // A waiter who arrives later and is still renewing.
    now = t0 + UNANSWERED_CALL_MS;
    await matchmaker.join('f', { room: 'ml', offer: fakeOffer(), widen: true });
    // Its page beats (join wrote the commit's own time, the emulator's clock, not this test's).
    await db.doc('queue/f').update({ seenAt: Timestamp.fromMillis(now) });
    // Everyone in a call is still there: their pages beat (presence).
    for (const [callId, people] of [
      [unanswered.callId, ['a', 'b']],
      [answered.callId, ['c', 'd']],
      [waiterOnly.callId, ['g', 'h']],
      [ownMailbox.callId, ['i', 'j']],
    ] as const) {
      for (const uid of people) await db.doc(`calls/${callId}/members/${uid}`).update({ seenAt: Timestamp.fromMillis(now) });
    }

    // The join callable counts each request at its gate (the matchmaker counts nothing): so do these joins,
    // each in its shared window (no allowance on the instance), so that there are windows to sweep.
    const gate = new RequestGate(
      db,
      () => t0,
      undefined,
      () => 0,
    );
    for (const uid of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) await gate.admit(uid, 'join', new UsageMeter());

    const sweeper = new Sweeper(db);
    const report = await sweeper.sweep(t0 + UNANSWERED_CALL_MS + 1);
    assert.deepEqual(
      { ...report, expiredRecords: undefined },
      { waitingEntries: 1, calls: 3, lapsedMembers: 0, orphanCalls: 0, orphanSignals: 0, expiredRecords: undefined },
    );
    for (const uid of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      assert.equal((await db.doc(`rateLimits/${uid}_join`).get()).exists, true, 'rate windows are still running');
    }
    assert.equal((await db.doc('queue/e').get()).exists, false, 'e stopped renewing 60 s ago (lease 45 s)');
    assert.equal((await db.doc('queue/f').get()).exists, true, 'f renewed recently');
    for (const id of [unanswered.callId, waiterOnly.callId, ownMailbox.callId]) {
      assert.equal((await db.doc(`calls/${id}`).get()).exists, false, 'the joiner never wrote (or made) its mailbox within 60 s');
      assert.equal((await db.collection(`calls/${id}/signals`).get()).size, 0, 'its mailboxes went with it, at once');
    }
    assert.equal((await db.doc(`calls/${answered.callId}`).get()).exists, true, 'an answered call is a conversation');
    assert.equal((await db.collection(`calls/${answered.callId}/signals`).get()).size, 2);

    // Hours later, every abandoned document is gone. (The onCallDeleted trigger
    // keeps a one-hour history of the unanswered calls: wait until it wrote them.)
    for (const id of [unanswered.callId, waiterOnly.callId, ownMailbox.callId]) {
      // Behind this test's own room-count triggers (each count sleeps until due): allow a while.
      await eventually(async () => (await db.doc(`history/${id}`).get()).exists, 60_000, 'history written');
    }
    const late = t0 + MAX_CALL_AGE_MS + WAITING_LEASE_MS;
    // The leftover of a failed trigger: a mailbox whose call is gone.
    await db.doc('calls/ghost2/signals/x_y').set({ from: 'x', to: 'y', n: 0, updatedAt: Timestamp.fromMillis(t0) });
    const second = await sweeper.sweep(late);
    assert.deepEqual(
      { ...second, expiredRecords: undefined },
      // The answered call's presence went with it: no orphans.
      { waitingEntries: 1, calls: 1, lapsedMembers: 0, orphanCalls: 0, orphanSignals: 1, expiredRecords: undefined },
    );
    // Eight rate-limit windows (one per join, two minutes each) and two history entries expired.
    // (At least: calls cleared by earlier tests may have left history through the trigger.)
    assert.ok(second.expiredRecords >= 10, `expired records: ${second.expiredRecords}`);
    for (const name of ['queue', 'calls', 'rateLimits'])
      assert.equal((await db.collection(name).get()).size, 0, `${name} is empty`);
    assert.equal((await db.doc(`history/${unanswered.callId}`).get()).exists, false);
    assert.equal((await db.collectionGroup('signals').get()).size, 0, 'no mailboxes are left');
  });

  /** A random call's document as deleted at `endedAtMs`: b joined while a waited, both pages said their link connected. */
  const endedRandomCall = (endedAtMs: number, expireAtMs: number) => ({
    kind: 'random',
    members: ['b', 'a'],
    room: 'ml',
    createdAt: Timestamp.fromMillis(endedAtMs - 40_000),
    connectedAt: { a: Timestamp.fromMillis(endedAtMs - 31_000), b: Timestamp.fromMillis(endedAtMs - 30_000) },
    expireAt: Timestamp.fromMillis(expireAtMs),
  });

  it("onCallEnded, for a random call deleted past its expiry (TTL's deletion), keeps members, room and both pages' connection records for an hour, removes what is left under the call, and reads nothing; the sweeper then removes the history", async () => {
    const endedAtMs = Date.now();
    // A call id no trigger touches: onCallEnded is called directly, as the trigger would.
    // What was under it when TTL deleted it: a mailbox and a presence.
    await db.doc('calls/direct1/signals/a_b').set({ from: 'a', to: 'b', n: 2 });
    await db.doc('calls/direct1/members/a').set({ uid: 'a', seenAt: Timestamp.fromMillis(endedAtMs - 3000) });
    // TTL deletes a document only once its expireAt has passed.
    const call = endedRandomCall(endedAtMs, endedAtMs - 1);
    // However late the trigger runs, the call ended when it was deleted.
    const usage = await onCallEnded(db, 'direct1', call, endedAtMs);
    assert.deepEqual(
      usage,
      { reads: 0, writes: 1, deletes: 4 },
      'the history is written from the deleted call; mailboxes and presences by name',
    );
    const history = (await db.doc('history/direct1').get()).data()!;
    assert.deepEqual(
      Object.keys(history).sort(),
      ['callMs', 'connectedAt', 'endedAt', 'expireAt', 'members', 'room'],
      'no SDP is kept',
    );
    // Both connected: from the later record (b's) to the end.
    assert.equal(history['callMs'], 30_000);
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(history['connectedAt'] as Record<string, Timestamp>).map(([k, v]) => [k, endedAtMs - v.toMillis()]),
      ),
      { a: 31_000, b: 30_000 },
    );
    assert.deepEqual(history['members'], ['b', 'a']);
    assert.equal((history['expireAt'] as Timestamp).toMillis(), endedAtMs + HISTORY_MS);
    assert.equal((await db.collection('calls/direct1/signals').get()).size, 0);
    assert.equal((await db.collection('calls/direct1/members').get()).size, 0);
    await new Sweeper(db).sweep(endedAtMs + HISTORY_MS - 1);
    assert.equal((await db.doc('history/direct1').get()).exists, true, 'kept for the hour');
    await new Sweeper(db).sweep(endedAtMs + HISTORY_MS);
    assert.equal((await db.doc('history/direct1').get()).exists, false, 'gone after it');
  });

  it('onCallEnded, for a random call deleted before its expiry (Parley ended it, and wrote its history in that commit), reads, writes and deletes nothing', async () => {
    const endedAtMs = Date.now();
    await db.doc('calls/direct3/signals/a_b').set({ from: 'a', to: 'b', n: 2 });
    const call = endedRandomCall(endedAtMs, endedAtMs + 1);
    assert.deepEqual(await onCallEnded(db, 'direct3', call, endedAtMs), { reads: 0, writes: 0, deletes: 0 });
    assert.equal((await db.doc('history/direct3').get()).exists, false, 'no history written');
    assert.equal((await db.doc('calls/direct3/signals/a_b').get()).exists, true, 'nothing deleted');
    await db.doc('calls/direct3/signals/a_b').delete();
  });

  it('onCallEnded records a call only one page said connected as never connected (callMs 0), with that one record', async () => {
    const endedAtMs = Date.now();
    const call = {
      kind: 'random',
      members: ['b', 'a'],
      room: 'ml',
      createdAt: Timestamp.fromMillis(endedAtMs - 40_000),
      // A record of someone else, or anything but a time, is no record.
      connectedAt: { a: Timestamp.fromMillis(endedAtMs - 31_000), mallory: Timestamp.fromMillis(0), b: 'yes' },
      expireAt: Timestamp.fromMillis(endedAtMs),
    };
    await onCallEnded(db, 'direct2', call, endedAtMs);
    const history = (await db.doc('history/direct2').get()).data()!;
    assert.equal(history['callMs'], 0);
    assert.deepEqual(Object.keys(history['connectedAt'] as object).sort(), ['a', 'mallory']);
  });

  // A page keeps its presence in a presence document (an earlier release's) or on the call document (presenceOnCall).
  for (const onCall of [false, true]) {
    it(`a person who vanishes does not take the evidence along: everything under the call goes at once, the history keeps both records (presence ${onCall ? 'on the call' : 'in documents'})`, async () => {
      // The call began a while ago (the trigger then dates its end at the real deletion time).
      const t0 = Date.now() - RANDOM_PRESENCE_LEASE_MS;
      const matchmaker = new FirestoreMatchmaker(db, () => t0);
      await matchmaker.join('w', { room: 'ta', offer: fakeOffer(), widen: false, presenceOnCall: onCall });
      const { callId } = await matchmaker.join('j', { room: 'ta', offer: fakeOffer(), widen: false, presenceOnCall: onCall });
      assert.equal((await db.collection(`calls/${callId}/members`).get()).size, onCall ? 0 : 2, 'presence documents');
      const beat = (uid: 'w' | 'j', atMs: number) =>
        onCall
          ? db.doc(`calls/${callId}`).update({ [uid === 'w' ? 'waiterSeenAt' : 'joinerSeenAt']: Timestamp.fromMillis(atMs) })
          : db.doc(`calls/${callId}/members/${uid}`).update({ seenAt: Timestamp.fromMillis(atMs) });
      await db
        .doc(`calls/${callId}`)
        .update({ 'connectedAt.w': Timestamp.fromMillis(t0 + 1000), 'connectedAt.j': Timestamp.fromMillis(t0 + 1000) });
      // w's page goes on beating; j's tab was killed after its last beat at t0.
      await beat('w', t0 + PRESENCE_LEASE_MS);
      const sweeper = new Sweeper(db);
      // A call by link's lease is not a random call's: its beat is slower, so j is not late yet.
      assert.deepEqual(await sweeper.sweepLapsed(t0 + PRESENCE_LEASE_MS), {
        waitingEntries: 0,
        lapsedMembers: 0,
        calls: 0,
        orphanCalls: 0,
      });
      assert.equal((await sweeper.sweepLapsed(t0 + RANDOM_PRESENCE_LEASE_MS - 1)).calls, 0, 'not before its own lease lapsed');
      assert.equal((await db.doc(`calls/${callId}`).get()).exists, true);
      await beat('w', t0 + RANDOM_PRESENCE_LEASE_MS - 1000);
      const report = await sweeper.sweepLapsed(t0 + RANDOM_PRESENCE_LEASE_MS);
      assert.deepEqual(report, { waitingEntries: 0, lapsedMembers: 1, calls: 1, orphanCalls: 0 });
      assert.equal((await db.doc(`calls/${callId}`).get()).exists, false, 'the call ended');
      assert.equal((await db.collection(`calls/${callId}/signals`).get()).size, 0, 'its mailboxes with it');
      assert.equal((await db.collection(`calls/${callId}/members`).get()).size, 0, 'and any presence documents');
      const history = (await db.doc(`history/${callId}`).get()).data();
      assert.ok(history, 'the history is written in the commit that ended the call');
      assert.equal((history['endedAt'] as Timestamp).toMillis(), t0 + RANDOM_PRESENCE_LEASE_MS, "at the sweep's time");
      assert.deepEqual(Object.keys(history['connectedAt'] as object).sort(), ['j', 'w'], 'both records kept');
      assert.ok((history['callMs'] as number) > 0, `both connected: callMs ${String(history['callMs'])}`);
    });
  }

  it('ends a call of one page with presence on the call and one with a presence document, whichever of the two lapsed', async () => {
    const t0 = Date.now() - RANDOM_PRESENCE_LEASE_MS;
    const matchmaker = new FirestoreMatchmaker(db, () => t0);
    // Call 1: the waiter (w1) beats the call, the joiner (j1, an earlier release's page) its document; j1 vanishes.
    await matchmaker.join('w1', { room: 'ta', offer: fakeOffer(), widen: false, presenceOnCall: true });
    const one = await matchmaker.join('j1', { room: 'ta', offer: fakeOffer(), widen: false });
    // Call 2: the same kinds of page, but the one beating the call (w2) vanishes.
    await matchmaker.join('w2', { room: 'hi', offer: fakeOffer(), widen: false, presenceOnCall: true });
    const two = await matchmaker.join('j2', { room: 'hi', offer: fakeOffer(), widen: false });
    const late = t0 + RANDOM_PRESENCE_LEASE_MS;
    await db.doc(`calls/${one.callId}`).update({ waiterSeenAt: Timestamp.fromMillis(late - 1000) });
    await db.doc(`calls/${two.callId}/members/j2`).update({ seenAt: Timestamp.fromMillis(late - 1000) });
    const sweeper = new Sweeper(db);
    assert.equal((await sweeper.sweepLapsed(late - 1)).calls, 0, 'both live within the lease');
    assert.deepEqual(await sweeper.sweepLapsed(late), { waitingEntries: 0, lapsedMembers: 2, calls: 2, orphanCalls: 0 });
    for (const callId of [one.callId, two.callId]) {
      assert.equal((await db.doc(`calls/${callId}`).get()).exists, false, 'the call ended');
      assert.equal((await db.collection(`calls/${callId}/members`).get()).size, 0, 'no presence document left');
      assert.equal((await db.collection(`calls/${callId}/signals`).get()).size, 0);
    }
  });

  it('whoever ends a random call writes its history in the same commit: a Block that arrives before any trigger has run finds it', async () => {
    // A clock an hour behind: a history written by the trigger would carry the real time instead.
    const t0 = Date.now() - 3600_000;
    const matchmaker = new FirestoreMatchmaker(db, () => t0);
    const moderator = new FirestoreModerator(db, new NetworkHasher(db), () => t0 + 9000);
    // Next: j looks again while in a call with w.
    await matchmaker.join('w', { room: 'ta', offer: fakeOffer(), widen: false });
    const first = await matchmaker.join('j', { room: 'ta', offer: fakeOffer(), widen: false });
    await db
      .doc(`calls/${first.callId}`)
      .update({ 'connectedAt.w': Timestamp.fromMillis(t0 + 1000), 'connectedAt.j': Timestamp.fromMillis(t0 + 2000) });
    const later = new FirestoreMatchmaker(db, () => t0 + 7000);
    assert.equal((await later.join('j', { room: 'ta', offer: fakeOffer(), widen: false })).status, 'waiting');
    const history = (await db.doc(`history/${first.callId}`).get()).data();
    assert.ok(history, 'history written by the Next that ended the call');
    assert.equal((history['endedAt'] as Timestamp).toMillis(), t0 + 7000);
    assert.equal(history['callMs'], 5000, 'both records kept: from the later one to the end');
    // w blocks j straight away, with no trigger run in between: the block is taken.
    await moderator.block('w', { callId: first.callId });
    assert.deepEqual((await db.doc('blocks/w').get()).get('blocked'), ['j']);

    // Stop (leave) ends a call the same way.
    await later.leave('j');
    const second = await later.join('w', { room: 'ta', offer: fakeOffer(), widen: false });
    const third = await new FirestoreMatchmaker(db, () => t0 + 8000).join('x', { room: 'ta', offer: fakeOffer(), widen: false });
    assert.equal(third.callId, second.callId);
    await new FirestoreMatchmaker(db, () => t0 + 8500).leave('x');
    assert.equal(
      ((await db.doc(`history/${second.callId}`).get()).get('endedAt') as Timestamp).toMillis(),
      t0 + 8500,
      'written by leave',
    );

    // Block of a live call: the call, its history and the block in one transaction.
    await matchmaker.join('p', { room: 'hi', offer: fakeOffer(), widen: false });
    const live = await matchmaker.join('q', { room: 'hi', offer: fakeOffer(), widen: false });
    await moderator.block('q', { callId: live.callId });
    assert.equal((await db.doc(`calls/${live.callId}`).get()).exists, false);
    assert.equal(((await db.doc(`history/${live.callId}`).get()).get('endedAt') as Timestamp).toMillis(), t0 + 9000);

    // The triggers, when they come, leave these histories as they are.
    await drainTriggers();
    for (const [id, at] of [
      [first.callId, 7000],
      [second.callId, 8500],
      [live.callId, 9000],
    ] as const) {
      assert.equal(
        ((await db.doc(`history/${id}`).get()).get('endedAt') as Timestamp).toMillis(),
        t0 + at,
        `history of ${id} untouched`,
      );
    }
  });

  it('clears what is left under a call that is gone (its trigger missed it) once the presence there lapsed, by its kind of lease', async () => {
    const t0 = Date.now();
    // Nothing creates or deletes calls/missed1 itself: no trigger ever runs for it. A call by link's presence.
    for (const [from, to] of [
      ['p', 'q'],
      ['q', 'p'],
    ]) {
      await db.doc(`calls/missed1/signals/${from}_${to}`).set({ from, to, n: 3, updatedAt: Timestamp.fromMillis(t0) });
      await db
        .doc(`calls/missed1/members/${from}`)
        .set({ uid: from, kind: 'link', joinedAt: Timestamp.fromMillis(t0), seenAt: Timestamp.fromMillis(t0) });
    }
    // A random call's presence, and one written before presence had a kind: both on the longer lease.
    await db
      .doc('calls/missed2/members/r')
      .set({ uid: 'r', kind: 'random', joinedAt: Timestamp.fromMillis(t0), seenAt: Timestamp.fromMillis(t0) });
    await db.doc('calls/missed2/signals/r_s').set({ from: 'r', to: 's', n: 1, updatedAt: Timestamp.fromMillis(t0) });
    await db
      .doc('calls/missed3/members/u')
      .set({ uid: 'u', joinedAt: Timestamp.fromMillis(t0), seenAt: Timestamp.fromMillis(t0) });
    const sweeper = new Sweeper(db);
    assert.equal((await sweeper.sweepLapsed(t0 + PRESENCE_LEASE_MS - 1)).orphanCalls, 0, 'not before the lease lapsed');
    assert.equal((await db.collection('calls/missed1/members').get()).size, 2);
    assert.equal(
      (await sweeper.sweepLapsed(t0 + PRESENCE_LEASE_MS)).orphanCalls,
      1,
      "the sweep's liveness pass: the call by link's",
    );
    assert.equal((await db.collection('calls/missed1/members').get()).size, 0, 'presence gone');
    assert.equal((await db.collection('calls/missed1/signals').get()).size, 0, 'mailboxes gone (they hold addresses)');
    assert.equal((await db.collectionGroup('members').get()).size, 2, 'the others wait for their lease');
    // The full sweep finds the rest once theirs lapsed.
    assert.equal((await sweeper.sweep(t0 + RANDOM_PRESENCE_LEASE_MS - 1)).orphanCalls, 0);
    assert.equal((await sweeper.sweep(t0 + RANDOM_PRESENCE_LEASE_MS)).orphanCalls, 2);
    assert.equal((await db.collectionGroup('signals').get()).size, 0, 'no mailboxes are left');
    assert.equal((await db.collectionGroup('members').get()).size, 0, 'no presence is left');
  });

  it('finds an unanswered call behind more live calls than one query reads', async () => {
    const t0 = Date.now();
    const made = t0 - UNANSWERED_CALL_MS - 10_000;
    // Three answered random calls, older than the unanswered one: a sweep
    // that looked at calls oldest first, two at a time, would never reach it.
    const batch = db.batch();
    const call = (id: string, createdAtMs: number, joinerWrites: number) => {
      batch.set(db.doc(`calls/${id}`), {
        kind: 'random',
        members: [`${id}j`, `${id}w`],
        room: 'ta',
        createdAt: Timestamp.fromMillis(createdAtMs),
        expireAt: Timestamp.fromMillis(createdAtMs + MAX_CALL_AGE_MS),
      });
      batch.set(db.doc(`calls/${id}/signals/${id}j_${id}w`), {
        ...emptyMailbox(`${id}j`, `${id}w`, createdAtMs),
        n: joinerWrites,
      });
      // The waiter's own: a page writes it when it sees the match (docs/PROTOCOL.md, step 3).
      batch.set(db.doc(`calls/${id}/signals/${id}w_${id}j`), { ...emptyMailbox(`${id}w`, `${id}j`, createdAtMs), n: 1 });
    };
    for (const id of ['live1', 'live2', 'live3']) call(id, made - 60_000, 1);
    call('unanswered1', made, 0);
    await batch.commit();
    const report = await new Sweeper(db, undefined, undefined, 2).sweep(t0);
    assert.equal(report.calls, 1);
    assert.equal((await db.doc('calls/unanswered1').get()).exists, false, 'the unanswered call ended');
    for (const id of ['live1', 'live2', 'live3']) assert.equal((await db.doc(`calls/${id}`).get()).exists, true, `${id} goes on`);
  });

  it('does not delete a waiting entry renewed after it was read', async () => {
    const matchmaker = new FirestoreMatchmaker(db, () => Date.now() - WAITING_LEASE_MS - 1);
    await matchmaker.join('a', { room: 'ta', offer: fakeOffer(), widen: true });
    // Renewal lands; the entry is live again.
    await new FirestoreMatchmaker(db).join('a', { room: 'ta', offer: fakeOffer(), widen: true });
    const report = await new Sweeper(db).sweep(Date.now());
    assert.equal(report.waitingEntries, 0);
    assert.equal((await db.doc('queue/a').get()).exists, true);
  });
});

/**
 * The sweeper against the Firestore emulator: after abrupt exits (no leave,
 * no Next), it leaves nothing stale behind and touches nothing live.
 */
import { Timestamp } from 'firebase-admin/firestore';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { deleteCallCandidates, onCallEnded, Sweeper } from '../../functions/src/cleanup/sweeper.js';
import { HISTORY_MS, MAX_CALL_AGE_MS, UNANSWERED_CALL_MS, WAITING_LEASE_MS } from '../../functions/src/domain/limits.js';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import { adminDb, clearFirestore, eventually, fakeOffer } from '../support/emulator.js';

describe('Sweeper (Firestore emulator)', () => {
  const db = adminDb();
  beforeEach(() => clearFirestore());

  it('removes lapsed waiting entries and abandoned calls with their candidates, and keeps live ones', async () => {
    const t0 = Date.now();
    let now = t0;
    const matchmaker = new FirestoreMatchmaker(db, () => now);
    // Two pairs and one waiter, all made at t0 by the real matching code.
    await matchmaker.join('a', { room: 'ta', offer: fakeOffer(), widen: true });
    const unanswered = await matchmaker.join('b', { room: 'ta', offer: fakeOffer(), widen: true });
    await matchmaker.join('c', { room: 'hi', offer: fakeOffer(), widen: true });
    const answered = await matchmaker.join('d', { room: 'hi', offer: fakeOffer(), widen: true });
    await matchmaker.join('e', { room: 'en', offer: fakeOffer(), widen: true });
    await db.doc(`calls/${answered.callId}`).update({ answer: { type: 'answer', sdp: 'v=0' }, answeredAt: Timestamp.fromMillis(t0) });
    for (const id of [unanswered.callId, answered.callId]) {
      await db.collection(`calls/${id}/candidates`).add({ from: 'x', candidate: 'c', createdAt: Timestamp.fromMillis(t0) });
    }
    // A waiter who arrives later and is still renewing.
    now = t0 + UNANSWERED_CALL_MS;
    await matchmaker.join('f', { room: 'ml', offer: fakeOffer(), widen: true });

    const sweeper = new Sweeper(db);
    const report = await sweeper.sweep(t0 + UNANSWERED_CALL_MS + 1);
    assert.deepEqual({ ...report, expiredRecords: undefined }, { waitingEntries: 1, calls: 1, orphanCandidates: 0, lapsedMembers: 0, orphanSignals: 0, expiredRecords: undefined });
    for (const uid of ['a', 'b', 'c', 'd', 'e', 'f']) {
      assert.equal((await db.doc(`rateLimits/${uid}_join`).get()).exists, true, 'rate windows are still running');
    }
    assert.equal((await db.doc('queue/e').get()).exists, false, 'e stopped renewing 60 s ago (lease 45 s)');
    assert.equal((await db.doc('queue/f').get()).exists, true, 'f renewed recently');
    assert.equal((await db.doc(`calls/${unanswered.callId}`).get()).exists, false, 'nobody answered within 60 s');
    assert.equal((await db.collection(`calls/${unanswered.callId}/candidates`).get()).size, 0);
    assert.equal((await db.doc(`calls/${answered.callId}`).get()).exists, true, 'an answered call is a conversation');

    // Hours later, every abandoned document is gone. (The onCallDeleted trigger
    // keeps a one-hour history of the unanswered call: wait until it wrote it.)
    await eventually(async () => (await db.doc(`history/${unanswered.callId}`).get()).exists, 15_000, 'history written');
    const late = t0 + MAX_CALL_AGE_MS + WAITING_LEASE_MS;
    await db.collection('calls/ghost/candidates').add({ from: 'x', candidate: 'c', createdAt: Timestamp.fromMillis(t0) });
    const second = await sweeper.sweep(late);
    assert.deepEqual({ ...second, expiredRecords: undefined }, { waitingEntries: 1, calls: 1, orphanCandidates: 1, lapsedMembers: 0, orphanSignals: 0, expiredRecords: undefined });
    // Six rate-limit windows (one per join, two minutes each) and one history entry expired.
    // (At least: calls cleared by earlier tests may have left history through the trigger.)
    assert.ok(second.expiredRecords >= 7, `expired records: ${second.expiredRecords}`);
    for (const name of ['queue', 'calls', 'rateLimits']) assert.equal((await db.collection(name).get()).size, 0, `${name} is empty`);
    assert.equal((await db.doc(`history/${unanswered.callId}`).get()).exists, false);
    assert.equal((await db.collectionGroup('candidates').get()).size, 0, 'no candidates are left');
  });

  it('onCallEnded keeps participants and room for an hour, removes candidates; the sweeper then removes the history', async () => {
    const nowMs = Date.now();
    // A call id no trigger touches: onCallEnded is called directly, as the trigger would.
    await db.collection('calls/direct1/candidates').add({ from: 'a' });
    await db.collection('calls/direct1/candidates').add({ from: 'b' });
    const usage = await onCallEnded(db, 'direct1', { participants: ['a', 'b'], room: 'ml', offer: { type: 'offer', sdp: 'v=0' } }, nowMs);
    assert.deepEqual(usage, { reads: 2, writes: 1, deletes: 2 });
    const history = (await db.doc('history/direct1').get()).data()!;
    assert.deepEqual(Object.keys(history).sort(), ['endedAt', 'expireAt', 'participants', 'room'], 'no SDP is kept');
    assert.deepEqual(history['participants'], ['a', 'b']);
    assert.equal((history['expireAt'] as Timestamp).toMillis(), nowMs + HISTORY_MS);
    assert.equal((await db.collection('calls/direct1/candidates').get()).size, 0);
    await new Sweeper(db).sweep(nowMs + HISTORY_MS - 1);
    assert.equal((await db.doc('history/direct1').get()).exists, true, 'kept for the hour');
    await new Sweeper(db).sweep(nowMs + HISTORY_MS);
    assert.equal((await db.doc('history/direct1').get()).exists, false, 'gone after it');
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

  it('deleteCallCandidates removes every candidate of one call only', async () => {
    await db.collection('calls/one/candidates').add({ from: 'x' });
    await db.collection('calls/one/candidates').add({ from: 'y' });
    await db.collection('calls/two/candidates').add({ from: 'x' });
    assert.equal(await deleteCallCandidates(db, 'one'), 2);
    assert.equal((await db.collection('calls/two/candidates').get()).size, 1);
  });
});

/**
 * Rooms beyond pairing: widening a quiet room's wait to Anyone (the matching
 * class on the Firestore emulator, with its clock moved by the test), and the
 * live room counts (the callables and triggers of the Functions emulator, and
 * the counter itself).
 */
import { Timestamp } from 'firebase-admin/firestore';
import { doc, getDoc } from 'firebase/firestore';
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { WAITING_LEASE_MS } from '../../functions/src/domain/limits.js';
import { parseRoomCounts } from '../../functions/src/protocol/room-counts.js';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import type { JoinResult } from '../../functions/src/protocol/calls.js';
import { RoomCounter } from '../../functions/src/presence/room-counter.js';
import { adminDb, clearFirestore, eventually, fakeOffer, userPool } from '../support/emulator.js';

const db = adminDb();

describe('widen to Anyone (Firestore emulator)', () => {
  beforeEach(() => clearFirestore());
  let shift = 0;
  const clock = () => Date.now() + shift;
  const widenAfterMs = 1_000;
  const matchmaker = new FirestoreMatchmaker(db, clock, () => ({ widenAfterMs }));
  beforeEach(() => {
    shift = 0;
  });

  it('a quiet room widens after N: a renewal pairs the waiter with someone waiting in Anyone', async () => {
    const tamil = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer('ta'), widen: true });
    assert.deepEqual(tamil, { status: 'waiting', callId: tamil.callId, widened: false, widenInMs: widenAfterMs });
    const anyone = await matchmaker.join('any-1', { room: 'any', offer: fakeOffer('any'), widen: true });
    assert.equal(anyone.status, 'waiting', 'not yet: the Tamil waiter has not widened');
    shift = widenAfterMs + 100;
    const renewed = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer('ta'), widen: true, renewing: tamil.callId });
    assert.equal(renewed.status, 'matched', 'the widening renewal finds the Anyone waiter');
    assert.equal(renewed.callId, anyone.callId);
    assert.equal(renewed.status === 'matched' && renewed.room, 'any', 'they meet in Anyone');
    const call = (await db.doc(`calls/${anyone.callId}`).get()).data()!;
    assert.deepEqual([call['members'], call['room']], [['ta-1', 'any-1'], 'any'], 'the renewal joined; any-1 waited');
  });

  it('someone joining Anyone after the widening takes the widened waiter', async () => {
    const tamil = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer('ta'), widen: true });
    shift = widenAfterMs + 100;
    const renewed = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer('ta'), widen: true, renewing: tamil.callId });
    assert.deepEqual(renewed, { status: 'waiting', callId: tamil.callId, widened: true, widenInMs: null });
    assert.deepEqual((await db.doc('queue/ta-1').get()).get('pools'), ['ta', 'any']);
    const anyone = await matchmaker.join('any-1', { room: 'any', offer: fakeOffer('any'), widen: true });
    assert.equal(anyone.status, 'matched');
    assert.equal(anyone.callId, tamil.callId);
    // Others in Tamil still find the widened waiter... (gone now: paired.) And a Hindi joiner never would have.
  });

  it('never widens for a person who turned it off, nor for a room other than Anyone into another room', async () => {
    const tamil = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer(), widen: false });
    assert.equal(tamil.status === 'waiting' && tamil.widenInMs, null);
    const hindi = await matchmaker.join('hi-1', { room: 'hi', offer: fakeOffer(), widen: true });
    shift = widenAfterMs + 100;
    await matchmaker.join('hi-1', { room: 'hi', offer: fakeOffer(), widen: true, renewing: hindi.callId });
    const renewed = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer(), widen: false, renewing: tamil.callId });
    assert.deepEqual(renewed, { status: 'waiting', callId: tamil.callId, widened: false, widenInMs: null });
    const anyone = await matchmaker.join('any-1', { room: 'any', offer: fakeOffer(), widen: true });
    assert.equal(anyone.status, 'matched', 'the Anyone joiner meets the widened Hindi waiter...');
    assert.equal(anyone.callId, hindi.callId);
    assert.equal((await db.doc('queue/ta-1').get()).exists, true, '...and never the Tamil waiter who said no');
    const another = await matchmaker.join('bn-1', { room: 'bn', offer: fakeOffer(), widen: true });
    assert.equal(another.status, 'waiting', 'widening goes to Anyone only, never into another language room');
  });

  it('a renewal keeps the wait counted from the first join, so the widening time does not restart', async () => {
    const first = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer(), widen: true });
    shift = 600;
    const renewed = await matchmaker.join('ta-1', { room: 'ta', offer: fakeOffer(), widen: true, renewing: first.callId });
    assert.equal(renewed.status, 'waiting');
    const left = renewed.status === 'waiting' ? renewed.widenInMs : null;
    assert.ok(left !== null && left <= widenAfterMs - 500, `widens in ${left} ms, not a fresh ${widenAfterMs}`);
  });
});

describe('live room counts', () => {
  const users = userPool();
  beforeEach(() => clearFirestore());
  after(() => users.closeAll());

  const countsOf = async () => parseRoomCounts((await db.doc('stats/rooms').get()).get('rooms'));

  it('follow people waiting and chatting, and a signed-in page can read them', async () => {
    const [a, b] = [await users.create(), await users.create()];
    await a.call<JoinResult>('join', { room: 'ml', offer: fakeOffer() });
    await eventually(async () => (await countsOf()).ml.waiting === 1, 20_000, 'ml: 1 waiting');
    await b.call<JoinResult>('join', { room: 'ml', offer: fakeOffer() });
    await eventually(
      async () => {
        const c = (await countsOf()).ml;
        return c.waiting === 0 && c.chatting === 2;
      },
      20_000,
      'ml: 0 waiting, 2 chatting',
    );
    // What the page does: read the one document with the client SDK, under the rules.
    const seen = await getDoc(doc(a.db, 'stats', 'rooms'));
    assert.deepEqual(parseRoomCounts(seen.get('rooms')).ml, { waiting: 0, chatting: 2 });
    await b.call('leave', {});
    await eventually(async () => (await countsOf()).ml.chatting === 0, 20_000, 'ml: nobody after leave');
  });

  it('count only live leases, and a change older than the last count needs no new count', async () => {
    const now = Date.now();
    const entry = (room: string, leaseMs: number) => ({
      uid: 'x',
      room,
      pools: [room],
      createdAt: Timestamp.fromMillis(now),
      leaseExpiresAt: Timestamp.fromMillis(now + leaseMs),
    });
    await db.doc('queue/live-1').set(entry('kn', WAITING_LEASE_MS));
    await db.doc('queue/live-2').set(entry('kn', WAITING_LEASE_MS));
    await db.doc('queue/ghost').set(entry('kn', -1_000));
    const counter = new RoomCounter(db, Date.now, 0, async () => undefined);
    // The emulator's triggers react to these writes too and may have scheduled the count first.
    assert.ok(['scheduled', 'already-scheduled'].includes(await counter.changed(Date.now())));
    await counter.countWhenDue(); // what the trigger on the counts document runs
    const kn = await eventually(
      async () => {
        const c = (await countsOf()).kn;
        return c.waiting > 0 ? c : null;
      },
      20_000,
      'kn counted',
    );
    assert.deepEqual(kn, { waiting: 2, chatting: 0 }, 'the lapsed lease is not counted');
    assert.equal(await counter.changed(now - 60_000), 'already-counted');
  });
});

/**
 * Rooms beyond pairing: widening a quiet room's wait to Anyone (the matching
 * class on the Firestore emulator, with its clock moved by the test), and the
 * live room counts (the callables and triggers of the Functions emulator; the
 * schedule's decisions are unit-tested in domain/room-count-schedule).
 */
import { Timestamp } from 'firebase-admin/firestore';
import { doc, getDoc } from 'firebase/firestore';
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { WAITING_LEASE_MS } from '../../functions/src/domain/limits.js';
import { parseRoomCounts } from '../../functions/src/protocol/room-counts.js';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import type { JoinResult } from '../../functions/src/protocol/calls.js';
import { ROOM_COUNTS_SCHEDULE_DOC } from '../../functions/src/presence/room-counter.js';
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

describe('live room counts (the triggers of the Functions emulator)', () => {
  const users = userPool();
  beforeEach(() => clearFirestore());
  after(() => users.closeAll());

  const countsOf = async () => parseRoomCounts((await db.doc('stats/rooms').get()).get('rooms'));
  const liveEntry = (room: string, leaseMs = WAITING_LEASE_MS) => ({
    uid: 'x',
    room,
    pools: [room],
    createdAt: Timestamp.now(),
    seenAt: Timestamp.now(),
    leaseExpiresAt: Timestamp.fromMillis(Date.now() + leaseMs),
  });

  it('follow a call through its start and end: the waiter, then the call, then nobody, and a page reads only the numbers', async () => {
    const [a, b] = [await users.create(), await users.create()];
    await a.call<JoinResult>('join', { room: 'ml', offer: fakeOffer() });
    await eventually(async () => (await countsOf()).ml.waiting === 1, 30_000, 'ml: 1 waiting');
    const paired = await b.call<JoinResult>('join', { room: 'ml', offer: fakeOffer() });
    assert.equal(paired.status, 'matched');
    await eventually(
      async () => {
        const c = (await countsOf()).ml;
        return c.waiting === 0 && c.chatting === 2;
      },
      30_000,
      'ml: 0 waiting, 2 chatting',
    );
    // What the page does: read the one document with the client SDK, under the rules.
    const seen = await getDoc(doc(a.db, 'stats', 'rooms'));
    assert.deepEqual(Object.keys(seen.data() ?? {}), ['rooms'], 'the public document holds the numbers only');
    assert.deepEqual(parseRoomCounts(seen.get('rooms')).ml, { waiting: 0, chatting: 2 });
    await assert.rejects(
      getDoc(doc(a.db, 'stats', ROOM_COUNTS_SCHEDULE_DOC)),
      /permission/i,
      "the schedule is the functions' own",
    );
    // The call ends (Stop): its deletion is counted like any other change.
    await b.call('leave', {});
    await eventually(
      async () => {
        const c = (await countsOf()).ml;
        return c.waiting === 0 && c.chatting === 0;
      },
      30_000,
      'ml: nobody after the call ended',
    );
  });

  it('count only live leases', async () => {
    await db.doc('queue/live-1').set(liveEntry('kn'));
    await db.doc('queue/live-2').set(liveEntry('kn'));
    await db.doc('queue/ghost').set(liveEntry('kn', -1_000));
    const kn = await eventually(
      async () => {
        const c = (await countsOf()).kn;
        return c.waiting > 0 ? c : null;
      },
      30_000,
      'kn counted',
    );
    assert.deepEqual(kn, { waiting: 2, chatting: 0 }, 'the lapsed lease is not counted');
  });

  it('keep publishing while changes never stop (a steady stream never postpones the count), then settle', async () => {
    // People come and go in Bengali every 300 ms. A count must come out
    // while it goes on, not only once it stops.
    const published: number[] = [];
    const stop = db.doc('stats/rooms').onSnapshot((snap) => {
      if (parseRoomCounts(snap.get('rooms')).bn.waiting > 0) published.push(Date.now());
    });
    let n = 0;
    try {
      const deadline = Date.now() + 90_000;
      while (published.length === 0) {
        assert.ok(Date.now() < deadline, 'no count was published in 90 s of steady changes');
        await db.doc(`queue/stream-${n}`).set(liveEntry('bn'));
        if (n >= 2) await db.doc(`queue/stream-${n - 2}`).delete();
        n += 1;
        await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      stop();
    }
    // Two entries stay once the stream stops; the counts settle there.
    await eventually(async () => (await countsOf()).bn.waiting === 2, 30_000, 'bn: the last 2 entries waiting');
  });
});

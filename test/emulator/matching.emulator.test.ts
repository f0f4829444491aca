/**
 * The join and leave callables through the Functions emulator, on the
 * Firestore emulator: pairing, room separation, no self-pairing, one call per
 * person, renewal, the call's mailboxes and their cleanup, and answers to bad
 * input. Then the matchmaker alone, with a waiter's heartbeat racing a pairing.
 */
import assert from 'node:assert/strict';
import {
  FieldValue,
  Timestamp,
  type CollectionReference,
  type DocumentReference,
  type Firestore,
} from 'firebase-admin/firestore';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Banned } from '../../functions/src/domain/refusals.js';
import { UsageMeter } from '../../functions/src/domain/usage.js';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import type { CreateCallResult, JoinResult } from '../../functions/src/protocol/calls.js';
import { parseRefusal, type Refusal } from '../../functions/src/protocol/refusals.js';
import { adminDb, anonymousCaller, clearFirestore, eventually, fakeOffer, rejection, userPool } from '../support/emulator.js';

const users = userPool();
const user = users.create;

describe('join and leave (Functions emulator)', () => {
  const db = adminDb();

  before(async () => {
    await clearFirestore();
  });
  beforeEach(async () => {
    await clearFirestore();
  });
  after(async () => {
    await users.closeAll();
  });

  it('queues the first person and pairs the second with them', async () => {
    const [a, b] = [await user(), await user()];
    const offerA = fakeOffer('a');
    const startedAt = Date.now();
    const first = await a.call<JoinResult>('join', { room: 'ta', offer: offerA });
    assert.equal(first.status, 'waiting');
    const entry = await db.doc(`queue/${a.uid}`).get();
    assert.equal(entry.get('room'), 'ta');
    assert.equal(entry.get('callId'), first.callId);

    const second = await b.call<JoinResult>('join', { room: 'ta', offer: fakeOffer('b') });
    assert.equal(second.status, 'matched');
    assert.equal(second.callId, first.callId, 'the call is created under the id the waiter listens on');
    assert.deepEqual(second.status === 'matched' && second.offer, offerA, "the joiner receives the waiter's offer");
    // Entry order: the waiter made the first offer, so it is the later member.
    assert.deepEqual(second.status === 'matched' && second.members, [b.uid, a.uid], 'join tells the members, [joiner, waiter]');
    // The waiter was last seen at its join, between startedAt and now (one clock: the emulators run here).
    const seenAgo = second.status === 'matched' ? second.waiterSeenMsAgo : -1;
    const elapsed = Date.now() - startedAt;
    assert.ok(seenAgo >= 0 && seenAgo <= elapsed, `waiterSeenMsAgo ${seenAgo} within the test's ${elapsed} ms`);

    const call = await db.doc(`calls/${first.callId}`).get();
    assert.deepEqual(call.get('members'), [b.uid, a.uid]);
    assert.equal(call.get('kind'), 'random');
    assert.deepEqual(Object.keys(call.data()!).sort(), ['createdAt', 'expireAt', 'kind', 'members', 'room'], 'no SDP, one list');
    // Both mailboxes exist by the time join answers 'matched' (same batch as the call), empty.
    const boxes = await db.collection(`calls/${first.callId}/signals`).get();
    assert.deepEqual(
      boxes.docs
        .map((d) => ({ id: d.id, ...d.data(), updatedAt: undefined, expireAt: d.get('expireAt') instanceof Timestamp }))
        .sort((x, y) => x.id.localeCompare(y.id)),
      [
        { id: `${a.uid}_${b.uid}`, from: a.uid, to: b.uid },
        { id: `${b.uid}_${a.uid}`, from: b.uid, to: a.uid },
      ]
        // expireAt: the TTL field, production's last resort for a mailbox its call's cleanup missed.
        .map((m) => ({ ...m, epoch: 0, description: null, candidates: '', n: 0, updatedAt: undefined, expireAt: true }))
        .sort((x, y) => x.id.localeCompare(y.id)),
    );
    // And both presences, of the random kind: the sweeper gives them a random call's longer lease.
    const presence = await db.collection(`calls/${first.callId}/members`).get();
    assert.deepEqual(
      presence.docs.map((d) => [d.id, d.get('kind')]).sort(),
      [
        [a.uid, 'random'],
        [b.uid, 'random'],
      ].sort(),
    );
    assert.equal((await db.doc(`queue/${a.uid}`).get()).exists, false, 'the waiter left the queue');
    assert.equal((await db.doc(`queue/${b.uid}`).get()).exists, false);
  });

  it("makes only the waiter's mailbox for a joiner that makes its own (makesOwnMailbox), and tells it the call's expiry", async () => {
    const [a, b, c, d] = [await user(), await user(), await user(), await user()];
    // The joiner's word decides (it is the joiner's mailbox); the waiter's is not asked.
    const waiting = await a.call<JoinResult>('join', { room: 'te', offer: fakeOffer('a') });
    const own = await b.call<JoinResult>('join', { room: 'te', offer: fakeOffer('b'), makesOwnMailbox: true });
    assert.equal(own.status, 'matched');
    const call = await db.doc(`calls/${waiting.callId}`).get();
    assert.equal(own.status === 'matched' && own.expireAtMs, (call.get('expireAt') as Timestamp).toMillis());
    const boxes = await db.collection(`calls/${waiting.callId}/signals`).get();
    assert.deepEqual(
      boxes.docs.map((d) => [d.id, d.get('n'), (d.get('expireAt') as Timestamp).toMillis()]),
      [[`${a.uid}_${b.uid}`, 0, (call.get('expireAt') as Timestamp).toMillis()]],
      "only the waiter's, empty",
    );
    // A joiner that does not say so (a page of an earlier release) gets both, and no expiry to copy.
    const waiting2 = await c.call<JoinResult>('join', { room: 'pt', offer: fakeOffer('c'), makesOwnMailbox: true });
    const old = await d.call<JoinResult>('join', { room: 'pt', offer: fakeOffer('d') });
    assert.equal(old.status, 'matched');
    assert.equal('expireAtMs' in old, false);
    assert.deepEqual(
      (await db.collection(`calls/${waiting2.callId}/signals`).get()).docs.map((d) => d.id).sort(),
      [`${c.uid}_${d.uid}`, `${d.uid}_${c.uid}`].sort(),
    );
  });

  it('keeps the presence of a page that asks for it (presenceOnCall) on the call document, of its role, and a presence document for one that does not', async () => {
    const [a, b, c, d] = [await user(), await user(), await user(), await user()];
    // a waits asking for presence on the call; b (a page of an earlier release) does not ask.
    const waiting = await a.call<JoinResult>('join', { room: 'kn', offer: fakeOffer('a'), presenceOnCall: true });
    const mixed = await b.call<JoinResult>('join', { room: 'kn', offer: fakeOffer('b') });
    assert.equal(mixed.status, 'matched');
    const mixedCall = await db.doc(`calls/${waiting.callId}`).get();
    const createdAt = (mixedCall.get('createdAt') as Timestamp).toMillis();
    assert.equal(
      (mixedCall.get('waiterSeenAt') as Timestamp).toMillis(),
      createdAt,
      "the waiter's presence, seen at the pairing",
    );
    assert.equal(mixedCall.get('joinerSeenAt'), undefined, "the joiner's presence is a document");
    const mixedPresence = await db.collection(`calls/${waiting.callId}/members`).get();
    assert.deepEqual(
      mixedPresence.docs.map((p) => p.id),
      [b.uid],
    );

    // Both ask: no presence documents at all.
    const second = await c.call<JoinResult>('join', { room: 'kn', offer: fakeOffer('c'), presenceOnCall: true });
    const both = await d.call<JoinResult>('join', { room: 'kn', offer: fakeOffer('d'), presenceOnCall: true });
    assert.equal(both.status, 'matched');
    const bothCall = await db.doc(`calls/${second.callId}`).get();
    assert.deepEqual(Object.keys(bothCall.data()!).sort(), [
      'createdAt',
      'expireAt',
      'joinerSeenAt',
      'kind',
      'members',
      'room',
      'waiterSeenAt',
    ]);
    assert.equal((await db.collection(`calls/${second.callId}/members`).get()).size, 0, 'no presence documents');

    // Leaving ends each call with everything under it, presence of either kind.
    await b.call('leave', {});
    await d.call('leave', {});
    for (const callId of [waiting.callId, second.callId]) {
      assert.equal((await db.doc(`calls/${callId}`).get()).exists, false);
      assert.equal((await db.collection(`calls/${callId}/members`).get()).size, 0, 'no presence document is left');
      assert.equal((await db.collection(`calls/${callId}/signals`).get()).size, 0);
    }
  });

  it("tells the joiner how long before the pairing the waiter last beat (its page's wait for the acknowledgement depends on it)", async () => {
    const [a, b] = [await user(), await user()];
    await a.call<JoinResult>('join', { room: 'hi', offer: fakeOffer('a') });
    // Its page missed a beat: last seen 9 s ago (still matchable: 15 s).
    await db.doc(`queue/${a.uid}`).update({ seenAt: Timestamp.fromMillis(Date.now() - 9_000) });
    const matched = await b.call<JoinResult>('join', { room: 'hi', offer: fakeOffer('b') });
    assert.equal(matched.status, 'matched');
    const seenAgo = matched.status === 'matched' ? matched.waiterSeenMsAgo : -1;
    assert.ok(seenAgo >= 9_000, `waiterSeenMsAgo ${seenAgo}: the beat 9 s old, not the entry update`);
  });

  it('never pairs people in different rooms', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    assert.equal((await a.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
    assert.equal((await b.call<JoinResult>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
    assert.equal((await c.call<JoinResult>('join', { room: 'any', offer: fakeOffer() })).status, 'waiting');
    assert.equal((await db.collection('calls').get()).size, 0);
  });

  it('never pairs a person with themself, and a second join renews the wait in place', async () => {
    const a = await user();
    const first = await a.call<JoinResult>('join', { room: 'en', offer: fakeOffer('1') });
    const before = (await db.doc(`queue/${a.uid}`).get()).data()!;
    const again = await a.call<JoinResult>('join', { room: 'en', offer: fakeOffer('2'), renewing: first.callId });
    assert.equal(again.status, 'waiting');
    assert.equal(again.callId, first.callId, 'a renewal keeps the call id the page listens on');
    const after = (await db.doc(`queue/${a.uid}`).get()).data()!;
    assert.ok(after['createdAt'].isEqual(before['createdAt']), 'a renewal keeps the place in line');
    assert.ok(after['leaseExpiresAt'].toMillis() >= before['leaseExpiresAt'].toMillis(), 'a renewal extends the lease');
    assert.equal((await db.collection('calls').get()).size, 0);
  });

  it('a renewal that crosses its own match leaves the call alone and tells the waiter it was paired, and with whom', async () => {
    const [a, b] = [await user(), await user()];
    const waiting = await a.call<JoinResult>('join', { room: 'ml', offer: fakeOffer() });
    await b.call<JoinResult>('join', { room: 'ml', offer: fakeOffer() });
    const renewal = await a.call<JoinResult>('join', { room: 'ml', offer: fakeOffer(), renewing: waiting.callId });
    assert.deepEqual(renewal, { status: 'paired', callId: waiting.callId, members: [b.uid, a.uid] });
    assert.equal((await db.doc(`calls/${waiting.callId}`).get()).exists, true, 'the call survives');
    assert.equal((await db.doc(`queue/${a.uid}`).get()).exists, false, 'and A is not queued again');
  });

  it('joining again (Next) ends the previous call, which removes its mailboxes', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const waiting = await a.call<JoinResult>('join', { room: 'any', offer: fakeOffer() });
    await b.call<JoinResult>('join', { room: 'any', offer: fakeOffer() });
    const callRef = db.doc(`calls/${waiting.callId}`);
    await callRef
      .collection('signals')
      .doc(`${b.uid}_${a.uid}`)
      .update({ epoch: 1, description: { type: 'answer', sdp: 'v=0' }, n: 1 });

    await c.call<JoinResult>('join', { room: 'any', offer: fakeOffer() }); // C waits
    const next = await b.call<JoinResult>('join', { room: 'any', offer: fakeOffer() }); // B presses Next
    assert.equal(next.status, 'matched', 'B is paired with C at once');
    assert.notEqual(next.callId, waiting.callId);
    assert.equal((await callRef.get()).exists, false, 'the old call is gone: A learns the stranger left');
    await eventually(async () => (await callRef.collection('signals').get()).empty, 15_000, 'mailboxes removed');
    const calls = await db.collection('calls').where('members', 'array-contains', b.uid).get();
    assert.equal(calls.size, 1, 'B is in exactly one call');
  });

  it('skip memory: someone just skipped is passed over for someone fresh, even one who waited less', async () => {
    const [a, b, d] = [await user(), await user(), await user()];
    const ab = await a.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() });
    await b.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() });
    assert.equal((await b.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() })).status, 'waiting', 'B pressed Next on A');
    const bd = await d.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() });
    assert.equal(bd.status, 'matched', 'D met B');
    await d.call('block', { callId: bd.callId }); // so B and D can both wait below
    await eventually(async () => (await db.doc(`history/${ab.callId}`).get()).exists, 15_000, 'history of A and B');
    // B waits first, then D (who cannot take B): two waiters, B the longer.
    assert.equal((await b.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() })).status, 'waiting');
    const dWaits = await d.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() });
    assert.equal(dWaits.status, 'waiting');
    // A looks again: B waited longer, but A and B just met.
    const again = await a.call<JoinResult>('join', { room: 'pt', offer: fakeOffer() });
    assert.equal(again.status, 'matched');
    assert.equal(again.callId, dWaits.callId, 'A meets D, not B whom it just met');
    assert.equal((await db.doc(`queue/${b.uid}`).get()).exists, true, 'B still waits');
  });

  it("skip memory from the page (recent) stands in for the history: no query, and the page's word orders the partners", async () => {
    const matchmaker = new FirestoreMatchmaker(db, Date.now);
    // B waits first, then D (whose page avoids B, so that both wait): B the longer.
    await matchmaker.join('sb', { room: 'ml', offer: fakeOffer('b'), widen: false });
    const dWaits = await matchmaker.join('sd', { room: 'ml', offer: fakeOffer('d'), widen: false, avoid: ['sb'] });
    assert.equal(dWaits.status, 'waiting');
    // A's page says it just met B (the server has no history of it: the page's word is all there is).
    const meter = new UsageMeter();
    const a = await matchmaker.join('sa', { room: 'ml', offer: fakeOffer('a'), widen: false, recent: ['sb'] }, meter);
    assert.equal(a.status, 'matched');
    assert.equal(a.callId, dWaits.callId, 'A meets D, not B whom its page says it just met');
    assert.equal(meter.byName['history (skip memory)'], undefined, 'no query of the history');
    assert.equal(meter.byName['blocks and ban (own)']?.reads, 1, 'the ban and the blocks are read as ever, in one document');
    // Without it, the history is read.
    const without = new UsageMeter();
    await matchmaker.join('se', { room: 'ml', offer: fakeOffer('e'), widen: false }, without);
    assert.ok(without.byName['history (skip memory)'], 'a join without recent reads the history');
  });

  it('skip memory yields when the room has nobody else', async () => {
    const [a, b] = [await user(), await user()];
    const ab = await a.call<JoinResult>('join', { room: 'te', offer: fakeOffer() });
    await b.call<JoinResult>('join', { room: 'te', offer: fakeOffer() });
    const bNext = await b.call<JoinResult>('join', { room: 'te', offer: fakeOffer() });
    assert.equal(bNext.status, 'waiting');
    assert.deepEqual((await db.doc(`queue/${b.uid}`).get()).get('recent'), [a.uid], 'B remembers A');
    const aAgain = await a.call<JoinResult>('join', { room: 'te', offer: fakeOffer() });
    assert.equal(aAgain.status, 'matched', 'nobody else is waiting: A and B meet again');
    assert.equal(aAgain.callId, bNext.callId);
    assert.notEqual(aAgain.callId, ab.callId);
  });

  describe('avoid: whom a page just blocked or reported, before the block is stored', () => {
    it('keeps a joiner from the waiter its join avoids, and the waiter free for anyone else', async () => {
      const [a, b, c] = [await user(), await user(), await user()];
      const aWaits = await a.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
      const bJoins = await b.call<JoinResult>('join', { room: 'ta', offer: fakeOffer(), avoid: [a.uid] });
      assert.equal(bJoins.status, 'waiting', 'B is not paired with A, whom it avoids');
      assert.deepEqual((await db.doc(`queue/${b.uid}`).get()).get('avoid'), [a.uid], "B's entry keeps it");
      assert.equal((await db.doc(`blocks/${b.uid}`).get()).exists, false, 'no block is stored: the join alone holds it');
      const cJoins = await c.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
      assert.equal(cJoins.status, 'matched');
      assert.equal(cJoins.callId, aWaits.callId, 'C meets A, the longest waiting');
    });

    it('keeps a joiner away from a waiter whose join avoided the joiner', async () => {
      const [a, b, c] = [await user(), await user(), await user()];
      assert.equal((await a.call<JoinResult>('join', { room: 'ta', offer: fakeOffer(), avoid: [b.uid] })).status, 'waiting');
      assert.equal((await b.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting', 'B may not take A');
      assert.equal((await db.collection('calls').get()).size, 0);
      const cJoins = await c.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
      assert.equal(cJoins.status, 'matched', 'C meets A, whom nothing keeps from C');
      assert.deepEqual((await db.doc(`calls/${cJoins.callId}`).get()).get('members'), [c.uid, a.uid]);
    });
  });

  it('answers a waiter with when it will widen, and never widens when asked not to', async () => {
    const a = await user();
    const waiting = await a.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
    assert.equal(waiting.status === 'waiting' && waiting.widened, false);
    assert.equal(waiting.status === 'waiting' && waiting.widenInMs, 20_000, 'WIDEN_AFTER_SECONDS (functions/.env) is 20');
    const b = await user();
    const no = await b.call<JoinResult>('join', { room: 'hi', offer: fakeOffer(), widen: false });
    assert.deepEqual(no.status === 'waiting' && [no.widened, no.widenInMs], [false, null]);
  });

  it('leave removes the waiting entry and ends the calls of the caller', async () => {
    const [a, b, c] = [await user(), await user(), await user()];
    const waiting = await a.call<JoinResult>('join', { room: 'hi', offer: fakeOffer() });
    await b.call('join', { room: 'hi', offer: fakeOffer() });
    await c.call('join', { room: 'ta', offer: fakeOffer() });
    assert.deepEqual(await b.call('leave', {}), { endedCalls: 1, leftQueue: false });
    assert.equal((await db.doc(`calls/${waiting.callId}`).get()).exists, false);
    assert.deepEqual(await c.call('leave'), { endedCalls: 0, leftQueue: true });
    assert.equal((await db.doc(`queue/${c.uid}`).get()).exists, false);
  });

  it("leave reads one document: the call the page names, or a waiting entry; a call that is not the caller's costs one read more and ends nothing of anyone else", async () => {
    const matchmaker = new FirestoreMatchmaker(db, Date.now);
    const join = (uid: string) => matchmaker.join(uid, { room: 'ta', offer: fakeOffer(uid), widen: false, presenceOnCall: true });
    const waited = await join('w1');
    assert.equal((await join('j1')).status, 'matched');
    // A page in a call names it: that call is read, nothing else.
    const inCall = new UsageMeter();
    assert.deepEqual(await matchmaker.leave('j1', { callId: waited.callId }, inCall), { endedCalls: 1, leftQueue: false });
    assert.deepEqual(inCall.byName['calls (named)'], { reads: 1, writes: 0, deletes: 0 });
    assert.equal(inCall.usage.reads, 1, JSON.stringify(inCall.byName));
    assert.equal((await db.doc(`calls/${waited.callId}`).get()).exists, false, 'the call ended');
    assert.equal((await db.doc(`history/${waited.callId}`).get()).exists, true, 'with its history, in the same commit');
    assert.equal((await db.collection(`calls/${waited.callId}/signals`).get()).size, 0, 'and its mailboxes');

    // A waiting page names none: its entry is read, and is all there is (a person who waits is in no random call).
    await join('w2');
    const waiting = new UsageMeter();
    assert.deepEqual(await matchmaker.leave('w2', {}, waiting), { endedCalls: 0, leftQueue: true });
    assert.equal(waiting.usage.reads, 1, JSON.stringify(waiting.byName));
    assert.equal((await db.doc('queue/w2').get()).exists, false);

    // A waiter matched a moment ago whose page has not seen it: the entry is gone, so its calls are looked up.
    const w3 = await join('w3');
    await join('j3');
    const justMatched = new UsageMeter();
    assert.deepEqual(await matchmaker.leave('w3', {}, justMatched), { endedCalls: 1, leftQueue: false });
    assert.equal(justMatched.usage.reads, 2, JSON.stringify(justMatched.byName));
    assert.equal((await db.doc(`calls/${w3.callId}`).get()).exists, false);

    // Someone else's call: not ended; the caller's own wait and calls are ended as without a call id.
    const w4 = await join('w4');
    await join('j4');
    await join('w5');
    const wrong = new UsageMeter();
    assert.deepEqual(await matchmaker.leave('w5', { callId: w4.callId }, wrong), { endedCalls: 0, leftQueue: true });
    assert.equal(wrong.usage.reads, 2, JSON.stringify(wrong.byName));
    assert.equal((await db.doc(`calls/${w4.callId}`).get()).exists, true, "the others' call goes on");
    assert.equal((await db.doc('queue/w5').get()).exists, false);
    // An ended one: the same.
    assert.deepEqual(await matchmaker.leave('j1', { callId: waited.callId }), { endedCalls: 0, leftQueue: false });
  });

  it('a join that says what it leaves reads nothing else of its own: a Start (null) reads no entry and no calls, a Next only the call it names, which ends; a wrong word ends nothing of anyone else', async () => {
    const matchmaker = new FirestoreMatchmaker(db, Date.now);
    const join = (uid: string, leaving?: string | null, meter?: UsageMeter, room: 'ta' | 'hi' = 'ta') =>
      matchmaker.join(
        uid,
        { room, offer: fakeOffer(uid), widen: false, presenceOnCall: true, ...(leaving === undefined ? {} : { leaving }) },
        meter,
      );
    const own = (meter: UsageMeter) =>
      Object.fromEntries(
        Object.entries(meter.byName).filter(([what]) => what.startsWith('queue (own') || what.startsWith('calls (')),
      );

    // Start: nothing of its own is read.
    const start = new UsageMeter();
    const waited = await join('s1', null, start);
    assert.equal(waited.status, 'waiting');
    assert.deepEqual(own(start), {}, JSON.stringify(start.byName));
    assert.equal((await db.doc('queue/s1').get()).exists, true, 'queued all the same');
    const startPaired = new UsageMeter();
    assert.equal((await join('s2', null, startPaired)).status, 'matched');
    assert.deepEqual(own(startPaired), {}, JSON.stringify(startPaired.byName));
    // The same Start without the word reads the entry and the calls.
    const unsaid = new UsageMeter();
    await join('s3', undefined, unsaid);
    assert.deepEqual(Object.keys(own(unsaid)).sort(), ['calls (own)', 'queue (own entry)'], JSON.stringify(unsaid.byName));

    // Next: the named call is read, and ended; the joiner is paired (s3 waits).
    const next = new UsageMeter();
    const nextResult = await join('s2', waited.callId, next);
    assert.equal(nextResult.status, 'matched');
    assert.deepEqual(own(next), { 'calls (named)': { reads: 1, writes: 0, deletes: 0 } }, JSON.stringify(next.byName));
    assert.equal((await db.doc(`calls/${waited.callId}`).get()).exists, false, 'the call it left ended');
    assert.equal((await db.collection(`calls/${waited.callId}/signals`).get()).size, 0, 'with its mailboxes');
    assert.equal((await db.doc(`history/${waited.callId}`).get()).exists, true, 'and its history');

    // A call of others named: not ended, and the joiner just joins.
    const w = await join('w1', null);
    await join('j1', null);
    assert.equal((await join('x1', w.callId)).status, 'waiting');
    assert.equal((await db.doc(`calls/${w.callId}`).get()).exists, true, "the others' call goes on");

    // An entry the page did not mention (a tab that died waiting): the create loses, then all is read, and the entry is renewed.
    await join('h1', null, undefined, 'hi');
    const hidden = new UsageMeter();
    const again = await join('h1', null, hidden, 'hi');
    assert.equal(again.status, 'waiting');
    assert.equal(hidden.lostRaces, 1, JSON.stringify(hidden.byName));
    assert.equal(own(hidden)['queue (own entry)']?.reads, 1, JSON.stringify(hidden.byName));
    const entries = await db.collection('queue').where('uid', '==', 'h1').get();
    assert.equal(entries.size, 1, 'one entry');
  });

  it("join and leave end one's random calls, never one's call by link (members of both kinds are in one field)", async () => {
    const [a, b] = [await user(), await user()];
    const { callId: linkId } = await a.call<CreateCallResult>('createCall', {});
    await b.call('enterCall', { callId: linkId });
    const waiting = await a.call<JoinResult>('join', { room: 'bn', offer: fakeOffer() });
    assert.equal(waiting.status, 'waiting');
    const matched = await b.call<JoinResult>('join', { room: 'bn', offer: fakeOffer() });
    assert.equal(matched.status, 'matched', 'the two of a call by link can meet in random chat too');
    assert.deepEqual(await b.call('leave'), { endedCalls: 1, leftQueue: false });
    assert.equal((await db.doc(`calls/${matched.callId}`).get()).exists, false);
    assert.deepEqual((await db.doc(`calls/${linkId}`).get()).get('members'), [a.uid, b.uid], 'the call by link goes on');
  });

  it('pairs concurrent joiners correctly: each exactly once, within their room', async () => {
    const rooms = ['ta', 'hi'];
    const people = await Promise.all(Array.from({ length: 12 }, () => user()));
    const outcomes = await Promise.all(
      people.map((p, i) => p.call<JoinResult>('join', { room: rooms[i % 2], offer: fakeOffer(p.uid) })),
    );
    const calls = (await db.collection('calls').get()).docs.map((d) => d.data());
    const queued = (await db.collection('queue').get()).docs.map((d) => d.data());
    const inCalls = calls.flatMap((c) => c['members'] as string[]);
    assert.equal(new Set(inCalls).size, inCalls.length, 'nobody is in two calls');
    for (const c of calls) {
      const [joiner, waiter] = c['members'] as [string, string];
      assert.notEqual(joiner, waiter, 'nobody is paired with themself');
      const roomOf = (uid: string) => rooms[people.findIndex((p) => p.uid === uid) % 2];
      assert.equal(roomOf(joiner), c['room']);
      assert.equal(roomOf(waiter), c['room']);
    }
    for (const room of rooms) {
      assert.ok(queued.filter((q) => q['room'] === room).length <= 1, `at most one person left waiting in ${room}`);
    }
    assert.equal(inCalls.length + queued.length, people.length, 'everyone is either paired or waiting');
    assert.equal(outcomes.filter((o) => o.status === 'matched').length, calls.length);
  });

  describe('bad input', () => {
    it('refuses callers who are not signed in', async () => {
      const nobody = anonymousCaller();
      try {
        const err = await rejection(nobody.call('join', { room: 'any', offer: fakeOffer() }));
        assert.equal(err.code, 'functions/unauthenticated');
        assert.deepEqual(parseRefusal(err.details), { code: 'not-signed-in' });
      } finally {
        await nobody.close();
      }
    });

    const cases: Array<[string, unknown, Refusal]> = [
      ['no data', undefined, { code: 'invalid-request', field: 'data' }],
      ['an unknown room', { room: 'xx', offer: fakeOffer() }, { code: 'invalid-request', field: 'room' }],
      ['a missing offer', { room: 'any' }, { code: 'invalid-request', field: 'offer' }],
      [
        'an answer instead of an offer',
        { room: 'any', offer: { type: 'answer', sdp: 'v=0' } },
        { code: 'invalid-request', field: 'offer.type' },
      ],
      [
        'oversized SDP',
        { room: 'any', offer: { type: 'offer', sdp: 'v=0' + 'a'.repeat(20_000) } },
        { code: 'invalid-request', field: 'offer.sdp', limit: 16384 },
      ],
      ['an unknown field', { room: 'any', offer: fakeOffer(), admin: true }, { code: 'invalid-request', field: 'data' }],
      [
        'too many uids to avoid',
        { room: 'any', offer: fakeOffer(), avoid: Array.from({ length: 11 }, (_, i) => `u${i}`) },
        { code: 'invalid-request', field: 'avoid', limit: 10 },
      ],
      [
        'an avoid that is no list',
        { room: 'any', offer: fakeOffer(), avoid: 'someone' },
        { code: 'invalid-request', field: 'avoid' },
      ],
      [
        'an avoid entry that is no uid',
        { room: 'any', offer: fakeOffer(), avoid: ['abc', 'a/b'] },
        { code: 'invalid-request', field: 'avoid[1]' },
      ],
      [
        'an avoid entry longer than a uid',
        { room: 'any', offer: fakeOffer(), avoid: ['u'.repeat(129)] },
        { code: 'invalid-request', field: 'avoid[0]', limit: 128 },
      ],
      [
        'a malformed renewal id',
        { room: 'any', offer: fakeOffer(), renewing: '../x' },
        { code: 'invalid-request', field: 'renewing' },
      ],
    ];
    for (const [what, data, refusal] of cases) {
      it(`answers ${what} with invalid-argument naming the field, and writes nothing`, async () => {
        const a = await user();
        const err = await rejection(a.call('join', data));
        assert.equal(err.code, 'functions/invalid-argument');
        assert.deepEqual(parseRefusal(err.details), refusal);
        assert.equal((await db.collection('queue').get()).size, 0);
      });
    }

    it('never echoes the input: a 100,000-character room gets a short answer naming the field', async () => {
      const a = await user();
      const err = await rejection(a.call('join', { room: 'x'.repeat(100_000), offer: fakeOffer() }));
      assert.equal(err.code, 'functions/invalid-argument');
      assert.deepEqual(err.details, { code: 'invalid-request', field: 'room' });
      assert.ok(err.message.length < 200, `a ${err.message.length}-character message`);
      assert.doesNotMatch(err.message, /xxxx/);
    });

    it('leave refuses arguments it does not know, and a call id that is none', async () => {
      const a = await user();
      const err = await rejection(a.call('leave', { room: 'ta' }));
      assert.equal(err.code, 'functions/invalid-argument');
      assert.deepEqual(parseRefusal(err.details), { code: 'invalid-request', field: 'data' });
      const badId = await rejection(a.call('leave', { callId: '../queue/x' }));
      assert.equal(badId.code, 'functions/invalid-argument');
      assert.deepEqual(parseRefusal(badId.details), { code: 'invalid-request', field: 'callId' });
    });
  });
});

/**
 * A waiting page writes `seenAt` on its entry every WAITING_HEARTBEAT_MS,
 * and a pairing deletes the entry on condition it is unchanged since read.
 * Here the matchmaker runs against the Firestore emulator with a database
 * whose read of the waiter's blocks (confirmedPartner: after the entry was
 * read, before the commit) first changes the entry as `change` says.
 */
describe("a waiter's entry changing between a pairing's read and its commit (matchmaker, Firestore emulator)", () => {
  const db = adminDb();
  beforeEach(() => clearFirestore());

  /** `db`, but reading `blocks/{waiter}` first runs `change` (counted in `changes`). */
  function changingBeforeConfirm(waiter: string, change: () => Promise<unknown>, changes: { n: number }): Firestore {
    const bind = <T extends object>(target: T, prop: string | symbol): unknown => {
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    };
    const blockRef = (ref: DocumentReference) =>
      new Proxy(ref, {
        get: (r, prop) =>
          prop === 'get'
            ? async () => {
                await change();
                changes.n++;
                return r.get();
              }
            : bind(r, prop),
      });
    const blocks = (col: CollectionReference) =>
      new Proxy(col, {
        get: (c, prop) => (prop === 'doc' ? (id: string) => (id === waiter ? blockRef(c.doc(id)) : c.doc(id)) : bind(c, prop)),
      });
    return new Proxy(db, {
      get: (d, prop) =>
        prop === 'collection'
          ? (name: string) => (name === 'blocks' ? blocks(d.collection(name)) : d.collection(name))
          : bind(d, prop),
    });
  }

  it('a renewal takes the ban, the blocks and the skip memory from its entry instead of reading them; one whose entry went (a ban deletes it) reads them, and the banned are refused', async () => {
    const matchmaker = new FirestoreMatchmaker(db, Date.now);
    const personal = ['blocks and ban (own)', 'history (skip memory)'];
    const firstMeter = new UsageMeter();
    const first = await matchmaker.join('waiter', { room: 'ta', offer: fakeOffer('w'), widen: false }, firstMeter);
    assert.equal(first.status, 'waiting');
    for (const name of personal) assert.ok(firstMeter.byName[name], `the first join reads ${name}`);

    // Blocked while waiting: Block writes the blocks and copies them into the entry (moderation/moderator.ts).
    await db.doc('blocks/waiter').set({ blocked: ['pest'] });
    await db.doc('queue/waiter').update({ blocked: FieldValue.arrayUnion('pest') });
    const pest = await matchmaker.join('pest', { room: 'ta', offer: fakeOffer('p'), widen: false });
    assert.equal(pest.status, 'waiting', 'the one blocked is not paired with the blocker');

    const renewMeter = new UsageMeter();
    const renewed = await matchmaker.join(
      'waiter',
      { room: 'ta', offer: fakeOffer('w'), widen: false, renewing: first.callId },
      renewMeter,
    );
    assert.deepEqual(
      [renewed.status, renewed.callId],
      ['waiting', first.callId],
      'the renewal keeps its place, and still not with the one it blocked',
    );
    for (const name of personal) assert.equal(renewMeter.byName[name], undefined, `a renewal does not read ${name}`);
    // Nor its calls: a person whose entry exists is in none (a pairing deletes the entry with the call's creation).
    assert.equal(renewMeter.byName['calls (own)'], undefined, 'a renewal whose entry exists does not query its calls');
    assert.ok(renewMeter.byName['queue (own entry)'], 'it reads its entry');
    assert.deepEqual((await db.doc('queue/waiter').get()).get('blocked'), ['pest'], 'the renewed entry still carries the block');

    // Banned while waiting: the ban takes the entry out of the queue in the same commit.
    const until = Timestamp.fromMillis(Date.now() + 3_600_000);
    // As the report function bans (moderation/moderator.ts): the ban's field in the blocks document, the entry deleted.
    await db
      .batch()
      .set(db.doc('blocks/waiter'), { bannedUntil: until }, { merge: true })
      .delete(db.doc('queue/waiter'))
      .commit();
    const lateMeter = new UsageMeter();
    await assert.rejects(
      matchmaker.join('waiter', { room: 'ta', offer: fakeOffer('w'), widen: false, renewing: first.callId }, lateMeter),
      (err) => err instanceof Banned,
    );
    assert.ok(lateMeter.byName['blocks and ban (own)'], 'the renewal whose entry went read the ban');
    assert.equal((await db.doc('queue/waiter').get()).exists, false, 'the banned person is not queued again');
  });

  it('a heartbeat does not void the pairing: it commits against the beaten entry, without a second scan', async () => {
    const t0 = Date.now();
    await new FirestoreMatchmaker(db, () => t0).join('waiter', { room: 'ta', offer: fakeOffer('w'), widen: false });
    const beats = { n: 0 };
    const beat = () => db.doc('queue/waiter').update({ seenAt: FieldValue.serverTimestamp() });
    // 3 s later: past the rules' least gap between two beats (PRESENCE_MIN_GAP_MS), well within WAITING_SEEN_MS.
    const joiner = new FirestoreMatchmaker(changingBeforeConfirm('waiter', beat, beats), () => t0 + 3_000);
    const meter = new UsageMeter();
    const result = await joiner.join('joiner', { room: 'ta', offer: fakeOffer('j'), widen: false }, meter);
    assert.equal(result.status, 'matched');
    assert.equal(beats.n, 1, 'one beat, between the read and the first commit');
    assert.equal(meter.lostRaces, 1, 'the first commit lost to the beat');
    assert.deepEqual(meter.byName['queue (scan)'], { reads: 1, writes: 0, deletes: 0 }, 'no second scan');
    assert.equal((await db.doc('queue/waiter').get()).exists, false);
    assert.deepEqual((await db.doc(`calls/${result.callId}`).get()).get('members'), ['joiner', 'waiter']);
  });

  /**
   * A waiting entry as join writes it (QueueDoc), in Tamil, written directly:
   * a dead page's (seen `seenAgoMs` ago, its lease still running) or a live
   * one that blocked `blocked`. createdAt is the commit time, as join's.
   */
  async function queueEntry(uid: string, t0: number, { seenAgoMs = 0, blocked = [] as string[] } = {}): Promise<void> {
    await db.doc(`queue/${uid}`).create({
      uid,
      room: 'ta',
      pools: ['ta'],
      offer: fakeOffer(uid),
      callId: `call-${uid}`,
      blocked,
      avoid: [],
      recent: [],
      createdAt: FieldValue.serverTimestamp(),
      leaseExpiresAt: Timestamp.fromMillis(t0 + 25_000),
      seenAt: Timestamp.fromMillis(t0 - seenAgoMs),
      expireAt: Timestamp.fromMillis(t0 + 90_000),
    });
  }

  /** `around` queues entries before and after a live waiter ('between'); then 'joiner' joins Tamil, metered. */
  async function joinAround(t0: number, around: (name: string) => Promise<unknown>) {
    await around('head');
    await queueEntry('between', t0);
    await around('tail');
    const meter = new UsageMeter();
    const result = await new FirestoreMatchmaker(db, () => t0).join(
      'joiner',
      { room: 'ta', offer: fakeOffer('j'), widen: false },
      meter,
    );
    return { result, meter };
  }

  it('entries nobody can take (dead pages, people who block the joiner) do not hide the one waiting among them', async () => {
    const t0 = Date.now();
    // Twelve before and twelve after, more than a scan page (PAIRING_SCAN_LIMIT, 10) each way:
    // the scan reads the oldest first, the look after queuing the nearest first. Seven of
    // each dozen dead (no beat for 20 s; WAITING_SEEN_MS is 15 s), five alive but blocking the joiner.
    const dozen = async (name: string) => {
      for (let i = 0; i < 12; i++) {
        await queueEntry(`${name}${String(i).padStart(2, '0')}`, t0, i < 7 ? { seenAgoMs: 20_000 } : { blocked: ['joiner'] });
      }
    };
    const { result, meter } = await joinAround(t0, dozen);
    assert.equal(result.status, 'matched', 'paired with the one waiting among them, not told to wait');
    assert.deepEqual(result.status === 'matched' && result.members, ['joiner', 'between']);
    assert.deepEqual(meter.byName['queue (scan)'], { reads: 10, writes: 0, deletes: 0 }, 'the first page');
    assert.deepEqual(meter.byName['queue (scan), next page'], { reads: 10, writes: 0, deletes: 0 }, 'and the next');
    assert.equal((await db.collection('queue').get()).size, 24, 'the others still wait (the dead ones until their lease lapses)');
  });

  it('reads at most PAIRING_SCAN_PAGES pages of them each way: among a hundred, a joiner waits for its renewal', async () => {
    const t0 = Date.now();
    const dead = (name: string) =>
      Promise.all(
        Array.from({ length: 50 }, (_, i) => queueEntry(`${name}${String(i).padStart(2, '0')}`, t0, { seenAgoMs: 20_000 })),
      );
    const { result, meter } = await joinAround(t0, dead);
    assert.equal(result.status, 'waiting');
    // Five pages of ten: the scan's oldest, then the look after queuing's nearest.
    assert.deepEqual(meter.byName['queue (scan)'], { reads: 10, writes: 0, deletes: 0 });
    assert.deepEqual(meter.byName['queue (look again)'], { reads: 10, writes: 0, deletes: 0 });
    assert.deepEqual(meter.byName['queue (scan), next page'], { reads: 40, writes: 0, deletes: 0 });
    assert.deepEqual(meter.byName['queue (look again), next page'], { reads: 40, writes: 0, deletes: 0 });
    assert.equal((await db.doc('queue/between').get()).exists, true);
  });

  it('any other change still voids it: a block written into the entry meanwhile holds', async () => {
    const t0 = Date.now();
    await new FirestoreMatchmaker(db, () => t0).join('waiter', { room: 'ta', offer: fakeOffer('w'), widen: false });
    const blocks = { n: 0 };
    // What Report and Block do to a waiting blocker's entry (moderation/moderator.ts), with a beat beside it.
    const block = () =>
      blocks.n === 0
        ? db.doc('queue/waiter').update({ blocked: FieldValue.arrayUnion('joiner'), seenAt: FieldValue.serverTimestamp() })
        : Promise.resolve();
    const joiner = new FirestoreMatchmaker(changingBeforeConfirm('waiter', block, blocks), () => t0 + 3_000);
    const result = await joiner.join('joiner', { room: 'ta', offer: fakeOffer('j'), widen: false });
    assert.equal(result.status, 'waiting');
    assert.equal((await db.doc('queue/waiter').get()).exists, true, 'the waiter still waits, for someone else');
    assert.equal((await db.collection('calls').get()).size, 0);
  });
});

/**
 * Report, Block, bans and rate limits through the Functions emulator.
 */
import { Timestamp } from 'firebase-admin/firestore';
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import type { JoinOutcome } from '../../functions/src/matching/matchmaker.js';
import { adminDb, clearFirestore, eventually, fakeOffer, rejection, userPool, type TestUser } from '../support/emulator.js';

const users = userPool();
const user = users.create;

describe('moderation (Functions emulator)', () => {
  const db = adminDb();
  beforeEach(() => clearFirestore());
  after(() => users.closeAll());

  /** Pairs two fresh users in `room`; returns them and the call id. */
  async function pair(room = 'any'): Promise<{ caller: TestUser; callee: TestUser; callId: string }> {
    const [caller, callee] = [await user(), await user()];
    await caller.call<JoinOutcome>('join', { room, offer: fakeOffer() });
    const matched = await callee.call<JoinOutcome>('join', { room, offer: fakeOffer() });
    assert.equal(matched.status, 'matched');
    return { caller, callee, callId: matched.callId };
  }

  /** A call that ended recently between `a` and `b`, as the trigger records it. */
  async function pastCall(a: string, b: string, id: string): Promise<string> {
    await db.doc(`history/${id}`).set({
      participants: [a, b],
      room: 'ta',
      endedAt: Timestamp.now(),
      expireAt: Timestamp.fromMillis(Date.now() + 3600_000),
    });
    return id;
  }

  it('report during a call ends it, stores the report without SDP, and blocks the person for the reporter', async () => {
    const { caller, callee, callId } = await pair('ta');
    assert.deepEqual(await callee.call('report', { callId, reason: 'harassment' }), { ended: true });
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, false, 'the call ended for both');
    const report = (await db.doc(`reports/${callId}_${callee.uid}`).get()).data()!;
    assert.deepEqual(Object.keys(report).sort(), ['at', 'callId', 'expireAt', 'reason', 'reported', 'reporter', 'room']);
    assert.equal(report['reporter'], callee.uid);
    assert.equal(report['reported'], caller.uid);
    assert.equal(report['reason'], 'harassment');
    assert.equal(report['room'], 'ta');
    assert.deepEqual((await db.doc(`blocks/${callee.uid}`).get()).get('blocked'), [caller.uid]);
  });

  it('report works right after the call ended (from the call history)', async () => {
    const { caller, callee, callId } = await pair();
    await caller.call('leave');
    await eventually(async () => (await db.doc(`history/${callId}`).get()).exists, 15_000, 'history written by the trigger');
    await callee.call('report', { callId, reason: 'nudity' });
    assert.equal((await db.doc(`reports/${callId}_${callee.uid}`).get()).get('reported'), caller.uid);
  });

  it('refuses reports about calls one was not in, and bad reasons, writing nothing', async () => {
    const { callId } = await pair();
    const stranger = await user();
    const notIn = await rejection(stranger.call('report', { callId, reason: 'spam' }));
    assert.equal(notIn.code, 'functions/not-found');
    assert.match(notIn.message, /No recent call/);
    const badReason = await rejection(stranger.call('report', { callId, reason: 'ugly' }));
    assert.equal(badReason.code, 'functions/invalid-argument');
    assert.match(badReason.message, /Choose a reason/);
    assert.equal((await db.collection('reports').get()).size, 0);
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, true, 'the call goes on');
  });

  it('one person reporting many times does not ban anyone', async () => {
    const [target, reporter] = [await user(), await user()];
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      await reporter.call('report', { callId: await pastCall(target.uid, reporter.uid, id), reason: 'spam' });
    }
    assert.equal((await db.collection('reports').get()).size, 4);
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
    assert.equal((await target.call<JoinOutcome>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
  });

  it('reports from three different people ban for a day, and join says until when', async () => {
    const target = await user();
    await target.call<JoinOutcome>('join', { room: 'ta', offer: fakeOffer() }); // waiting
    const reporters = [await user(), await user(), await user()];
    for (const [i, r] of reporters.entries()) {
      await r.call('report', { callId: await pastCall(target.uid, r.uid, `call${i}`), reason: 'harassment' });
      assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, i === 2, `banned only after the third (report ${i + 1})`);
    }
    const until = (await db.doc(`bans/${target.uid}`).get()).get('until') as Timestamp;
    const hours = (until.toMillis() - Date.now()) / 3600_000;
    assert.ok(hours > 23.9 && hours <= 24, `ban lasts a day (${hours} h)`);
    assert.equal((await db.doc(`queue/${target.uid}`).get()).exists, false, 'taken out of the queue at once');
    const err = await rejection(target.call('join', { room: 'ta', offer: fakeOffer() }));
    assert.equal(err.code, 'functions/permission-denied');
    assert.match(err.message, /several people reported you.*try again after \d{4}-\d\d-\d\dT/);
    assert.equal((err.details as { until: string }).until, until.toDate().toISOString());
  });

  it('block ends the call and the two are never paired again, in either direction', async () => {
    const { caller, callee, callId } = await pair('hi');
    await caller.call('block', { callId });
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, false);
    // The blocker waits; the blocked person joins: both wait.
    assert.equal((await caller.call<JoinOutcome>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
    assert.equal((await callee.call<JoinOutcome>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
    // A third person is paired with the longest waiter, as usual.
    const third = await user();
    const outcome = await third.call<JoinOutcome>('join', { room: 'hi', offer: fakeOffer() });
    assert.equal(outcome.status, 'matched');
    const call = await db.doc(`calls/${outcome.callId}`).get();
    assert.deepEqual(call.get('participants'), [caller.uid, third.uid]);
    // The other direction: the blocked person is still waiting; the blocker joins again.
    assert.equal((await db.doc(`queue/${callee.uid}`).get()).exists, true);
    assert.equal((await caller.call<JoinOutcome>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
  });

  it('rate-limits join per person and says when to retry', async () => {
    const a = await user();
    for (let i = 0; i < 30; i++) await a.call('join', { room: 'en', offer: fakeOffer() });
    const err = await rejection(a.call('join', { room: 'en', offer: fakeOffer() }));
    assert.equal(err.code, 'functions/resource-exhausted');
    assert.match(err.message, /Try again in \d+ s\./);
    const retry = (err.details as { retryAfterMs: number }).retryAfterMs;
    assert.ok(retry > 0 && retry <= 60_000, `retryAfterMs ${retry}`);
    // Someone else is not affected.
    const b = await user();
    assert.equal((await b.call<JoinOutcome>('join', { room: 'en', offer: fakeOffer() })).status, 'matched');
  });

  it('answers bad report and block input with invalid-argument and writes nothing', async () => {
    const a = await user();
    const cases: Array<[string, unknown, RegExp]> = [
      ['report', undefined, /report expects an object/],
      ['report', { callId: 'abc' }, /Choose a reason/],
      ['report', { callId: '../x', reason: 'spam' }, /needs "callId"/],
      ['report', { callId: 'abc', reason: 'spam', extra: 1 }, /unknown field\(s\): extra/],
      ['block', [], /block expects an object/],
      ['block', { callId: 42 }, /needs "callId"/],
      ['block', { callId: 'abc', reason: 'spam' }, /unknown field\(s\): reason/],
    ];
    for (const [name, data, message] of cases) {
      const err = await rejection(a.call(name, data));
      assert.equal(err.code, 'functions/invalid-argument', `${name} ${JSON.stringify(data)}`);
      assert.match(err.message, message);
    }
    for (const c of ['reports', 'blocks', 'bans']) assert.equal((await db.collection(c).get()).size, 0, `${c} untouched`);
  });
});

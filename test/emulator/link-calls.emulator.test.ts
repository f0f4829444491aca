/**
 * Calls by link through the real callables (Functions emulator) on the
 * Firestore emulator, with several anonymous users: create, peek, enter
 * (also ten at once), leave, the end of a call, lapsed members removed by the
 * next enter and by the sweeper, what the rules let non-members read, and
 * the refusals (bad input, rate limit, ban).
 */
import { getAuth } from 'firebase/auth';
import { collection, doc, getDoc, getDocs, query, where } from 'firebase/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { Sweeper } from '../../functions/src/cleanup/sweeper.js';
import {
  LINK_CALL_ID,
  PRESENCE_LEASE_MS,
  MAX_CALL_MEMBERS,
  signalId,
  type CallAvailability,
  type CreateCallResult,
  type EnterCallResult,
  type LeaveCallResult,
} from '../../functions/src/protocol/calls.js';
import { parseRefusal } from '../../functions/src/protocol/refusals.js';
import {
  adminDb,
  anonymousCaller,
  clearFirestore,
  EMULATORS,
  eventually,
  PROJECT_ID,
  rejection,
  userPool,
  type TestUser,
} from '../support/emulator.js';

const users = userPool();
const user = users.create;

/** Asserts a client read is refused by the rules. */
async function denied(op: Promise<unknown>): Promise<void> {
  await assert.rejects(op, (err: { code?: string }) => err.code === 'permission-denied');
}

describe('calls by link (Functions emulator)', () => {
  const db = adminDb();
  const call = (callId: string) => db.doc(`calls/${callId}`);
  const memberIds = async (callId: string) => (await call(callId).get()).get('members') as string[] | undefined;
  const presenceIds = async (callId: string) => (await call(callId).collection('members').get()).docs.map((d) => d.id).sort();
  /**
   * What the members' pages do every PRESENCE_HEARTBEAT_MS, for tests that
   * have no pages: without it, a test that runs past the 20 s lease on a
   * slow machine sees its first members pruned as lapsed (seen once in CI:
   * a call of five built in 21 s, then peeked at as "open, 4").
   */
  const beatAll = async (callId: string) => {
    const presence = await call(callId).collection('members').get();
    await Promise.all(presence.docs.map((d) => d.ref.update({ seenAt: Timestamp.now() })));
  };
  const mailboxIds = async (callId: string) => (await call(callId).collection('signals').get()).docs.map((d) => d.id).sort();
  /** Both directions between every two of `members`. */
  const allPairs = (members: readonly string[]) =>
    members.flatMap((a) => members.filter((b) => b !== a).map((b) => signalId(a, b))).sort();

  async function created(): Promise<{ owner: TestUser; callId: string }> {
    const owner = await user();
    const { callId } = await owner.call<CreateCallResult>('createCall', {});
    return { owner, callId };
  }

  beforeEach(async () => {
    await clearFirestore();
  });
  after(async () => {
    await users.closeAll();
  });

  it('createCall makes a call with the caller as its only live member; peek says open, 1 of 5', async () => {
    const owner = await user();
    const result = await owner.call<CreateCallResult>('createCall', {});
    assert.match(result.callId, LINK_CALL_ID);
    assert.deepEqual(result, { callId: result.callId, members: [owner.uid], capacity: MAX_CALL_MEMBERS, screenIncoming: true });
    const stored = (await call(result.callId).get()).data()!;
    assert.deepEqual(Object.keys(stored).sort(), [
      'capacity',
      'createdAt',
      'creator',
      'expireAt',
      'kind',
      'members',
      'screenIncoming',
      'screeningChanges',
    ]);
    assert.equal(stored['creator'], owner.uid);
    assert.equal(stored['screenIncoming'], true);
    assert.equal(stored['screeningChanges'], 0);
    assert.equal(stored['kind'], 'link');
    assert.equal((stored['expireAt'] as Timestamp).toMillis() - (stored['createdAt'] as Timestamp).toMillis(), 4 * 3600_000);
    const presence = (await call(result.callId).collection('members').doc(owner.uid).get()).data()!;
    assert.deepEqual(Object.keys(presence).sort(), ['expireAt', 'joinedAt', 'kind', 'seenAt', 'uid']);
    assert.equal(presence['kind'], 'link', 'the sweeper finds lapsed members of calls by link by it');

    const stranger = await user();
    assert.deepEqual(await stranger.call<CallAvailability>('peekCall', { callId: result.callId }), {
      status: 'open',
      members: 1,
      capacity: MAX_CALL_MEMBERS,
    });
    // A second call of the same person is another call.
    const again = await owner.call<CreateCallResult>('createCall');
    assert.notEqual(again.callId, result.callId);
  });

  it('ten people entering a call of one at the same moment leave exactly five members, each pair with its mailboxes', async () => {
    // The crowd's accounts first: making them is slow, and the creator's lease runs from the call's creation.
    const crowd = await Promise.all(Array.from({ length: 10 }, () => user()));
    const { owner, callId } = await created();
    const results = await Promise.all(crowd.map((u) => u.call<EnterCallResult>('enterCall', { callId })));
    const entered = crowd.filter((_, i) => results[i]!.status === 'entered');
    const refused = results.filter((r) => r.status !== 'entered');
    assert.equal(entered.length, MAX_CALL_MEMBERS - 1, `statuses: ${results.map((r) => r.status).join(', ')}`);
    for (const r of refused) assert.deepEqual(r, { status: 'full', members: MAX_CALL_MEMBERS, capacity: MAX_CALL_MEMBERS });

    const members = (await memberIds(callId))!;
    assert.equal(members.length, MAX_CALL_MEMBERS);
    assert.equal(members[0], owner.uid, 'entry order: the creator first');
    assert.deepEqual([...members].sort(), [owner.uid, ...entered.map((u) => u.uid)].sort());
    assert.deepEqual(await presenceIds(callId), [...members].sort());
    assert.deepEqual(await mailboxIds(callId), allPairs(members));
    // Each entrant learnt the members as they were when it entered: a prefix of the final order, ending with itself.
    for (const [i, u] of crowd.entries()) {
      const r = results[i]!;
      if (r.status !== 'entered') continue;
      assert.deepEqual(r.members, members.slice(0, r.members.length));
      assert.equal(r.members.at(-1), u.uid);
    }

    // A sixth person: full, both by peek and by enter.
    await beatAll(callId);
    const late = await user();
    assert.deepEqual(await late.call('peekCall', { callId }), { status: 'full', members: 5, capacity: 5 });
    assert.deepEqual(await late.call('enterCall', { callId }), { status: 'full', members: 5, capacity: 5 });
    // A member entering again (a reload) keeps its seat and the order.
    const again = await entered[0]!.call<EnterCallResult>('enterCall', { callId });
    assert.deepEqual(again, { status: 'entered', members, capacity: 5, screenIncoming: true });
  });

  it('leave drops the member and its mailboxes; the last leave ends the call, and peek then says ended', async () => {
    const { owner, callId } = await created();
    const [b, c] = [await user(), await user()];
    await b.call('enterCall', { callId });
    const third = await c.call<EnterCallResult>('enterCall', { callId });
    assert.deepEqual(third, { status: 'entered', members: [owner.uid, b.uid, c.uid], capacity: 5, screenIncoming: true });
    assert.deepEqual(await mailboxIds(callId), allPairs([owner.uid, b.uid, c.uid]));

    assert.deepEqual(await b.call<LeaveCallResult>('leaveCall', { callId }), { left: true, ended: false });
    assert.deepEqual(await memberIds(callId), [owner.uid, c.uid]);
    assert.deepEqual(await presenceIds(callId), [owner.uid, c.uid].sort());
    assert.deepEqual(await mailboxIds(callId), allPairs([owner.uid, c.uid]));
    assert.deepEqual(await b.call('peekCall', { callId }), { status: 'open', members: 2, capacity: 5 });
    // Idempotent: leaving again changes nothing.
    assert.deepEqual(await b.call<LeaveCallResult>('leaveCall', { callId }), { left: false, ended: false });

    assert.deepEqual(await owner.call<LeaveCallResult>('leaveCall', { callId }), { left: true, ended: false });
    assert.deepEqual(await c.call<LeaveCallResult>('leaveCall', { callId }), { left: true, ended: true });
    assert.equal((await call(callId).get()).exists, false);
    assert.deepEqual(await presenceIds(callId), []);
    assert.deepEqual(await mailboxIds(callId), []);
    assert.deepEqual(await b.call('peekCall', { callId }), { status: 'ended' });
    assert.deepEqual(await b.call('enterCall', { callId }), { status: 'ended' });
    assert.deepEqual(await c.call<LeaveCallResult>('leaveCall', { callId }), { left: false, ended: true });
    // A call that never existed is the same answer.
    assert.deepEqual(await b.call('peekCall', { callId: 'A'.repeat(22) }), { status: 'ended' });
    // No history: that is for moderating random calls.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.equal((await db.doc(`history/${callId}`).get()).exists, false);
  });

  it('a member whose lease lapsed is removed by the next enter, with its mailboxes', async () => {
    const { owner, callId } = await created();
    const [b, c] = [await user(), await user()];
    await b.call('enterCall', { callId });
    // b's page stopped its heartbeat a lease ago.
    await call(callId)
      .collection('members')
      .doc(b.uid)
      .update({ seenAt: Timestamp.fromMillis(Date.now() - PRESENCE_LEASE_MS - 1_000) });
    assert.deepEqual(
      await c.call('peekCall', { callId }),
      { status: 'open', members: 1, capacity: 5 },
      'only live members count',
    );
    // Peeking removed b already (and enter would have).
    assert.deepEqual(await memberIds(callId), [owner.uid]);
    assert.deepEqual(await mailboxIds(callId), []);
    // b lapses again after coming back; this time the next enter removes it.
    await b.call('enterCall', { callId });
    await call(callId)
      .collection('members')
      .doc(b.uid)
      .update({ seenAt: Timestamp.fromMillis(Date.now() - PRESENCE_LEASE_MS - 1_000) });
    const result = await c.call<EnterCallResult>('enterCall', { callId });
    assert.deepEqual(result, { status: 'entered', members: [owner.uid, c.uid], capacity: 5, screenIncoming: true });
    assert.deepEqual(await memberIds(callId), [owner.uid, c.uid]);
    assert.deepEqual(await presenceIds(callId), [owner.uid, c.uid].sort());
    assert.deepEqual(await mailboxIds(callId), allPairs([owner.uid, c.uid]));
    // b comes back: a newcomer again, at the end of the order, with fresh mailboxes.
    const back = await b.call<EnterCallResult>('enterCall', { callId });
    assert.deepEqual(back, { status: 'entered', members: [owner.uid, c.uid, b.uid], capacity: 5, screenIncoming: true });
    assert.deepEqual(await mailboxIds(callId), allPairs([owner.uid, c.uid, b.uid]));
  });

  it('the sweeper removes lapsed members with their mailboxes, and calls nobody live is left in', async () => {
    const { owner, callId } = await created();
    const b = await user();
    await b.call('enterCall', { callId });
    const lonely = await created();
    const past = Timestamp.fromMillis(Date.now() - PRESENCE_LEASE_MS - 1_000);
    await call(callId).collection('members').doc(b.uid).update({ seenAt: past });
    await call(lonely.callId).collection('members').doc(lonely.owner.uid).update({ seenAt: past });

    const report = await new Sweeper(db).sweep(Date.now());
    assert.equal(report.lapsedMembers, 2);
    assert.equal(report.calls, 1, 'the call whose only member lapsed ended');
    assert.deepEqual(await memberIds(callId), [owner.uid]);
    assert.deepEqual(await presenceIds(callId), [owner.uid]);
    assert.deepEqual(await mailboxIds(callId), []);
    assert.equal((await call(lonely.callId).get()).exists, false);
    assert.deepEqual(await presenceIds(lonely.callId), []);
    assert.deepEqual(await b.call('peekCall', { callId: lonely.callId }), { status: 'ended' });
    // Not an unanswered random call: minutes old with a live member, it stays.
    const createdAt = Timestamp.fromMillis(Date.now() - 5 * 60_000);
    await call(callId).update({ createdAt });
    const later = await new Sweeper(db).sweep(Date.now());
    assert.equal(later.calls, 0);
    assert.deepEqual(await memberIds(callId), [owner.uid]);
    // Four hours after its creation it goes, like any call.
    const expired = await new Sweeper(db).sweep(createdAt.toMillis() + 4 * 3600_000);
    assert.equal(expired.calls, 1);
    assert.equal((await call(callId).get()).exists, false);
    assert.deepEqual(await presenceIds(callId), []);
  });

  it('the rules let members read the call and their own mailboxes, and non-members nothing', async () => {
    const { owner, callId } = await created();
    const [b, stranger] = [await user(), await user()];
    await b.call('enterCall', { callId });
    assert.deepEqual((await getDoc(doc(owner.db, 'calls', callId))).get('members'), [owner.uid, b.uid]);
    const inbox = await getDocs(query(collection(b.db, 'calls', callId, 'signals'), where('to', '==', b.uid)));
    assert.deepEqual(
      inbox.docs.map((d) => d.id),
      [signalId(owner.uid, b.uid)],
    );
    assert.deepEqual(inbox.docs[0]!.data()['description'], null);

    await denied(getDoc(doc(stranger.db, 'calls', callId)));
    await denied(getDoc(doc(stranger.db, 'calls', callId, 'signals', signalId(owner.uid, b.uid))));
    await denied(getDocs(collection(stranger.db, 'calls', callId, 'signals')));
    await denied(getDoc(doc(stranger.db, 'calls', callId, 'members', owner.uid)));
    await denied(getDocs(collection(stranger.db, 'calls', callId, 'members')));
    // Once b left, it reads nothing of the call any more.
    await b.call('leaveCall', { callId });
    await denied(getDoc(doc(b.db, 'calls', callId)));
    await denied(getDoc(doc(b.db, 'calls', callId, 'signals', signalId(owner.uid, b.uid))));
  });

  it('answers bad input with invalid-argument, and the unauthenticated with unauthenticated', async () => {
    const a = await user();
    const { callId } = await created();
    for (const [name, data] of [
      ['createCall', { room: 'ta' }],
      ['createCall', 'x'],
      ['createCall', { screenIncoming: 'no' }],
      ['createCall', { screenIncoming: false, room: 'ta' }],
      ['peekCall', {}],
      ['peekCall', { callId: 'short' }],
      ['enterCall', { callId: `${callId}!` }],
      ['enterCall', { callId, extra: 1 }],
      ['leaveCall', { callId: 42 }],
    ] as const) {
      const err = await rejection(a.call(name, data));
      assert.equal(err.code, 'functions/invalid-argument', `${name} ${JSON.stringify(data)}`);
      assert.equal(parseRefusal(err.details)?.code, 'invalid-request', `${name} ${JSON.stringify(data)}`);
    }
    // "__proto__" in the JSON, sent as a page's keepalive fetch would send it
    // (the client SDK would drop the key before sending).
    const token = await getAuth(a.app).currentUser!.getIdToken();
    for (const [name, body] of [
      ['enterCall', `{"data": {"__proto__": {"callId": "${callId}"}}}`],
      ['peekCall', `{"data": {"callId": "${callId}", "__proto__": {"x": 1}}}`],
      ['createCall', `{"data": {"__proto__": {}}}`],
    ] as const) {
      const { host, port } = EMULATORS.functions;
      const res = await fetch(`http://${host}:${port}/${PROJECT_ID}/us-central1/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body,
      });
      assert.equal(res.status, 400, `${name} ${body}`);
      const { error } = (await res.json()) as { error: { status: string; message: string } };
      assert.equal(error.status, 'INVALID_ARGUMENT');
      assert.match(error.message, /__proto__|callId/);
    }
    assert.equal((await memberIds(callId))?.length, 1, 'nobody entered');
    const nobody = anonymousCaller();
    try {
      const unauthenticated = await rejection(nobody.call('createCall', {}));
      assert.equal(unauthenticated.code, 'functions/unauthenticated');
      assert.deepEqual(parseRefusal(unauthenticated.details), { code: 'not-signed-in' });
      assert.equal((await rejection(nobody.call('peekCall', { callId }))).code, 'functions/unauthenticated');
    } finally {
      await nobody.close();
    }
  });

  it('limits createCall to 10 a minute per person (resource-exhausted, with when to retry)', async () => {
    const a = await user();
    for (let i = 0; i < 10; i++) await a.call('createCall', {});
    const err = await rejection(a.call('createCall', {}));
    assert.equal(err.code, 'functions/resource-exhausted');
    const refusal = parseRefusal(err.details);
    const retry = refusal?.code === 'rate-limited' ? refusal.retryAfterMs : 0;
    assert.ok(retry > 0 && retry <= 60_000, `retryAfterMs ${retry}`);
    assert.equal((await db.collection('calls').where('members', 'array-contains', a.uid).get()).size, 10);
  });

  it('refuses a banned person createCall and enterCall (permission-denied, until when), but not peekCall', async () => {
    const { callId } = await created();
    const banned = await user();
    const until = Timestamp.fromMillis(Date.now() + 3600_000);
    // What the report function and scripts/moderation.mjs write for a ban, besides its record in bans/{uid}.
    await db.doc(`blocks/${banned.uid}`).set({ bannedUntil: until });
    for (const [name, data] of [
      ['createCall', {}],
      ['enterCall', { callId }],
    ] as const) {
      const err = await rejection(banned.call(name, data));
      assert.equal(err.code, 'functions/permission-denied', name);
      assert.deepEqual(parseRefusal(err.details), { code: 'banned', until: until.toMillis() });
    }
    assert.deepEqual(await banned.call('peekCall', { callId }), { status: 'open', members: 1, capacity: 5 });
  });

  it('a random call id is not a call by link: peek and enter say ended, and the random call is untouched', async () => {
    await db
      .doc('calls/R0123456789abcdefghijk')
      .set({ kind: 'random', members: ['x', 'y'], room: 'ta', createdAt: Timestamp.now() });
    const a = await user();
    assert.deepEqual(await a.call('peekCall', { callId: 'R0123456789abcdefghijk' }), { status: 'ended' });
    assert.deepEqual(await a.call('enterCall', { callId: 'R0123456789abcdefghijk' }), { status: 'ended' });
    assert.deepEqual(await a.call('leaveCall', { callId: 'R0123456789abcdefghijk' }), { left: false, ended: true });
    await eventually(async () => (await db.doc('calls/R0123456789abcdefghijk').get()).exists, 1_000, 'the random call to stay');
  });
});

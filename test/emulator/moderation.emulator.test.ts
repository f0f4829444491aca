/**
 * Report, Block, bans and rate limits through the Functions emulator.
 *
 * Requests that must carry what a browser's SDK cannot set (an
 * X-Forwarded-For header, a JSON "__proto__" key, the ID token of an account
 * made an hour ago) are posted as raw callable requests (`post`). The
 * emulator does not verify ID tokens, so an old account is stated by an
 * unsigned token whose auth_time is an hour ago, as a verified token of an
 * hour-old anonymous account would say.
 */
import { Timestamp } from 'firebase-admin/firestore';
import { getAuth } from 'firebase/auth';
import { doc, FieldPath, serverTimestamp, updateDoc } from 'firebase/firestore';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { DEFAULT_RATE_LIMITS } from '../../functions/src/domain/limits.js';
import { UsageMeter, type Usage } from '../../functions/src/domain/usage.js';
import { DEFAULT_BAN_POLICY, localAllowance, parseReportRequest } from '../../functions/src/domain/moderation.js';
import { parseJoinRequest } from '../../functions/src/domain/requests.js';
import { RateLimited } from '../../functions/src/domain/refusals.js';
import { FirestoreMatchmaker } from '../../functions/src/matching/matchmaker.js';
import type { CreateCallResult, JoinResult } from '../../functions/src/protocol/calls.js';
import { CONNECTED_AT_FIELD } from '../../functions/src/protocol/moderation.js';
import { parseRefusal } from '../../functions/src/protocol/refusals.js';
import { RequestGate } from '../../functions/src/matching/rate-limit.js';
import { FirestoreModerator } from '../../functions/src/moderation/moderator.js';
import { NetworkHasher } from '../../functions/src/moderation/networks.js';
import {
  adminDb,
  clearFirestore,
  EMULATORS,
  eventually,
  fakeOffer,
  PROJECT_ID,
  rejection,
  ROOT,
  userPool,
  type TestUser,
} from '../support/emulator.js';

const users = userPool();
const user = users.create;

describe('moderation (Functions emulator)', () => {
  const db = adminDb();
  beforeEach(() => clearFirestore());
  after(() => users.closeAll());

  /** Pairs two fresh users in `room`; returns them and the call id. */
  async function pair(room = 'any'): Promise<{ waiter: TestUser; joiner: TestUser; callId: string }> {
    const [waiter, joiner] = [await user(), await user()];
    await waiter.call<JoinResult>('join', { room, offer: fakeOffer() });
    const matched = await joiner.call<JoinResult>('join', { room, offer: fakeOffer() });
    assert.equal(matched.status, 'matched');
    return { waiter, joiner, callId: matched.callId };
  }

  /** A call between `a` and `b` that both pages said connected, a minute before it ended a moment ago, as the trigger records it. */
  async function pastCall(a: string, b: string, id: string): Promise<string> {
    const connectedAt = Timestamp.fromMillis(Date.now() - 61_000);
    await db.doc(`history/${id}`).set({
      members: [a, b],
      room: 'ta',
      connectedAt: { [a]: connectedAt, [b]: connectedAt },
      callMs: 60_000,
      endedAt: Timestamp.fromMillis(Date.now() - 1000),
      expireAt: Timestamp.fromMillis(Date.now() + 3600_000),
    });
    return id;
  }

  /** An unsigned ID token of an anonymous account that signed in `ageMs` ago (the emulator does not verify signatures). */
  function oldAccountToken(uid: string, ageMs = 3600_000): string {
    const nowS = Math.floor(Date.now() / 1000);
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const payload = {
      iss: `https://securetoken.google.com/${PROJECT_ID}`,
      aud: PROJECT_ID,
      sub: uid,
      user_id: uid,
      auth_time: Math.floor((Date.now() - ageMs) / 1000),
      iat: nowS,
      exp: nowS + 3600,
      provider_id: 'anonymous',
      firebase: { identities: {}, sign_in_provider: 'anonymous' },
    };
    return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
  }

  /**
   * A raw callable request: `body` is the JSON text sent, `forwardedFor` the
   * X-Forwarded-For header as Google's front end would pass it on (the
   * client's own claim first, the address it saw last).
   */
  async function post(
    name: string,
    body: string,
    { token, forwardedFor }: { token: string; forwardedFor?: string },
  ): Promise<{ status: number; result?: unknown; error?: { status: string; message: string; details?: unknown } }> {
    const { host, port } = EMULATORS.functions;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
    if (forwardedFor !== undefined) headers['X-Forwarded-For'] = forwardedFor;
    const res = await fetch(`http://${host}:${port}/${PROJECT_ID}/us-central1/${name}`, { method: 'POST', headers, body });
    return {
      status: res.status,
      ...((await res.json()) as { result?: unknown; error?: { status: string; message: string; details?: unknown } }),
    };
  }

  /** The joiner of a call answers: its first write into its mailbox to the waiter, through the rules (as a page does). */
  async function answer(joiner: TestUser, waiter: string, callId: string): Promise<void> {
    await updateDoc(doc(joiner.db, 'calls', callId, 'signals', `${joiner.uid}_${waiter}`), {
      epoch: 1,
      description: { type: 'answer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' },
      candidates: '',
      n: 1,
      updatedAt: serverTimestamp(),
    });
  }

  /** A member's page records that its link connected, through the rules, as the web client does (backend/firestore-call.ts). */
  async function recordConnected(member: TestUser, callId: string): Promise<void> {
    await updateDoc(doc(member.db, 'calls', callId), new FieldPath(CONNECTED_AT_FIELD, member.uid), serverTimestamp());
  }

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Moves every page's connection record of a call `ms` back: as if the call had run that much longer. */
  async function moveConnectedBack(callId: string, ms: number): Promise<void> {
    const ref = db.doc(`calls/${callId}`);
    const records = ((await ref.get()).get(CONNECTED_AT_FIELD) ?? {}) as Record<string, Timestamp>;
    await ref.update(
      Object.fromEntries(
        Object.entries(records).map(([uid, at]) => [`${CONNECTED_AT_FIELD}.${uid}`, Timestamp.fromMillis(at.toMillis() - ms)]),
      ),
    );
  }

  it('report during a call ends it, stores the report without SDP, and blocks the person for the reporter', async () => {
    const { waiter, joiner, callId } = await pair('ta');
    assert.deepEqual(await joiner.call('report', { callId, reason: 'harassment' }), { ended: true });
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, false, 'the call ended for both');
    const report = (await db.doc(`reports/${callId}_${joiner.uid}`).get()).data()!;
    assert.deepEqual(Object.keys(report).sort(), [
      'at',
      'callId',
      'callMs',
      'counted',
      'expireAt',
      'reason',
      'reported',
      'reportedConnected',
      'reporter',
      'reporterAgeMs',
      'reporterConnected',
      'room',
    ]);
    // A fresh account, a call that never connected: stored for moderators, but it could not count toward a ban.
    assert.equal(report['counted'], false);
    assert.equal(report['callMs'], 0);
    assert.equal(report['reporterConnected'], false);
    assert.equal(report['reportedConnected'], false);
    for (const under of ['signals', 'members']) {
      assert.equal((await db.collection(`calls/${callId}/${under}`).get()).size, 0, `its ${under} ended with it`);
    }
    assert.equal(report['reporter'], joiner.uid);
    assert.equal(report['reported'], waiter.uid);
    assert.equal(report['reason'], 'harassment');
    assert.equal(report['room'], 'ta');
    assert.deepEqual((await db.doc(`blocks/${joiner.uid}`).get()).get('blocked'), [waiter.uid]);
  });

  it('report works right after the call ended (from the call history)', async () => {
    const { waiter, joiner, callId } = await pair();
    await waiter.call('leave');
    await eventually(async () => (await db.doc(`history/${callId}`).get()).exists, 15_000, 'history written');
    await joiner.call('report', { callId, reason: 'nudity' });
    assert.equal((await db.doc(`reports/${callId}_${joiner.uid}`).get()).get('reported'), waiter.uid);
  });

  it('refuses reports about calls one was not in, and bad reasons, writing nothing', async () => {
    const { callId } = await pair();
    const stranger = await user();
    const notIn = await rejection(stranger.call('report', { callId, reason: 'spam' }));
    assert.equal(notIn.code, 'functions/not-found');
    assert.deepEqual(parseRefusal(notIn.details), { code: 'not-in-call' });
    const badReason = await rejection(stranger.call('report', { callId, reason: 'ugly' }));
    assert.equal(badReason.code, 'functions/invalid-argument');
    assert.deepEqual(parseRefusal(badReason.details), { code: 'invalid-request', field: 'reason' });
    assert.equal((await db.collection('reports').get()).size, 0);
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, true, 'the call goes on');
  });

  it('refuses Report and Block of a call by link (not-found): they moderate random calls, and leave it alone', async () => {
    const [a, b] = [await user(), await user()];
    const { callId } = await a.call<CreateCallResult>('createCall', {});
    await b.call('enterCall', { callId });
    for (const [name, data] of [
      ['report', { callId, reason: 'spam' }],
      ['block', { callId }],
    ] as const) {
      assert.equal((await rejection(b.call(name, data))).code, 'functions/not-found', name);
    }
    assert.deepEqual((await db.doc(`calls/${callId}`).get()).get('members'), [a.uid, b.uid]);
    for (const c of ['reports', 'blocks']) assert.equal((await db.collection(c).get()).size, 0, `${c} untouched`);
  });

  it('one person reporting many times does not ban anyone', async () => {
    const [target, reporter] = [await user(), await user()];
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      await reporter.call('report', { callId: await pastCall(target.uid, reporter.uid, id), reason: 'spam' });
    }
    assert.equal((await db.collection('reports').get()).size, 4);
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
    assert.equal((await target.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
  });

  it('reports from three different people (old accounts, real calls, three networks) ban for a day, and join says until when', async () => {
    const target = await user();
    await target.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() }); // waiting
    const networks = ['203.0.113.7', '198.51.100.23', '2001:db8:77::5'];
    for (const [i, address] of networks.entries()) {
      const reporter = `genuine${i}`;
      const callId = await pastCall(target.uid, reporter, `call${i}`);
      // Whatever the client claims comes first in the header; the address the front end saw is last.
      const res = await post('report', JSON.stringify({ data: { callId, reason: 'harassment' } }), {
        token: oldAccountToken(reporter),
        forwardedFor: `10.9.9.9, ${address}`,
      });
      assert.equal(res.status, 200, JSON.stringify(res));
      assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, i === 2, `banned only after the third (report ${i + 1})`);
    }
    const reports = await db.collection('reports').where('reported', '==', target.uid).get();
    assert.deepEqual(
      reports.docs.map((d) => d.get('counted')),
      [true, true, true],
    );
    const until = (await db.doc(`bans/${target.uid}`).get()).get('until') as Timestamp;
    assert.ok(
      until.isEqual((await db.doc(`blocks/${target.uid}`).get()).get('bannedUntil') as Timestamp),
      'the same until in the document join reads',
    );
    const hours = (until.toMillis() - Date.now()) / 3600_000;
    assert.ok(hours > 23.9 && hours <= 24, `ban lasts a day (${hours} h)`);
    assert.equal((await db.doc(`queue/${target.uid}`).get()).exists, false, 'taken out of the queue at once');
    const err = await rejection(target.call('join', { room: 'ta', offer: fakeOffer() }));
    assert.equal(err.code, 'functions/permission-denied');
    assert.deepEqual(parseRefusal(err.details), { code: 'banned', until: until.toMillis() }, 'until when, in epoch ms');
    // What the ban rule keeps expires with its window and holds no address.
    const strikes = await db.collection('strikes').where('reported', '==', target.uid).get();
    assert.equal(strikes.size, 3);
    for (const s of strikes.docs) {
      assert.match(s.get('network') as string, /^[0-9a-f]{16}$/);
      assert.doesNotMatch(JSON.stringify(s.data()), /203\.0\.113|198\.51\.100|2001:db8|10\.9\.9/);
      const ttl = (s.get('expireAt') as Timestamp).toMillis() - (s.get('at') as Timestamp).toMillis();
      assert.equal(ttl, 24 * 3600_000);
    }
  });

  it('the issue\'s attack: three fresh accounts, each paired once with the target, report "spam" at once: no ban', async () => {
    const target = await user();
    for (let i = 0; i < 3; i++) {
      const sybil = await user();
      await target.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
      const matched = await sybil.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
      assert.equal(matched.status, 'matched');
      await answer(sybil, target.uid, matched.callId);
      assert.deepEqual(await sybil.call('report', { callId: matched.callId, reason: 'spam' }), { ended: true });
    }
    assert.equal((await db.collection('reports').where('reported', '==', target.uid).get()).size, 3, 'the reports are kept');
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
    assert.equal((await target.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
  });

  it('old accounts with real calls, all from one network, never ban (the client cannot choose its address)', async () => {
    const target = await user();
    for (let i = 0; i < 5; i++) {
      const reporter = `sybil${i}`;
      const callId = await pastCall(target.uid, reporter, `sybilcall${i}`);
      const res = await post('report', JSON.stringify({ data: { callId, reason: 'spam' } }), {
        token: oldAccountToken(reporter),
        // Each claims another address; the front end saw the same one.
        forwardedFor: `192.0.2.${i + 1}, 203.0.113.${10 + i}`,
      });
      assert.equal(res.status, 200, JSON.stringify(res));
    }
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
  });

  it('fresh accounts on three networks do not ban; the report of each is stored as not counted', async () => {
    const target = await user();
    const reporters = [await user(), await user(), await user()];
    for (const [i, r] of reporters.entries()) {
      const callId = await pastCall(target.uid, r.uid, `fresh${i}`);
      const token = await getAuth(r.app).currentUser!.getIdToken();
      const res = await post('report', JSON.stringify({ data: { callId, reason: 'nudity' } }), {
        token,
        forwardedFor: `198.51.${100 + i}.1`,
      });
      assert.equal(res.status, 200, JSON.stringify(res));
    }
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
    const reports = await db.collection('reports').where('reported', '==', target.uid).get();
    assert.deepEqual(
      reports.docs.map((d) => d.get('counted')),
      [false, false, false],
    );
    assert.equal((await db.collection('strikes').get()).size, 0, 'no network hash kept for reports that cannot count');
  });

  it('a call never answered does not count, even from old accounts on three networks', async () => {
    const target = await user();
    for (let i = 0; i < 3; i++) {
      const reporter = `unanswered${i}`;
      const callId = `noanswer${i}`;
      await db.doc(`history/${callId}`).set({
        members: [target.uid, reporter],
        room: 'ta',
        endedAt: Timestamp.now(),
        expireAt: Timestamp.fromMillis(Date.now() + 3600_000),
      });
      const res = await post('report', JSON.stringify({ data: { callId, reason: 'hate' } }), {
        token: oldAccountToken(reporter),
        forwardedFor: `203.0.${113 + i}.9`,
      });
      assert.equal(res.status, 200, JSON.stringify(res));
    }
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
  });

  it("the issue's point 6: reports count only for calls both pages said connected; one side's word, answer and all, bans nobody", async () => {
    // Two people reported by three others each, in calls that run side by side: old accounts, three
    // networks, calls long enough. The only difference: whether the reported person's page said it connected.
    const [silent, seen] = [await user(), await user()];
    const networks = ['203.0.113.7', '198.51.100.23', '192.0.2.200'];
    for (const [i, address] of networks.entries()) {
      const calls = await Promise.all(
        [
          { target: silent, room: 'ta' },
          { target: seen, room: 'hi' },
        ].map(async ({ target, room }) => {
          const reporter = await user();
          await target.call<JoinResult>('join', { room, offer: fakeOffer() });
          const matched = await reporter.call<JoinResult>('join', { room, offer: fakeOffer() });
          assert.equal(matched.status, 'matched');
          // The reporter's page answers and says it connected.
          await answer(reporter, target.uid, matched.callId);
          await recordConnected(reporter, matched.callId);
          // Only one of the two reported people's pages ever says so.
          if (target === seen) await recordConnected(target, matched.callId);
          return { reporter, callId: matched.callId };
        }),
      );
      // Long enough: the clock moves instead of the test waiting minCallMs (three times).
      for (const { callId } of calls) await moveConnectedBack(callId, DEFAULT_BAN_POLICY.minCallMs + 500);
      for (const { reporter, callId } of calls) {
        const res = await post('report', JSON.stringify({ data: { callId, reason: 'harassment' } }), {
          token: oldAccountToken(reporter.uid),
          forwardedFor: address,
        });
        assert.equal(res.status, 200, JSON.stringify(res));
      }
      assert.equal((await db.doc(`bans/${seen.uid}`).get()).exists, i === 2, `banned after the third report only (${i + 1})`);
    }
    assert.equal((await db.doc(`bans/${silent.uid}`).get()).exists, false, "never banned on one side's word");
    const reportsOf = async (target: TestUser) =>
      (await db.collection('reports').where('reported', '==', target.uid).get()).docs.map((d) => d.data());
    const kept = await reportsOf(silent);
    assert.equal(kept.length, 3, 'the reports are kept for moderators');
    for (const r of kept) {
      assert.deepEqual([r['counted'], r['reporterConnected'], r['reportedConnected'], r['callMs']], [false, true, false, 0]);
    }
    for (const r of await reportsOf(seen)) {
      assert.deepEqual([r['counted'], r['reporterConnected'], r['reportedConnected']], [true, true, true]);
      assert.ok((r['callMs'] as number) >= DEFAULT_BAN_POLICY.minCallMs, `callMs ${String(r['callMs'])}`);
    }
    assert.equal((await silent.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
  });

  it("how long a call ran: from the later of the two pages' records, for a live call's report and in an ended call's history", async () => {
    // A live call: both pages said connected a second ago.
    const live = await pair('ta');
    await recordConnected(live.joiner, live.callId);
    await recordConnected(live.waiter, live.callId);
    await sleep(1100);
    await live.waiter.call('report', { callId: live.callId, reason: 'harassment' });
    const liveMs = (await db.doc(`reports/${live.callId}_${live.waiter.uid}`).get()).get('callMs') as number;
    assert.ok(liveMs >= 1000 && liveMs < 60_000, `the live call ran ${liveMs} ms`);

    // Ended calls: the history says how long each ran with both connected.
    const both = await pair('ta');
    await recordConnected(both.joiner, both.callId);
    await recordConnected(both.waiter, both.callId);
    const oneSided = await pair('ta');
    // The joiner answered and said it connected; the waiter's page never did.
    await answer(oneSided.joiner, oneSided.waiter.uid, oneSided.callId);
    await recordConnected(oneSided.joiner, oneSided.callId);
    await sleep(1100);
    await both.waiter.call('leave');
    await oneSided.waiter.call('leave');
    const historyOf = (callId: string) =>
      eventually(
        async () => {
          const h = await db.doc(`history/${callId}`).get();
          return h.exists ? h : null;
        },
        15_000,
        `the history of ${callId}`,
      );
    const bothMs = (await historyOf(both.callId)).get('callMs') as number;
    assert.ok(bothMs >= 1000 && bothMs < 60_000, `the call both said connected ran ${bothMs} ms`);
    assert.equal((await historyOf(oneSided.callId)).get('callMs'), 0, 'a call only one side said connected never counts');
    // A report after the call reads it there.
    await both.joiner.call('report', { callId: both.callId, reason: 'spam' });
    const report = (await db.doc(`reports/${both.callId}_${both.joiner.uid}`).get()).data()!;
    assert.equal(report['callMs'], bothMs);
    assert.deepEqual([report['reporterConnected'], report['reportedConnected']], [true, true]);
    await oneSided.joiner.call('report', { callId: oneSided.callId, reason: 'spam' });
    const unproven = (await db.doc(`reports/${oneSided.callId}_${oneSided.joiner.uid}`).get()).data()!;
    assert.deepEqual([unproven['callMs'], unproven['reporterConnected'], unproven['reportedConnected']], [0, true, false]);
  });

  it('block ends the call and the two are never paired again, in either direction', async () => {
    const { waiter, joiner, callId } = await pair('hi');
    await waiter.call('block', { callId });
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, false);
    // The blocker waits; the blocked person joins: both wait.
    assert.equal((await waiter.call<JoinResult>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
    assert.equal((await joiner.call<JoinResult>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
    // A third person is paired with the longest waiter, as usual.
    const third = await user();
    const outcome = await third.call<JoinResult>('join', { room: 'hi', offer: fakeOffer() });
    assert.equal(outcome.status, 'matched');
    const call = await db.doc(`calls/${outcome.callId}`).get();
    assert.deepEqual(call.get('members'), [third.uid, waiter.uid]);
    // The other direction: the blocked person is still waiting; the blocker joins again.
    assert.equal((await db.doc(`queue/${joiner.uid}`).get()).exists, true);
    assert.equal((await waiter.call<JoinResult>('join', { room: 'hi', offer: fakeOffer() })).status, 'waiting');
  });

  /** Two who were just in a call that ended (the victim waited, the harasser joined), and its id once its history is written. */
  async function pastPair(room: string): Promise<{ victim: TestUser; harasser: TestUser; callId: string }> {
    const { waiter: victim, joiner: harasser, callId } = await pair(room);
    await harasser.call('leave');
    await eventually(async () => (await db.doc(`history/${callId}`).get()).exists, 15_000, 'history written');
    return { victim, harasser, callId };
  }

  for (const action of ['block', 'report'] as const) {
    it(`a ${action} made while waiting holds for the blocked person's very next join (the issue's point 2)`, async () => {
      const { victim, harasser, callId } = await pastPair('ta');
      // The victim is waiting again; only then blocks the harasser of the last call.
      assert.equal((await victim.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
      await victim.call(action, action === 'report' ? { callId, reason: 'harassment' } : { callId });
      // The harasser joins at once, before any renewal of the victim's entry.
      assert.equal((await harasser.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
      // Nobody else is kept from the victim, and the victim's renewal keeps the block.
      await harasser.call('leave');
      assert.equal((await victim.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
      assert.deepEqual((await db.doc(`queue/${victim.uid}`).get()).get('blocked'), [harasser.uid]);
      assert.equal((await harasser.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
      const third = await user();
      const outcome = await third.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
      assert.equal(outcome.status, 'matched');
      assert.deepEqual((await db.doc(`calls/${outcome.callId}`).get()).get('members'), [third.uid, victim.uid]);
    });
  }

  describe('a block holds from the moment the page says so, while its own request is still on its way (issue 17, point 1)', () => {
    /** The random calls, live now, that have both `x` and `y` as members. */
    async function callsBetween(x: string, y: string): Promise<string[]> {
      const calls = await db.collection('calls').where('members', 'array-contains', x).get();
      return calls.docs.filter((d) => (d.get('members') as string[]).includes(y)).map((d) => d.id);
    }

    for (const order of ['blocker first', 'blocked first', 'at once'] as const) {
      it(`C blocks D in their call; both join again (${order}) before the block is stored: never paired; the block then lands and holds`, async () => {
        const { waiter: c, joiner: d, callId } = await pair('ta');
        // C pressed Block: C's page ends its side and remembers D, but the
        // block request has not reached the function (a cold start takes
        // seconds). All the server gets meanwhile is the two joins; C's
        // carries D, as the page sends it.
        const joinC = () => c.call<JoinResult>('join', { room: 'ta', offer: fakeOffer(), avoid: [d.uid] });
        const joinD = () => d.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
        let outcomes: JoinResult[];
        if (order === 'at once') outcomes = await Promise.all([joinC(), joinD()]);
        else if (order === 'blocker first') outcomes = [await joinC(), await joinD()];
        else outcomes = [await joinD(), await joinC()];
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ['waiting', 'waiting'],
          'neither join paired the two, although nobody else waits',
        );
        assert.equal((await db.doc(`blocks/${c.uid}`).get()).exists, false, 'no block is stored: only the join said it');
        assert.deepEqual(await callsBetween(c.uid, d.uid), [], 'their old call ended with the joins, and no new one');

        // Someone else arrives: paired with one of the two, whom nothing keeps from them.
        const e = await user();
        const withE = await e.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
        assert.equal(withE.status, 'matched');
        const members: readonly string[] = withE.status === 'matched' ? withE.members : [];
        assert.ok(members.includes(c.uid) !== members.includes(d.uid), `E met exactly one of C and D: ${members.join(', ')}`);

        // The block request arrives late, for the call that ended: stored as usual, for good.
        await eventually(async () => (await db.doc(`history/${callId}`).get()).exists, 15_000, 'history of the ended call');
        await c.call('block', { callId });
        assert.deepEqual((await db.doc(`blocks/${c.uid}`).get()).get('blocked'), [d.uid]);
        // Whoever of the two still waits is not taken by the other, now by the stored block alone.
        const left = members.includes(c.uid) ? d : c;
        const other = left === c ? d : c;
        await other.call('leave');
        assert.equal((await left.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
        assert.equal((await other.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
        assert.deepEqual(await callsBetween(c.uid, d.uid), []);
      });
    }
  });

  it("a waiter's block holds even when its entry missed it (its join was writing the entry as the block was made)", async () => {
    const { victim, harasser } = await pastPair('ta');
    await victim.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
    // What that race leaves: the block is in the blocks document, not in the entry.
    await db.doc(`blocks/${victim.uid}`).set({ blocked: [harasser.uid] });
    assert.deepEqual((await db.doc(`queue/${victim.uid}`).get()).get('blocked'), []);
    assert.equal((await harasser.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
    assert.equal((await db.doc(`queue/${victim.uid}`).get()).exists, true, 'the victim still waits, for someone else');
  });

  it('rate-limits join per person and says when to retry', async () => {
    const a = await user();
    for (let i = 0; i < 30; i++) await a.call('join', { room: 'en', offer: fakeOffer() });
    const err = await rejection(a.call('join', { room: 'en', offer: fakeOffer() }));
    assert.equal(err.code, 'functions/resource-exhausted');
    const refusal = parseRefusal(err.details);
    assert.equal(refusal?.code, 'rate-limited');
    const retry = refusal?.code === 'rate-limited' ? refusal.retryAfterMs : 0;
    assert.ok(retry > 0 && retry <= 60_000, `retryAfterMs ${retry}`);
    // Someone else is not affected.
    const b = await user();
    assert.equal((await b.call<JoinResult>('join', { room: 'en', offer: fakeOffer() })).status, 'matched');
  });

  it('answers bad report and block input with invalid-argument and writes nothing', async () => {
    const a = await user();
    const cases: Array<[string, unknown, string]> = [
      ['report', undefined, 'data'],
      ['report', { callId: 'abc' }, 'reason'],
      ['report', { callId: '../x', reason: 'spam' }, 'callId'],
      ['report', { callId: 'abc', reason: 'spam', extra: 1 }, 'data'],
      ['block', [], 'data'],
      ['block', { callId: 42 }, 'callId'],
      ['block', { callId: 'abc', reason: 'spam' }, 'data'],
    ];
    for (const [name, data, field] of cases) {
      const err = await rejection(a.call(name, data));
      assert.equal(err.code, 'functions/invalid-argument', `${name} ${JSON.stringify(data)}`);
      assert.deepEqual(parseRefusal(err.details), { code: 'invalid-request', field }, `${name} ${JSON.stringify(data)}`);
    }
    for (const c of ['reports', 'blocks', 'bans']) assert.equal((await db.collection(c).get()).size, 0, `${c} untouched`);
  });

  it("counts refused requests: a banned person's joins hit the rate limit after 30", async () => {
    const banned = await user();
    await db.doc(`blocks/${banned.uid}`).set({ bannedUntil: Timestamp.fromMillis(Date.now() + 3600_000) });
    const max = DEFAULT_RATE_LIMITS.join.max;
    for (let i = 0; i < max; i++) {
      const err = await rejection(banned.call('join', { room: 'ta', offer: fakeOffer() }));
      assert.equal(err.code, 'functions/permission-denied', `join ${i + 1}`);
    }
    const err = await rejection(banned.call('join', { room: 'ta', offer: fakeOffer() }));
    assert.equal(err.code, 'functions/resource-exhausted');
    assert.equal((await db.doc(`queue/${banned.uid}`).get()).exists, false);
  });

  it('counts refused requests: reports of made-up calls hit the rate limit after 10, and so does bad input', async () => {
    const a = await user();
    const max = DEFAULT_RATE_LIMITS.report.max;
    for (let i = 0; i < max; i++) {
      const err = await rejection(a.call('report', { callId: `madeUp${i}`, reason: 'spam' }));
      assert.equal(err.code, 'functions/not-found', `report ${i + 1}`);
    }
    assert.equal(
      (await rejection(a.call('report', { callId: 'madeUpToo', reason: 'spam' }))).code,
      'functions/resource-exhausted',
    );
    assert.equal((await rejection(a.call('report', { nonsense: true }))).code, 'functions/resource-exhausted');

    const b = await user();
    for (let i = 0; i < DEFAULT_RATE_LIMITS.block.max; i++) {
      assert.equal((await rejection(b.call('block', { callId: 42 }))).code, 'functions/invalid-argument');
    }
    assert.equal((await rejection(b.call('block', { callId: 'abc' }))).code, 'functions/resource-exhausted');
    assert.equal((await db.collection('reports').get()).size, 0);
  });

  it('refused requests cost little: the gate and the operations, measured with their usage meter', async () => {
    // What every callable does (handlers/auth.ts): gate.run(uid, action, meter, parse-and-work); every
    // request counted in its shared window (no allowance on the instance: the dearest case).
    const gate = new RequestGate(db, Date.now, undefined, () => 0);
    const matchmaker = new FirestoreMatchmaker(db);
    const moderator = new FirestoreModerator(db, new NetworkHasher(db));
    const reporter = { signedInAtMs: Date.now(), address: null };
    async function cost(work: (meter: UsageMeter) => Promise<unknown>, refusal: string): Promise<Usage> {
      const meter = new UsageMeter();
      await assert.rejects(work(meter), (err: Error) => err.constructor.name === refusal);
      return meter.usage;
    }

    await db.doc('blocks/banned1').set({ bannedUntil: Timestamp.fromMillis(Date.now() + 3600_000) });
    // join counts itself in its own commit (handlers/join.ts: countedCallable): a refused one writes its window alone.
    const joinBanned = (m: UsageMeter) =>
      gate.runCounted('banned1', 'join', m, (count) =>
        matchmaker.join('banned1', parseJoinRequest({ room: 'ta', offer: fakeOffer() }), m, count),
      );
    // The first refusal reads the ban with the rest of the person's facts; later ones only count.
    const first = await cost(joinBanned, 'Banned');
    assert.ok(first.reads <= 7 && first.writes === 1, `first banned join: ${JSON.stringify(first)}`);
    assert.deepEqual(await cost(joinBanned, 'Banned'), { reads: 1, writes: 1, deletes: 0 });

    // A made-up call: the window, then the call and its history; nothing else.
    const madeUp = (m: UsageMeter) =>
      gate.run('someone', 'report', m, () =>
        moderator.report('someone', parseReportRequest({ callId: 'madeUp', reason: 'spam' }), reporter, m),
      );
    assert.deepEqual(await cost(madeUp, 'NotInCall'), { reads: 3, writes: 1, deletes: 0 });
    const blockMadeUp = (m: UsageMeter) =>
      gate.run('someone', 'block', m, () => moderator.block('someone', { callId: 'madeUp' }, m));
    assert.deepEqual(await cost(blockMadeUp, 'NotInCall'), { reads: 3, writes: 1, deletes: 0 });
    // Bad input: only the window.
    const bad = (m: UsageMeter) => gate.run('someone', 'report', m, async () => parseReportRequest({ callId: 'x' }));
    assert.deepEqual(await cost(bad, 'InvalidRequest'), { reads: 1, writes: 1, deletes: 0 });

    // Over the limit: the instance that admitted the whole limit itself knows without a read.
    for (let i = 2; i < DEFAULT_RATE_LIMITS.report.max; i++) await cost(madeUp, 'NotInCall');
    assert.deepEqual(await cost(madeUp, 'RateLimited'), { reads: 0, writes: 0, deletes: 0 });
    // Another instance: one read to learn it, then none.
    const otherGate = new RequestGate(db, Date.now, undefined, () => 0);
    const madeUpElsewhere = (m: UsageMeter) =>
      otherGate.run('someone', 'report', m, () =>
        moderator.report('someone', parseReportRequest({ callId: 'madeUp', reason: 'spam' }), reporter, m),
      );
    assert.deepEqual(await cost(madeUpElsewhere, 'RateLimited'), { reads: 1, writes: 0, deletes: 0 });
    assert.deepEqual(await cost(madeUpElsewhere, 'RateLimited'), { reads: 0, writes: 0, deletes: 0 });
  });

  it("join counts itself in its own commit, and one person's simultaneous joins one after the other", async () => {
    const gate = new RequestGate(db, Date.now, undefined, () => 0);
    const matchmaker = new FirestoreMatchmaker(db);
    const join = (uid: string, meter = new UsageMeter()) =>
      gate.runCounted(uid, 'join', meter, (count) =>
        matchmaker.join(uid, parseJoinRequest({ room: 'ta', offer: fakeOffer() }), meter, count),
      );
    const meter = new UsageMeter();
    assert.equal((await join('alone', meter)).status, 'waiting');
    // One read beside the join's reads, one write in the commit that queued it: no commit of the gate's own.
    assert.deepEqual(meter.byName['rateLimits (join)'], { reads: 1, writes: 1, deletes: 0 });
    assert.equal(meter.usage.writes, 2, `the entry and the window: ${JSON.stringify(meter.byName)}`);
    assert.equal((await db.doc('rateLimits/alone_join').get()).get('count'), 1);

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => join('flood')));
    // Every join counts once, answered or refused, except one refused for losing every race of its window.
    const counted = outcomes.filter((o) => o.status === 'fulfilled' || !(o.reason instanceof RateLimited)).length;
    assert.equal((await db.doc('rateLimits/flood_join').get()).get('count'), counted, JSON.stringify(outcomes));
    assert.ok(
      outcomes.some((o) => o.status === 'fulfilled'),
      JSON.stringify(outcomes),
    );
  });

  it("an instance admits a person's first requests on its own count, then counts them all in the shared window", async () => {
    const gate = new RequestGate(db);
    const matchmaker = new FirestoreMatchmaker(db);
    const allowance = localAllowance(DEFAULT_RATE_LIMITS.join);
    const join = (meter: UsageMeter) =>
      gate.runCounted('regular', 'join', meter, (count) =>
        matchmaker.join('regular', parseJoinRequest({ room: 'ta', offer: fakeOffer() }), meter, count),
      );
    // Within the allowance: no rate-limit read or write, and no window in Firestore.
    for (let i = 0; i < allowance; i++) {
      const meter = new UsageMeter();
      assert.equal((await join(meter)).status, 'waiting');
      assert.equal(meter.byName['rateLimits (join)'], undefined, `join ${i + 1}: ${JSON.stringify(meter.byName)}`);
    }
    assert.equal((await db.doc('rateLimits/regular_join').get()).exists, false);
    // The next one is counted in the shared window with the ones before it, in its own commit.
    const meter = new UsageMeter();
    await join(meter);
    assert.deepEqual(meter.byName['rateLimits (join)'], { reads: 1, writes: 1, deletes: 0 });
    assert.equal((await db.doc('rateLimits/regular_join').get()).get('count'), allowance + 1);
    // And so on: what the shared window says is never behind by more than the allowance; the limit holds.
    const max = DEFAULT_RATE_LIMITS.join.max;
    for (let i = allowance + 2; i <= max; i++) await join(new UsageMeter());
    const stored = (await db.doc('rateLimits/regular_join').get()).get('count') as number;
    assert.ok(stored > max - allowance && stored <= max, `the shared window says ${stored} after ${max} joins`);
    await assert.rejects(join(new UsageMeter()), RateLimited);
  });

  it('refuses "__proto__" keys in join, leave, report and block with invalid-argument, writing nothing', async () => {
    const a = await user();
    const token = await getAuth(a.app).currentUser!.getIdToken();
    const offer = JSON.stringify(fakeOffer());
    const { callId } = await pair('ta');
    for (const [name, body] of [
      // The payload: the whole join inside "__proto__".
      ['join', `{"data": {"__proto__": {"room": "ta", "offer": ${offer}}}}`],
      ['join', `{"data": {"room": "ta", "offer": ${offer}, "__proto__": {"x": 1}}}`],
      ['join', `{"data": {"room": "ta", "offer": ${offer}, "__proto__": null}}`],
      ['join', `{"data": {"room": "ta", "offer": {"__proto__": ${offer}}}}`],
      ['leave', `{"data": {"__proto__": {}}}`],
      ['report', `{"data": {"__proto__": {"callId": "${callId}", "reason": "spam"}}}`],
      ['report', `{"data": {"callId": "${callId}", "reason": "spam", "__proto__": {"x": 1}}}`],
      ['block', `{"data": {"__proto__": {"callId": "${callId}"}}}`],
      ['block', `{"data": {"callId": "${callId}", "__proto__": "x"}}`],
    ] as const) {
      const res = await post(name, body, { token });
      assert.equal(res.status, 400, `${name} ${body}`);
      assert.equal(res.error?.status, 'INVALID_ARGUMENT', `${name} ${body}`);
      assert.match(res.error!.message, /__proto__/);
      assert.deepEqual(res.error?.details, { code: 'invalid-request', field: 'data' }, `${name} ${body}`);
    }
    assert.equal((await db.doc(`queue/${a.uid}`).get()).exists, false, 'not queued');
    assert.equal((await db.doc(`calls/${callId}`).get()).exists, true, 'the call goes on');
    for (const c of ['reports', 'blocks', 'bans']) assert.equal((await db.collection(c).get()).size, 0, `${c} untouched`);
  });

  it('operators list bans with their reports, and lift one (scripts/moderation.mjs)', async () => {
    const target = await user();
    await target.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() });
    for (const [i, address] of ['203.0.113.7', '198.51.100.23', '192.0.2.200'].entries()) {
      const callId = await pastCall(target.uid, `genuine${i}`, `opcall${i}`);
      const res = await post('report', JSON.stringify({ data: { callId, reason: 'hate' } }), {
        token: oldAccountToken(`genuine${i}`),
        forwardedFor: address,
      });
      assert.equal(res.status, 200, JSON.stringify(res));
    }
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, true);
    const script = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'moderation.mjs'), ...args], { encoding: 'utf8', env: process.env });

    const listed = script('list');
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`${target.uid}: banned .* until \\d{4}-`));
    assert.equal(listed.stdout.match(/hate +by genuine\d .*counted=true/g)?.length, 3, listed.stdout);
    assert.doesNotMatch(listed.stdout, /203\.0\.113|198\.51\.100|192\.0\.2/, 'no addresses');

    const lifted = script('lift', target.uid, 'reviewed: a misunderstanding');
    assert.equal(lifted.status, 0, lifted.stderr);
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);
    assert.equal((await db.collection('strikes').where('reported', '==', target.uid).get()).size, 0, 'its reports stop counting');
    const reviews = (await db.collection('reports').where('reported', '==', target.uid).get()).docs.map((d) =>
      d.get('review.outcome'),
    );
    assert.deepEqual(reviews, ['lifted', 'lifted', 'lifted']);
    assert.equal((await target.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
    // One more report after the lift does not ban again at once.
    const callId = await pastCall(target.uid, 'genuine9', 'opcall9');
    await post('report', JSON.stringify({ data: { callId, reason: 'hate' } }), {
      token: oldAccountToken('genuine9'),
      forwardedFor: '203.0.114.1',
    });
    assert.equal((await db.doc(`bans/${target.uid}`).get()).exists, false);

    const usage = script('frobnicate');
    assert.equal(usage.status, 1);
    assert.match(usage.stderr, /usage: node scripts\/moderation\.mjs/);
  });

  it('operators ban after a review, and carry the bans of an earlier release into the document join reads (scripts/moderation.mjs)', async () => {
    const script = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'scripts', 'moderation.mjs'), ...args], { encoding: 'utf8', env: process.env });
    const refusal = async (u: { call: (name: string, data: unknown) => Promise<unknown> }) =>
      parseRefusal((await rejection(u.call('join', { room: 'ta', offer: fakeOffer() }))).details);

    // A ban made by the functions of the earlier release: its record only, which join no longer reads.
    const old = await user();
    const until = Timestamp.fromMillis(Date.now() + 3600_000);
    await db.doc(`bans/${old.uid}`).set({ until, at: Timestamp.now(), expireAt: until });
    assert.equal((await old.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting', 'not carried yet');
    const carried = script('carry-bans');
    assert.equal(carried.status, 0, carried.stderr);
    assert.match(carried.stdout, /^1 ban\(s\) in force carried/);
    assert.equal((await db.doc(`queue/${old.uid}`).get()).exists, false, 'taken out of the queue, as a ban does');
    assert.deepEqual(await refusal(old), { code: 'banned', until: until.toMillis() });
    assert.equal(script('carry-bans').status, 0, 'safe to run again');
    assert.deepEqual(await refusal(old), { code: 'banned', until: until.toMillis() });

    // A ban after a review: refused at once, with its record for `list`; lifted, the person waits again.
    const reviewed = await user();
    const banned = script('ban', reviewed.uid, '2', 'reviewed reports');
    assert.equal(banned.status, 0, banned.stderr);
    const record = await db.doc(`bans/${reviewed.uid}`).get();
    assert.equal(record.get('by'), 'operator');
    assert.deepEqual(await refusal(reviewed), { code: 'banned', until: (record.get('until') as Timestamp).toMillis() });
    // (Another person: an instance remembers a refusal for a while, as the lift's output says.)
    const forgiven = await user();
    assert.equal(script('ban', forgiven.uid, '2').status, 0);
    assert.equal(script('lift', forgiven.uid).status, 0);
    assert.equal(
      (await db.doc(`blocks/${forgiven.uid}`).get()).get('bannedUntil'),
      undefined,
      'the ban field goes with the record',
    );
    assert.equal((await forgiven.call<JoinResult>('join', { room: 'ta', offer: fakeOffer() })).status, 'waiting');
  });
});

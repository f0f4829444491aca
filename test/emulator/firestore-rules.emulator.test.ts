/**
 * firestore.rules, tested as a product against the Firestore emulator: for
 * each path, what must be denied first, then the legitimate action next to it.
 * Denials are checked to be permission-denied, not just any error.
 */
import {
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestContext,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  addDoc,
  collection,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  type Firestore,
} from 'firebase/firestore';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { EMULATORS, PROJECT_ID, ROOT } from '../support/emulator.js';

const CALLER = 'alice';
const CALLEE = 'bob';
const STRANGER = 'mallory';
const CALL = 'call1';

let env: RulesTestEnvironment;

/** Asserts the operation is refused by the rules, specifically. */
async function denied(op: Promise<unknown>): Promise<void> {
  try {
    await op;
  } catch (err) {
    assert.equal((err as { code?: string }).code, 'permission-denied', `expected permission-denied, got ${String(err)}`);
    return;
  }
  assert.fail('expected permission-denied, but the operation succeeded');
}

const allowed = assertSucceeds;
const as = (uid: string): Firestore => env.authenticatedContext(uid).firestore() as unknown as Firestore;
const unauthenticated = (): Firestore => env.unauthenticatedContext().firestore() as unknown as Firestore;

function validCandidate(from: string) {
  return {
    from,
    candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
    sdpMid: '0',
    sdpMLineIndex: 0,
    createdAt: serverTimestamp(),
    expireAt: Timestamp.fromMillis(Date.now() + 60 * 60 * 1000),
  };
}

const ANSWER = { type: 'answer', sdp: 'v=0\r\n' };

async function seed(): Promise<void> {
  await env.withSecurityRulesDisabled(async (ctx: RulesTestContext) => {
    const db = ctx.firestore() as unknown as Firestore;
    await setDoc(doc(db, 'queue', CALLER), { uid: CALLER, room: 'ta', callId: 'reserved' });
    await setDoc(doc(db, 'calls', CALL), {
      caller: CALLER,
      callee: CALLEE,
      participants: [CALLER, CALLEE],
      room: 'ta',
      offer: { type: 'offer', sdp: 'v=0\r\n' },
      answer: null,
      answeredAt: null,
      createdAt: Timestamp.now(),
    });
    await setDoc(doc(db, 'calls', CALL, 'candidates', 'c1'), { ...validCandidate(CALLER), createdAt: Timestamp.now() });
  });
}

describe('firestore.rules', () => {
  before(async () => {
    env = await initializeTestEnvironment({
      projectId: PROJECT_ID,
      firestore: {
        host: EMULATORS.firestore.host,
        port: EMULATORS.firestore.port,
        rules: readFileSync(join(ROOT, 'firestore.rules'), 'utf8'),
      },
    });
  });
  beforeEach(async () => {
    await env.clearFirestore();
    await seed();
  });
  after(async () => {
    await env.cleanup();
  });

  describe('queue/{uid}', () => {
    it('denies unauthenticated reads, reading another person\'s entry, and listing', async () => {
      await denied(getDoc(doc(unauthenticated(), 'queue', CALLER)));
      await denied(getDoc(doc(as(STRANGER), 'queue', CALLER)));
      await denied(getDocs(collection(as(CALLER), 'queue')));
    });
    it('denies every client write, even to one\'s own entry', async () => {
      await denied(setDoc(doc(as(STRANGER), 'queue', STRANGER), { room: 'ta' }));
      await denied(updateDoc(doc(as(CALLER), 'queue', CALLER), { room: 'hi' }));
      await denied(deleteDoc(doc(as(CALLER), 'queue', CALLER)));
    });
    it('allows the owner to read their own entry', async () => {
      await allowed(getDoc(doc(as(CALLER), 'queue', CALLER)));
    });
  });

  describe('calls/{callId}', () => {
    it('denies reading a call to the unauthenticated and to strangers', async () => {
      await denied(getDoc(doc(unauthenticated(), 'calls', CALL)));
      await denied(getDoc(doc(as(STRANGER), 'calls', CALL)));
    });
    it('denies listing calls, even to participants', async () => {
      await denied(getDocs(collection(as(CALLER), 'calls')));
    });
    it('denies creating or deleting calls from a client', async () => {
      await denied(setDoc(doc(as(STRANGER), 'calls', 'mine'), { caller: STRANGER, callee: CALLER, participants: [STRANGER, CALLER] }));
      await denied(deleteDoc(doc(as(CALLER), 'calls', CALL)));
    });
    it('denies the caller or a stranger writing the answer, and changing anything else', async () => {
      await denied(updateDoc(doc(as(CALLER), 'calls', CALL), { answer: ANSWER, answeredAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(STRANGER), 'calls', CALL), { answer: ANSWER, answeredAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(CALLEE), 'calls', CALL), { participants: [CALLEE, STRANGER] }));
      await denied(
        updateDoc(doc(as(CALLEE), 'calls', CALL), { answer: ANSWER, answeredAt: serverTimestamp(), callee: STRANGER }),
      );
    });
    it('denies a malformed answer', async () => {
      const callee = doc(as(CALLEE), 'calls', CALL);
      await denied(updateDoc(callee, { answer: { type: 'offer', sdp: 'v=0' }, answeredAt: serverTimestamp() }));
      await denied(updateDoc(callee, { answer: { type: 'answer', sdp: 42 }, answeredAt: serverTimestamp() }));
      await denied(updateDoc(callee, { answer: { type: 'answer', sdp: 'x'.repeat(16385) }, answeredAt: serverTimestamp() }));
      await denied(updateDoc(callee, { answer: { ...ANSWER, extra: 1 }, answeredAt: serverTimestamp() }));
      await denied(updateDoc(callee, { answer: ANSWER, answeredAt: Timestamp.fromMillis(0) }));
    });
    it('allows the participants to read, and the callee to answer exactly once', async () => {
      await allowed(getDoc(doc(as(CALLER), 'calls', CALL)));
      await allowed(getDoc(doc(as(CALLEE), 'calls', CALL)));
      await allowed(updateDoc(doc(as(CALLEE), 'calls', CALL), { answer: ANSWER, answeredAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(CALLEE), 'calls', CALL), { answer: ANSWER, answeredAt: serverTimestamp() }));
    });
    it('allows a signed-in user to wait on a call id that does not exist yet (and reveals nothing)', async () => {
      const snap = await allowed(getDoc(doc(as(CALLER), 'calls', 'reserved')));
      assert.equal(snap.exists(), false);
      await denied(getDoc(doc(unauthenticated(), 'calls', 'reserved')));
    });
  });

  describe('calls/{callId}/candidates', () => {
    const candidates = (uid: string) => collection(as(uid), 'calls', CALL, 'candidates');
    it('denies strangers and the unauthenticated reading or listing candidates', async () => {
      await denied(getDocs(candidates(STRANGER)));
      await denied(getDoc(doc(as(STRANGER), 'calls', CALL, 'candidates', 'c1')));
      await denied(getDocs(collection(unauthenticated(), 'calls', CALL, 'candidates')));
    });
    it('denies candidates written by strangers or under someone else\'s name', async () => {
      await denied(addDoc(candidates(STRANGER), validCandidate(STRANGER)));
      await denied(addDoc(candidates(CALLEE), validCandidate(CALLER)));
    });
    it('denies malformed candidates', async () => {
      const c = validCandidate(CALLEE);
      await denied(addDoc(candidates(CALLEE), { ...c, extra: true }));
      const { sdpMid: _omit, ...missing } = c;
      await denied(addDoc(candidates(CALLEE), missing));
      await denied(addDoc(candidates(CALLEE), { ...c, candidate: 7 }));
      await denied(addDoc(candidates(CALLEE), { ...c, candidate: 'x'.repeat(513) }));
      await denied(addDoc(candidates(CALLEE), { ...c, sdpMLineIndex: 'zero' }));
      await denied(addDoc(candidates(CALLEE), { ...c, createdAt: Timestamp.fromMillis(0) }));
      await denied(addDoc(candidates(CALLEE), { ...c, expireAt: Timestamp.fromMillis(Date.now() + 24 * 3600 * 1000) }));
    });
    it('denies updating or deleting candidates, and writing them once the call is gone', async () => {
      await denied(updateDoc(doc(as(CALLER), 'calls', CALL, 'candidates', 'c1'), { candidate: 'x' }));
      await denied(deleteDoc(doc(as(CALLER), 'calls', CALL, 'candidates', 'c1')));
      await denied(addDoc(collection(as(CALLER), 'calls', 'gone', 'candidates'), validCandidate(CALLER)));
    });
    it('allows participants to write their own candidates and read the call\'s', async () => {
      await allowed(addDoc(candidates(CALLEE), validCandidate(CALLEE)));
      await allowed(addDoc(candidates(CALLER), { ...validCandidate(CALLER), sdpMid: null, sdpMLineIndex: null }));
      const snap = await allowed(getDocs(candidates(CALLEE)));
      assert.equal(snap.size, 3);
    });
  });

  it('denies every other path by default', async () => {
    await denied(getDoc(doc(as(CALLER), 'users', CALLER)));
    await denied(setDoc(doc(as(CALLER), 'anything', 'x'), { a: 1 }));
  });
});

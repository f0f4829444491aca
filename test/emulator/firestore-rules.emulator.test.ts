/**
 * firestore.rules, tested as a product against the Firestore emulator: for
 * each path, what must be denied first, then the legitimate action next to it.
 * Denials are checked to be permission-denied, not just any error.
 *
 * The last test reads the emulator's rule-coverage report and fails if any
 * expression of the rules was never evaluated by the tests above it. It
 * relies on node:test running this file's tests in order, one at a time (the
 * default within a file), and on no other test file using the emulator at the
 * same time (`npm test` runs them with --test-concurrency=1).
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
  deleteField,
  doc,
  FieldPath,
  getDoc,
  getDocs,
  serverTimestamp,
  setDoc,
  query,
  Timestamp,
  updateDoc,
  where,
  type DocumentData,
  type Firestore,
  type Query,
} from 'firebase/firestore';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  CONNECTED_AT_FIELD,
  JOINER_SEEN_AT_FIELD,
  MAX_CALL_MEMBERS,
  MAX_SCREENING_CHANGES,
  MAX_SIGNAL_CANDIDATES,
  MAX_SIGNAL_SDP,
  MAX_SIGNAL_WRITES,
  PRESENCE_MIN_GAP_MS,
  WAITER_SEEN_AT_FIELD,
} from '../../functions/src/protocol/index.js';
import { EMULATORS, PROJECT_ID, ROOT } from '../support/emulator.js';

/**
 * A project of its own in the Firestore emulator, with these rules: the
 * functions' triggers watch PROJECT_ID only. `npm test` runs this file
 * against the Firestore emulator alone, but run beside the functions
 * (`node scripts/parley.mjs exec`), in PROJECT_ID, the onCallDeleted runs
 * of one test's clearFirestore lagged (the Functions emulator runs triggers
 * one at a time) into the next test and deleted the mailboxes it had just
 * seeded under the same call ids ("no entity to update"): 4 to 9 of its
 * tests failed that way in each of 3 runs on one machine (2026-12-05).
 */
const RULES_PROJECT_ID = `${PROJECT_ID}-rules`;

/** The two of the random call CALL: WAITER waited (its offer went with its join), JOINER's join made the pair. */
const WAITER = 'alice';
const JOINER = 'bob';
const STRANGER = 'mallory';
/** Someone else in the same room as the random call CALL (waiting there): no more right to it than a stranger. */
const ROOMMATE = 'dave';
/** A random call between WAITER and JOINER, with its two mailboxes, as join creates it. */
const CALL = 'call1';
/**
 * The same two in a random call whose presence is kept on its document
 * (both pages asked for it in join): joinerSeenAt and waiterSeenAt, each
 * last beaten 10 s ago.
 */
const PRESENCE_CALL = 'call2';
/** A call whose expireAt has passed, not yet deleted by the sweeper or TTL. */
const EXPIRED_CALL = 'expired1';
/** A call that has ended: only its history/{callId} document remains. */
const ENDED_CALL = 'ended1';
const HOUR_MS = 60 * 60 * 1000;
/** A call by link with three members, in this entry order; the first (WAITER) created it. */
const LINK_CALL = 'Lnk0123456789abcdefABCD';
const MEMBER = 'carol';
const LINK_MEMBERS = [WAITER, JOINER, MEMBER];
/** A mailbox seeded one write short of the limit (n = MAX_SIGNAL_WRITES - 1), with epoch 5. */
const WORN_MAILBOX = `${WAITER}_${MEMBER}`;

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

const ANSWER = { type: 'answer', sdp: 'v=0\r\n' };
const OFFER = { type: 'offer', sdp: 'v=0\r\n' };

/** A random call's document as the join function creates it at `createdAtMs` (epoch ms): no SDP, expireAt 4 h later. */
function callDoc(createdAtMs: number): DocumentData {
  return {
    kind: 'random',
    // Entry order: the waiter made the first offer, so it is the later member.
    members: [JOINER, WAITER],
    room: 'ta',
    createdAt: Timestamp.fromMillis(createdAtMs),
    expireAt: Timestamp.fromMillis(createdAtMs + 4 * HOUR_MS),
  };
}

/** An empty mailbox as the functions create it (join and enterCall alike). */
function emptyMailbox(from: string, to: string, at: Timestamp): DocumentData {
  return { from, to, epoch: 0, description: null, candidates: '', n: 0, updatedAt: at };
}

/**
 * A collection only the functions write (Admin SDK), with one seeded document
 * about `owners`, the people who would call it "theirs".
 */
interface FunctionOnly {
  readonly collection: string;
  readonly id: string;
  readonly data: DocumentData;
  readonly owners: readonly string[];
  /** The id of the document a person would create as "theirs". */
  readonly mine: (uid: string) => string;
  /** What that person would write into it. */
  readonly created: (uid: string) => DocumentData;
  /** A change its owner would like to make to the seeded document. */
  readonly tamper: DocumentData;
  /** The query a person would run to find the documents about them. */
  readonly about: (db: Firestore, uid: string) => Query;
}

/** Built once, so the seeded data stays the same across re-seeding. */
const FUNCTION_ONLY: readonly FunctionOnly[] = (() => {
  const now = Date.now();
  return [
    {
      collection: 'reports',
      id: `${ENDED_CALL}_${WAITER}`,
      data: {
        reporter: WAITER,
        reported: JOINER,
        reason: 'abuse',
        room: 'ta',
        callId: ENDED_CALL,
        at: Timestamp.fromMillis(now),
        expireAt: Timestamp.fromMillis(now + 30 * 24 * HOUR_MS),
      },
      owners: [WAITER, JOINER],
      mine: (uid) => `${CALL}_${uid}`,
      created: (uid) => ({ reporter: uid, reported: uid === WAITER ? JOINER : WAITER, reason: 'x', room: 'ta', callId: CALL }),
      tamper: { reason: 'withdrawn' },
      about: (db, uid) => query(collection(db, 'reports'), where('reported', '==', uid)),
    },
    {
      collection: 'bans',
      id: JOINER,
      data: { until: Timestamp.fromMillis(now + HOUR_MS), expireAt: Timestamp.fromMillis(now + HOUR_MS) },
      owners: [JOINER],
      mine: (uid) => uid,
      created: () => ({ until: Timestamp.fromMillis(now + HOUR_MS), expireAt: Timestamp.fromMillis(now + HOUR_MS) }),
      tamper: { until: Timestamp.fromMillis(0) },
      about: (db) => query(collection(db, 'bans'), where('until', '>', Timestamp.fromMillis(0))),
    },
    {
      collection: 'blocks',
      id: WAITER,
      data: { blocked: [JOINER] },
      owners: [WAITER],
      mine: (uid) => uid,
      created: () => ({ blocked: [STRANGER] }),
      tamper: { blocked: [] },
      about: (db, uid) => query(collection(db, 'blocks'), where('blocked', 'array-contains', uid)),
    },
    {
      collection: 'rateLimits',
      id: `${WAITER}_join`,
      data: { windowStart: Timestamp.fromMillis(now), count: 5, expireAt: Timestamp.fromMillis(now + 2 * 60_000) },
      owners: [WAITER],
      mine: (uid) => `${uid}_join`,
      created: () => ({ windowStart: Timestamp.fromMillis(now), count: 0, expireAt: Timestamp.fromMillis(now + 60_000) }),
      tamper: { count: 0 },
      about: (db) => query(collection(db, 'rateLimits'), where('count', '>=', 0)),
    },
    {
      collection: 'history',
      id: ENDED_CALL,
      data: {
        members: [JOINER, WAITER],
        room: 'ta',
        endedAt: Timestamp.fromMillis(now),
        expireAt: Timestamp.fromMillis(now + HOUR_MS),
      },
      owners: [WAITER, JOINER],
      // A history entry naming oneself. (Not the live call's id: with the
      // Functions emulator running, its onCallDeleted trigger writes
      // history/{callId} whenever a test clears that call away.)
      mine: () => 'mine1',
      created: (uid) => ({ members: [uid, STRANGER], room: 'ta', endedAt: Timestamp.fromMillis(now) }),
      tamper: { members: [WAITER, STRANGER] },
      about: (db, uid) => query(collection(db, 'history'), where('members', 'array-contains', uid)),
    },
  ];
})();

async function seed(): Promise<void> {
  await env.withSecurityRulesDisabled(async (ctx: RulesTestContext) => {
    const db = ctx.firestore() as unknown as Firestore;
    const now = Date.now();
    // Last seen 10 s ago (a heartbeat is due); ROOMMATE's entry is from
    // before heartbeats (no seenAt).
    await setDoc(doc(db, 'queue', WAITER), {
      uid: WAITER,
      room: 'ta',
      callId: 'reserved',
      avoid: [STRANGER],
      seenAt: Timestamp.fromMillis(now - 10_000),
    });
    await setDoc(doc(db, 'queue', ROOMMATE), { uid: ROOMMATE, room: 'ta', callId: 'reserved2' });
    // expireAt is createdAt + 4 h, as join writes it: live for the tests.
    // join creates the call and both mailboxes in one batch.
    await setDoc(doc(db, 'calls', CALL), callDoc(now));
    for (const [from, to] of [
      [WAITER, JOINER],
      [JOINER, WAITER],
    ] as const) {
      await setDoc(doc(db, 'calls', CALL, 'signals', `${from}_${to}`), emptyMailbox(from, to, Timestamp.fromMillis(now)));
    }
    await setDoc(doc(db, 'calls', PRESENCE_CALL), {
      ...callDoc(now),
      [JOINER_SEEN_AT_FIELD]: Timestamp.fromMillis(now - 10_000),
      [WAITER_SEEN_AT_FIELD]: Timestamp.fromMillis(now - 10_000),
    });
    // Created 5 h ago: expired an hour ago, not yet swept.
    await setDoc(doc(db, 'calls', EXPIRED_CALL), callDoc(now - 5 * HOUR_MS));
    for (const c of FUNCTION_ONLY) await setDoc(doc(db, c.collection, c.id), c.data);
    // A call by link as createCall and enterCall leave it: the call, each
    // member's presence, and both mailboxes between every two members.
    await setDoc(doc(db, 'calls', LINK_CALL), {
      kind: 'link',
      members: LINK_MEMBERS,
      capacity: MAX_CALL_MEMBERS,
      creator: WAITER,
      screenIncoming: true,
      screeningChanges: 0,
      createdAt: Timestamp.fromMillis(now),
      expireAt: Timestamp.fromMillis(now + 4 * HOUR_MS),
    });
    for (const uid of LINK_MEMBERS) {
      const at = Timestamp.fromMillis(now);
      // Seen 3 s ago: a heartbeat is due (PRESENCE_MIN_GAP_MS is 2 s), and
      // the lease (20 s) outlasts a test on a busy machine: the emulator's
      // sweeper runs on its schedule, and would remove a member whose lease
      // lapsed mid-test, with their mailboxes (seen: "Null value error").
      await setDoc(doc(db, 'calls', LINK_CALL, 'members', uid), {
        uid,
        kind: 'link',
        joinedAt: at,
        seenAt: Timestamp.fromMillis(now - 3_000),
      });
      for (const to of LINK_MEMBERS.filter((m) => m !== uid)) {
        await setDoc(doc(db, 'calls', LINK_CALL, 'signals', `${uid}_${to}`), emptyMailbox(uid, to, at));
      }
    }
    await updateDoc(doc(db, 'calls', LINK_CALL, 'signals', WORN_MAILBOX), { n: MAX_SIGNAL_WRITES - 1, epoch: 5 });
  });
}

/** A mailbox write as a page makes it: the stored n + 1, the request's time. */
function signalWrite(n: number, fields: { epoch?: unknown; description?: unknown; candidates?: unknown } = {}): DocumentData {
  return { epoch: 0, description: null, candidates: '', ...fields, n, updatedAt: serverTimestamp() };
}

const CANDIDATE_LINE = JSON.stringify({
  candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: null,
});

/** Reads a document as the functions would (Admin SDK: rules do not apply). */
async function readAsFunctions(collectionName: string, id: string): Promise<DocumentData | undefined> {
  let data: DocumentData | undefined;
  await env.withSecurityRulesDisabled(async (ctx: RulesTestContext) => {
    const snap = await getDoc(doc(ctx.firestore() as unknown as Firestore, collectionName, id));
    data = snap.data();
  });
  return data;
}

async function deleteAsFunctions(collectionName: string, id: string): Promise<void> {
  await env.withSecurityRulesDisabled(async (ctx: RulesTestContext) => {
    await deleteDoc(doc(ctx.firestore() as unknown as Firestore, collectionName, id));
  });
}

async function writeAsFunctions(collectionName: string, id: string, data: DocumentData): Promise<void> {
  await env.withSecurityRulesDisabled(async (ctx: RulesTestContext) => {
    await setDoc(doc(ctx.firestore() as unknown as Firestore, collectionName, id), data);
  });
}

/*
 * Rule coverage, as the Firestore emulator reports it at
 * /emulator/v1/projects/{project}:ruleCoverage: the rules' source, and a tree
 * with one node per expression and subexpression (source position; the values
 * it produced, each with a count). A value of {} means "short-circuited" (not
 * evaluated, e.g. the right side of a false &&), {undefined: ...} an error;
 * no values at all, never reached. Counts accumulate from the last time rules
 * were loaded (loading rules, even the same ones, resets them).
 */
interface CoverageNode {
  readonly sourcePosition: {
    readonly line: number;
    readonly column: number;
    readonly currentOffset: number;
    readonly endOffset: number;
  };
  readonly values?: readonly { readonly value?: Record<string, unknown>; readonly count?: number }[];
  readonly children?: readonly CoverageNode[];
}
interface CoverageReport {
  readonly rules?: { readonly files?: readonly { readonly content?: string }[] };
  readonly report?: readonly CoverageNode[];
}

async function fetchCoverage(): Promise<CoverageReport> {
  const { host, port } = EMULATORS.firestore;
  const res = await fetch(`http://${host}:${port}/emulator/v1/projects/${RULES_PROJECT_ID}:ruleCoverage`);
  if (!res.ok) throw new Error(`rule coverage: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as CoverageReport;
}

const nodeKey = (n: CoverageNode): string => `${n.sourcePosition.currentOffset}-${n.sourcePosition.endOffset}`;

/** How many times the expression produced a value or an error (short-circuits do not count). */
function evaluations(n: CoverageNode): number {
  return (n.values ?? []).reduce(
    (sum, v) => sum + (v.value !== undefined && Object.keys(v.value).length > 0 ? (v.count ?? 0) : 0),
    0,
  );
}

function* allNodes(nodes: readonly CoverageNode[]): Generator<CoverageNode> {
  for (const n of nodes) {
    yield n;
    yield* allNodes(n.children ?? []);
  }
}

/** Evaluation counts by expression, to subtract whatever was counted before this file's tests ran. */
function countsOf(report: CoverageReport): Map<string, number> {
  return new Map([...allNodes(report.report ?? [])].map((n) => [nodeKey(n), evaluations(n)]));
}

/**
 * Offsets where the rules' own expressions start: every `allow ...: if <expr>`
 * whose condition is not a bare literal, and every function's `return <expr>`.
 * The report must have a node at each, or it is not describing these rules.
 */
function expressionStarts(rules: string): number[] {
  const starts: number[] = [];
  for (const m of rules.matchAll(/\ballow\s+[a-z, ]+:\s*if\s+/g)) {
    const at = m.index + m[0].length;
    if (!/^(true|false)\s*;/.test(rules.slice(at))) starts.push(at);
  }
  for (const m of rules.matchAll(/\bfunction\s+\w+\([^)]*\)\s*\{\s*return\s+/g)) starts.push(m.index + m[0].length);
  return starts;
}

describe('firestore.rules', () => {
  const rules = readFileSync(join(ROOT, 'firestore.rules'), 'utf8');
  /** Coverage counts right after loading the rules (or why they could not be read). */
  let baseline: Map<string, number> | Error;
  before(async () => {
    env = await initializeTestEnvironment({
      projectId: RULES_PROJECT_ID,
      firestore: { host: EMULATORS.firestore.host, port: EMULATORS.firestore.port, rules },
    });
    baseline = await fetchCoverage().then(countsOf, (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  });
  beforeEach(async () => {
    await env.clearFirestore();
    await seed();
  });
  after(async () => {
    await env.cleanup();
  });

  describe('queue/{uid}', () => {
    it("denies unauthenticated reads, reading another person's entry, and listing", async () => {
      await denied(getDoc(doc(unauthenticated(), 'queue', WAITER)));
      await denied(getDoc(doc(as(STRANGER), 'queue', WAITER)));
      await denied(getDocs(collection(as(WAITER), 'queue')));
    });
    it("denies every client write but the owner's heartbeat: creating, deleting, changing what matching decides", async () => {
      await denied(setDoc(doc(as(STRANGER), 'queue', STRANGER), { room: 'ta' }));
      await denied(setDoc(doc(as(STRANGER), 'queue', STRANGER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { room: 'hi' }));
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { seenAt: serverTimestamp(), leaseExpiresAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { seenAt: serverTimestamp(), blocked: [] }));
      // The avoid list comes only through join, validated and bounded.
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { avoid: [] }));
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { seenAt: serverTimestamp(), avoid: [ROOMMATE] }));
      await denied(updateDoc(doc(as(ROOMMATE), 'queue', ROOMMATE), { avoid: Array.from({ length: 50 }, (_, i) => `u${i}`) }));
      await denied(deleteDoc(doc(as(WAITER), 'queue', WAITER)));
    });
    it("denies a heartbeat on someone else's entry, with a made-up time, too soon after the last, or on no entry", async () => {
      await denied(updateDoc(doc(unauthenticated(), 'queue', WAITER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(ROOMMATE), 'queue', WAITER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { seenAt: Timestamp.fromMillis(Date.now() + HOUR_MS) }));
      await denied(updateDoc(doc(as(STRANGER), 'queue', STRANGER), { seenAt: serverTimestamp() }));
      await allowed(updateDoc(doc(as(WAITER), 'queue', WAITER), { seenAt: serverTimestamp() }));
      // Beats are at least PRESENCE_MIN_GAP_MS apart: a page cannot write its entry in a loop.
      await denied(updateDoc(doc(as(WAITER), 'queue', WAITER), { seenAt: serverTimestamp() }));
    });
    it('allows the owner its heartbeat (seenAt = request time), also on an entry from before heartbeats', async () => {
      await allowed(updateDoc(doc(as(ROOMMATE), 'queue', ROOMMATE), { seenAt: serverTimestamp() }));
      const after = await readAsFunctions('queue', ROOMMATE);
      assert.ok(after?.['seenAt'] instanceof Timestamp);
      assert.equal(after?.['room'], 'ta', 'nothing else changed');
    });
    it('denies even the owner reading their own entry (it holds their blocked list)', async () => {
      await denied(getDoc(doc(as(WAITER), 'queue', WAITER)));
    });
  });

  describe('calls/{callId}: a random call', () => {
    const call = (db: Firestore) => doc(db, 'calls', CALL);
    it('denies reading a call to the unauthenticated, strangers and others in the same room', async () => {
      await denied(getDoc(call(unauthenticated())));
      await denied(getDoc(call(as(STRANGER))));
      await denied(getDoc(call(as(ROOMMATE))));
    });
    it('denies listing calls, even to its members', async () => {
      await denied(getDocs(collection(as(WAITER), 'calls')));
      await denied(getDocs(query(collection(as(WAITER), 'calls'), where('members', 'array-contains', WAITER))));
    });
    it('denies creating or deleting calls from a client', async () => {
      await denied(setDoc(doc(as(STRANGER), 'calls', 'mine'), { kind: 'random', members: [STRANGER, WAITER], room: 'ta' }));
      await denied(deleteDoc(call(as(WAITER))));
      await denied(deleteDoc(call(as(JOINER))));
    });
    it("denies every update but a member's own connection record: no answer, offer, members or expireAt on the call", async () => {
      const before = await readAsFunctions('calls', CALL);
      // Descriptions go into the mailboxes; nobody writes what the functions decide.
      await denied(updateDoc(call(as(JOINER)), { answer: ANSWER }));
      await denied(updateDoc(call(as(WAITER)), { answer: ANSWER }));
      await denied(updateDoc(call(as(STRANGER)), { answer: ANSWER }));
      await denied(updateDoc(call(as(JOINER)), { offer: OFFER }));
      await denied(updateDoc(call(as(JOINER)), { members: [JOINER, STRANGER] }));
      await denied(updateDoc(call(as(WAITER)), { members: [STRANGER, WAITER] }));
      await denied(updateDoc(call(as(ROOMMATE)), { members: [WAITER, JOINER, ROOMMATE] }));
      await denied(updateDoc(call(as(WAITER)), { expireAt: Timestamp.fromMillis(Date.now() + 48 * HOUR_MS) }));
      await denied(updateDoc(call(as(WAITER)), { kind: 'link' }));
      await denied(setDoc(call(as(JOINER)), { ...callDoc(Date.now()), members: [JOINER, STRANGER] }));
      const stored = await readAsFunctions('calls', CALL);
      assert.deepEqual(stored, before, 'the call is as join wrote it');
      assert.deepEqual(Object.keys(stored ?? {}).sort(), Object.keys(callDoc(0)).sort());
      assert.deepEqual(stored?.['members'], [JOINER, WAITER]);
    });
    it("denies the record that a link connected for someone else (no side makes up the other's), dated otherwise, twice, or with more", async () => {
      const record = (db: Firestore, uid: string, at: unknown = serverTimestamp()) =>
        updateDoc(call(db), new FieldPath(CONNECTED_AT_FIELD, uid), at);
      await denied(record(unauthenticated(), WAITER));
      await denied(record(as(STRANGER), STRANGER));
      await denied(record(as(ROOMMATE), ROOMMATE));
      // The point 6: a reporter must not be able to record the reported person's connection.
      await denied(record(as(JOINER), WAITER));
      await denied(
        updateDoc(call(as(JOINER)), { [CONNECTED_AT_FIELD]: { [JOINER]: serverTimestamp(), [WAITER]: serverTimestamp() } }),
      );
      await denied(record(as(JOINER), JOINER, Timestamp.fromMillis(Date.now() - 60_000)));
      await denied(record(as(JOINER), JOINER, Timestamp.fromMillis(Date.now() + HOUR_MS)));
      await denied(record(as(JOINER), JOINER, true));
      await denied(updateDoc(call(as(JOINER)), { [CONNECTED_AT_FIELD]: 1 }));
      await denied(updateDoc(call(as(JOINER)), new FieldPath(CONNECTED_AT_FIELD, JOINER), serverTimestamp(), 'room', 'hi'));
      await allowed(record(as(WAITER), WAITER));
      const first = (await readAsFunctions('calls', CALL))?.[CONNECTED_AT_FIELD] as Record<string, Timestamp>;
      // Once per call: neither redated nor removed afterwards, and the other's stays.
      await denied(record(as(WAITER), WAITER));
      await denied(record(as(WAITER), WAITER, deleteField()));
      await denied(updateDoc(call(as(JOINER)), { [CONNECTED_AT_FIELD]: { [JOINER]: serverTimestamp() } }));
      const after = (await readAsFunctions('calls', CALL))?.[CONNECTED_AT_FIELD] as Record<string, Timestamp>;
      assert.deepEqual(Object.keys(after), [WAITER]);
      assert.ok(after[WAITER]!.isEqual(first[WAITER]!), 'the first record stands');
      // Calls by link are not moderated: no record there.
      await denied(updateDoc(doc(as(MEMBER), 'calls', LINK_CALL), new FieldPath(CONNECTED_AT_FIELD, MEMBER), serverTimestamp()));
    });
    it('allows each member to record once that its link connected (connectedAt.<uid> = the request time), nothing else changing', async () => {
      const startedAt = Date.now();
      await allowed(updateDoc(call(as(JOINER)), new FieldPath(CONNECTED_AT_FIELD, JOINER), serverTimestamp()));
      await allowed(updateDoc(call(as(WAITER)), new FieldPath(CONNECTED_AT_FIELD, WAITER), serverTimestamp()));
      const stored = await readAsFunctions('calls', CALL);
      const records = stored?.[CONNECTED_AT_FIELD] as Record<string, Timestamp>;
      assert.deepEqual(Object.keys(records).sort(), [JOINER, WAITER].sort());
      for (const at of Object.values(records)) {
        const ms = at.toMillis() - startedAt;
        assert.ok(ms >= -5_000 && ms <= 60_000, `recorded at the request time (${ms} ms)`);
      }
      assert.deepEqual(Object.keys(stored ?? {}).sort(), [...Object.keys(callDoc(0)), CONNECTED_AT_FIELD].sort());
      assert.deepEqual([stored?.['kind'], stored?.['members'], stored?.['room']], ['random', [JOINER, WAITER], 'ta']);
    });
    it("denies a beat of presence on the call: someone else's field, a made-up time, with more, too soon, or where join kept presence in a document", async () => {
      const presenceCall = (db: Firestore) => doc(db, 'calls', PRESENCE_CALL);
      const beat = (db: Firestore, field: string, at: unknown = serverTimestamp()) =>
        updateDoc(presenceCall(db), { [field]: at });
      const before = await readAsFunctions('calls', PRESENCE_CALL);
      await denied(beat(unauthenticated(), JOINER_SEEN_AT_FIELD));
      await denied(beat(as(STRANGER), JOINER_SEEN_AT_FIELD));
      await denied(beat(as(ROOMMATE), WAITER_SEEN_AT_FIELD));
      // Nobody keeps the other alive: each role's field is its member's alone.
      await denied(beat(as(JOINER), WAITER_SEEN_AT_FIELD));
      await denied(beat(as(WAITER), JOINER_SEEN_AT_FIELD));
      await denied(
        updateDoc(presenceCall(as(JOINER)), {
          [JOINER_SEEN_AT_FIELD]: serverTimestamp(),
          [WAITER_SEEN_AT_FIELD]: serverTimestamp(),
        }),
      );
      await denied(beat(as(JOINER), JOINER_SEEN_AT_FIELD, Timestamp.fromMillis(Date.now() + HOUR_MS)));
      await denied(beat(as(WAITER), WAITER_SEEN_AT_FIELD, Timestamp.fromMillis(Date.now() - 1_000)));
      await denied(beat(as(WAITER), WAITER_SEEN_AT_FIELD, deleteField()));
      await denied(updateDoc(presenceCall(as(JOINER)), { [JOINER_SEEN_AT_FIELD]: serverTimestamp(), room: 'hi' }));
      assert.deepEqual(await readAsFunctions('calls', PRESENCE_CALL), before, 'nothing was written');
      // A call whose presence join kept in documents (a page that did not ask): no field to start.
      await denied(updateDoc(call(as(JOINER)), { [JOINER_SEEN_AT_FIELD]: serverTimestamp() }));
      await denied(updateDoc(call(as(WAITER)), { [WAITER_SEEN_AT_FIELD]: serverTimestamp() }));
      // A call by link has members' presence documents; none on its document.
      await denied(updateDoc(doc(as(WAITER), 'calls', LINK_CALL), { [WAITER_SEEN_AT_FIELD]: serverTimestamp() }));
      await denied(updateDoc(doc(as(WAITER), 'calls', LINK_CALL), { [JOINER_SEEN_AT_FIELD]: serverTimestamp() }));
      // Beats are at least PRESENCE_MIN_GAP_MS apart.
      await allowed(beat(as(JOINER), JOINER_SEEN_AT_FIELD));
      await denied(beat(as(JOINER), JOINER_SEEN_AT_FIELD));
    });
    it('allows each member to beat its own presence on the call (its role field = the request time), nothing else changing', async () => {
      const presenceCall = (db: Firestore) => doc(db, 'calls', PRESENCE_CALL);
      const before = await readAsFunctions('calls', PRESENCE_CALL);
      const startedAt = Date.now();
      await allowed(updateDoc(presenceCall(as(JOINER)), { [JOINER_SEEN_AT_FIELD]: serverTimestamp() }));
      await allowed(updateDoc(presenceCall(as(WAITER)), { [WAITER_SEEN_AT_FIELD]: serverTimestamp() }));
      const stored = await readAsFunctions('calls', PRESENCE_CALL);
      for (const field of [JOINER_SEEN_AT_FIELD, WAITER_SEEN_AT_FIELD]) {
        const ms = (stored?.[field] as Timestamp).toMillis() - startedAt;
        assert.ok(ms >= -5_000 && ms <= 60_000, `${field} is the request time (${ms} ms)`);
      }
      const rest = (d: DocumentData | undefined) =>
        Object.fromEntries(Object.entries(d ?? {}).filter(([k]) => k !== JOINER_SEEN_AT_FIELD && k !== WAITER_SEEN_AT_FIELD));
      assert.deepEqual(rest(stored), rest(before), 'only the two beats changed');
      // The connection record is a separate write, allowed beside presence on the call.
      await allowed(updateDoc(presenceCall(as(WAITER)), new FieldPath(CONNECTED_AT_FIELD, WAITER), serverTimestamp()));
    });
    it('allows the two members to read it: who the other is (members), room, no SDP', async () => {
      const byJoiner = await allowed(getDoc(call(as(JOINER))));
      assert.deepEqual(byJoiner.get('members'), [JOINER, WAITER], "the joiner learns the waiter's uid from the call");
      assert.equal(byJoiner.get('offer'), undefined);
      const byWaiter = await allowed(getDoc(call(as(WAITER))));
      assert.deepEqual(byWaiter.get('members'), [JOINER, WAITER], "the waiter learns the joiner's uid from the call");
    });
    it('allows a signed-in user to wait on a call id that does not exist yet (and reveals nothing)', async () => {
      const snap = await allowed(getDoc(doc(as(WAITER), 'calls', 'reserved')));
      assert.equal(snap.exists(), false);
      await denied(getDoc(doc(unauthenticated(), 'calls', 'reserved')));
    });
  });

  describe('expired calls (expireAt passed, not yet swept)', () => {
    it('still denies strangers reading an expired call', async () => {
      await denied(getDoc(doc(as(STRANGER), 'calls', EXPIRED_CALL)));
    });
    it('keeps reads: members may still read an expired call (by choice: nothing new, and it is swept soon)', async () => {
      const call = await allowed(getDoc(doc(as(WAITER), 'calls', EXPIRED_CALL)));
      assert.deepEqual(call.get('members'), [JOINER, WAITER]);
      await allowed(getDoc(doc(as(JOINER), 'calls', EXPIRED_CALL)));
    });
  });

  describe('calls/{callId}/signals/{from}_{to}: mailboxes of a random call', () => {
    const mailbox = (db: Firestore, id: string) => doc(db, 'calls', CALL, 'signals', id);
    const signals = (db: Firestore) => collection(db, 'calls', CALL, 'signals');
    const WAITER_TO_JOINER = `${WAITER}_${JOINER}`;
    const JOINER_TO_WAITER = `${JOINER}_${WAITER}`;
    /**
     * The joiner's first write as it creates its own mailbox (a joiner whose
     * join made only the waiter's): its answer, with the call's expireAt.
     */
    const firstWrite = (expireAt: Timestamp, fields: DocumentData = {}): DocumentData => ({
      from: JOINER,
      to: WAITER,
      epoch: 1,
      description: ANSWER,
      candidates: '',
      n: 1,
      updatedAt: serverTimestamp(),
      expireAt,
      ...fields,
    });
    /** A call's expireAt as the functions wrote it. */
    const callExpireAt = async (callId = CALL): Promise<Timestamp> =>
      (await readAsFunctions('calls', callId))?.['expireAt'] as Timestamp;

    it('denies the unauthenticated, strangers and others in the same room every read', async () => {
      for (const db of [unauthenticated(), as(STRANGER), as(ROOMMATE)]) {
        await denied(getDoc(mailbox(db, WAITER_TO_JOINER)));
        await denied(getDoc(mailbox(db, JOINER_TO_WAITER)));
        await denied(getDocs(signals(db)));
        await denied(getDocs(query(signals(db), where('to', '==', WAITER))));
        await denied(getDocs(query(signals(db), where('from', '==', JOINER))));
      }
    });
    it("lets someone else in the room run the listener's own query, which finds nothing addressed to it", async () => {
      const snap = await allowed(getDocs(query(signals(as(ROOMMATE)), where('to', '==', ROOMMATE))));
      assert.equal(snap.size, 0);
    });
    it('denies writes by anyone but from: the addressee, someone in the room, a stranger', async () => {
      await denied(updateDoc(mailbox(as(WAITER), JOINER_TO_WAITER), signalWrite(1, { epoch: 1, description: ANSWER })));
      await denied(updateDoc(mailbox(as(JOINER), WAITER_TO_JOINER), signalWrite(1)));
      await denied(updateDoc(mailbox(as(ROOMMATE), JOINER_TO_WAITER), signalWrite(1, { epoch: 1, description: ANSWER })));
      await denied(updateDoc(mailbox(as(STRANGER), WAITER_TO_JOINER), signalWrite(1)));
      await denied(updateDoc(mailbox(unauthenticated(), WAITER_TO_JOINER), signalWrite(1)));
    });
    it('denies creating or deleting a mailbox: no third mailbox, no recreating one join did not make', async () => {
      await denied(setDoc(mailbox(as(ROOMMATE), `${ROOMMATE}_${WAITER}`), { from: ROOMMATE, to: WAITER, ...signalWrite(0) }));
      await denied(deleteDoc(mailbox(as(WAITER), WAITER_TO_JOINER)));
      await denied(deleteDoc(mailbox(as(WAITER), JOINER_TO_WAITER)));
      await deleteAsFunctions(`calls/${CALL}/signals`, WAITER_TO_JOINER);
      await denied(setDoc(mailbox(as(WAITER), WAITER_TO_JOINER), { from: WAITER, to: JOINER, ...signalWrite(0) }));
      await denied(updateDoc(mailbox(as(WAITER), WAITER_TO_JOINER), signalWrite(1)));
    });
    it("denies creating the joiner's mailbox to all but the joiner, under another id, malformed, or where there is no live random call", async () => {
      const expireAt = await callExpireAt();
      // Where join made it (for a page of an earlier release), the create is an update, and expireAt is not the sender's to add.
      await denied(setDoc(mailbox(as(JOINER), JOINER_TO_WAITER), firstWrite(expireAt)));
      await deleteAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER);
      await deleteAsFunctions(`calls/${CALL}/signals`, WAITER_TO_JOINER);
      const create = (db: Firestore, box: DocumentData, id = JOINER_TO_WAITER) => setDoc(mailbox(db, id), box);
      // Nobody but the joiner (the call's members[0]), for it or for themself.
      await denied(create(unauthenticated(), firstWrite(expireAt)));
      await denied(create(as(STRANGER), firstWrite(expireAt)));
      await denied(create(as(STRANGER), firstWrite(expireAt, { from: STRANGER }), `${STRANGER}_${WAITER}`));
      await denied(create(as(ROOMMATE), firstWrite(expireAt, { from: ROOMMATE }), `${ROOMMATE}_${WAITER}`));
      await denied(create(as(WAITER), firstWrite(expireAt)));
      await denied(
        create(as(WAITER), firstWrite(expireAt, { from: WAITER, to: JOINER, epoch: 0, description: null }), WAITER_TO_JOINER),
      );
      // The joiner: from itself, to the waiter, under {from}_{to}.
      await denied(create(as(JOINER), firstWrite(expireAt, { from: WAITER })));
      await denied(create(as(JOINER), firstWrite(expireAt, { to: STRANGER }), `${JOINER}_${STRANGER}`));
      await denied(create(as(JOINER), firstWrite(expireAt, { to: JOINER }), `${JOINER}_${JOINER}`));
      await denied(create(as(JOINER), firstWrite(expireAt), WAITER_TO_JOINER));
      await denied(create(as(JOINER), firstWrite(expireAt), `${JOINER_TO_WAITER}2`));
      // Every key of a mailbox, and no other.
      for (const key of ['from', 'to', 'epoch', 'description', 'candidates', 'n', 'updatedAt', 'expireAt']) {
        await denied(create(as(JOINER), Object.fromEntries(Object.entries(firstWrite(expireAt)).filter(([k]) => k !== key))));
      }
      await denied(create(as(JOINER), firstWrite(expireAt, { extra: true })));
      await denied(create(as(JOINER), firstWrite(expireAt, { kind: 'random' })));
      // The call's expireAt exactly: TTL takes the mailbox with the call at the latest.
      for (const other of [expireAt.toMillis() + 1, expireAt.toMillis() - 1, Date.now() + 30 * 24 * HOUR_MS]) {
        await denied(create(as(JOINER), firstWrite(expireAt, { expireAt: Timestamp.fromMillis(other) })));
      }
      await denied(create(as(JOINER), firstWrite(expireAt, { expireAt: null })));
      // A first write: n 1, epoch 0 or 1, an answer or nothing, no previous.
      await denied(create(as(JOINER), firstWrite(expireAt, { n: 0 })));
      await denied(create(as(JOINER), firstWrite(expireAt, { n: 2 })));
      for (const epoch of [2, -1, 0.5, '1']) await denied(create(as(JOINER), firstWrite(expireAt, { epoch })));
      for (const description of [
        OFFER,
        'v=0',
        { type: 'answer' },
        { ...ANSWER, extra: 1 },
        { type: 'answer', sdp: '' },
        { type: 'answer', sdp: 'x'.repeat(MAX_SIGNAL_SDP + 1) },
      ]) {
        await denied(create(as(JOINER), firstWrite(expireAt, { description })));
      }
      await denied(create(as(JOINER), firstWrite(expireAt, { previous: { epoch: 0, ...OFFER } })));
      await denied(create(as(JOINER), firstWrite(expireAt, { previous: 'an offer' })));
      await denied(create(as(JOINER), firstWrite(expireAt, { candidates: [CANDIDATE_LINE] })));
      await denied(create(as(JOINER), firstWrite(expireAt, { candidates: null })));
      await denied(create(as(JOINER), firstWrite(expireAt, { candidates: 'x'.repeat(MAX_SIGNAL_CANDIDATES + 1) })));
      await denied(create(as(JOINER), firstWrite(expireAt, { updatedAt: Timestamp.fromMillis(0) })));
      await denied(create(as(JOINER), firstWrite(expireAt, { updatedAt: Timestamp.fromMillis(Date.now()) })));
      for (const tag of [{ link: 'UPPER!' }, { link: '' }, { link: 'x'.repeat(17) }, { peer: 'Ab' }, { peer: null }]) {
        await denied(create(as(JOINER), firstWrite(expireAt, tag)));
      }
      assert.equal(await readAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER), undefined, 'nothing was created');
      assert.equal(await readAsFunctions(`calls/${CALL}/signals`, WAITER_TO_JOINER), undefined);
      // Not in a call by link, not even by its first member to its second (the functions make those mailboxes).
      const linkExpireAt = await callExpireAt(LINK_CALL);
      const linkMailbox = (db: Firestore, id: string) => doc(db, 'calls', LINK_CALL, 'signals', id);
      for (const [from, to] of [
        [WAITER, JOINER],
        [MEMBER, WAITER],
      ] as const) {
        await deleteAsFunctions(`calls/${LINK_CALL}/signals`, `${from}_${to}`);
        await denied(setDoc(linkMailbox(as(from), `${from}_${to}`), firstWrite(linkExpireAt, { from, to })));
      }
      // Not in a call that does not exist, nor once the functions deleted the call.
      await denied(setDoc(doc(as(JOINER), 'calls', 'nocall', 'signals', JOINER_TO_WAITER), firstWrite(expireAt)));
      await deleteAsFunctions('calls', CALL);
      await denied(create(as(JOINER), firstWrite(expireAt)));
      await denied(create(as(JOINER), firstWrite(expireAt, { epoch: 0, description: null })));
      assert.equal(await readAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER), undefined, 'no mailbox outlives its call');
    });
    it('denies malformed writes exactly as for a call by link', async () => {
      const own = mailbox(as(JOINER), JOINER_TO_WAITER);
      await denied(updateDoc(own, signalWrite(2, { epoch: 1, description: ANSWER })));
      await denied(updateDoc(own, signalWrite(1, { epoch: 2, description: ANSWER })));
      await denied(
        updateDoc(own, signalWrite(1, { epoch: 1, description: { type: 'answer', sdp: 'x'.repeat(MAX_SIGNAL_SDP + 1) } })),
      );
      await denied(updateDoc(own, { ...signalWrite(1, { epoch: 1, description: ANSWER }), to: ROOMMATE }));
      await denied(updateDoc(own, { ...signalWrite(1, { epoch: 1, description: ANSWER }), updatedAt: Timestamp.fromMillis(0) }));
    });
    it('takes the description before the latest only as {epoch: latest - 1, type, sdp}, bounded like a description', async () => {
      const own = mailbox(as(JOINER), JOINER_TO_WAITER);
      await allowed(updateDoc(own, { ...signalWrite(1, { epoch: 1, description: ANSWER }), previous: null }));
      // The next write: an offer of its own right after that answer.
      const withPrevious = (previous: unknown) => ({ ...signalWrite(2, { epoch: 2, description: OFFER }), previous });
      await denied(updateDoc(own, withPrevious('an answer')));
      await denied(updateDoc(own, withPrevious({ epoch: 1, type: 'answer' })));
      await denied(updateDoc(own, withPrevious({ epoch: 1, ...ANSWER, extra: true })));
      await denied(updateDoc(own, withPrevious({ epoch: 2, ...ANSWER })));
      await denied(updateDoc(own, withPrevious({ epoch: 1, type: 'pranswer', sdp: ANSWER.sdp })));
      await denied(updateDoc(own, withPrevious({ epoch: 1, type: 'answer', sdp: 42 })));
      await denied(updateDoc(own, withPrevious({ epoch: 1, type: 'answer', sdp: '' })));
      await denied(updateDoc(own, withPrevious({ epoch: 1, type: 'answer', sdp: 'x'.repeat(MAX_SIGNAL_SDP + 1) })));
      // The answer stays readable beside the offer; an offer before an answer too.
      await allowed(updateDoc(own, withPrevious({ epoch: 1, ...ANSWER })));
      await allowed(updateDoc(own, { ...signalWrite(3, { epoch: 3, description: ANSWER }), previous: { epoch: 2, ...OFFER } }));
    });
    it('allows each member exactly its two mailboxes: its inbox by where(to == itself), its outbox by id', async () => {
      const waiterInbox = await allowed(getDocs(query(signals(as(WAITER)), where('to', '==', WAITER))));
      assert.deepEqual(
        waiterInbox.docs.map((d) => d.id),
        [JOINER_TO_WAITER],
      );
      const joinerInbox = await allowed(getDocs(query(signals(as(JOINER)), where('to', '==', JOINER))));
      assert.deepEqual(
        joinerInbox.docs.map((d) => d.id),
        [WAITER_TO_JOINER],
      );
      for (const uid of [WAITER, JOINER]) {
        await allowed(getDoc(mailbox(as(uid), WAITER_TO_JOINER)));
        await allowed(getDoc(mailbox(as(uid), JOINER_TO_WAITER)));
      }
    });
    it('allows the joiner its answer and candidates, the waiter its candidates, then either a new offer (ICE restart)', async () => {
      const candidates = `${CANDIDATE_LINE}\n`;
      // The joiner answers the offer it got from join, then trickles.
      await allowed(updateDoc(mailbox(as(JOINER), JOINER_TO_WAITER), signalWrite(1, { epoch: 1, description: ANSWER })));
      await allowed(
        updateDoc(mailbox(as(JOINER), JOINER_TO_WAITER), signalWrite(2, { epoch: 1, description: ANSWER, candidates })),
      );
      // The waiter's offer went with its queue entry: its mailbox carries its candidates only.
      await allowed(updateDoc(mailbox(as(WAITER), WAITER_TO_JOINER), signalWrite(1, { candidates })));
      // Either side renegotiates later: a new description under a new epoch.
      await allowed(
        updateDoc(mailbox(as(WAITER), WAITER_TO_JOINER), signalWrite(2, { epoch: 2, description: OFFER, candidates })),
      );
      await allowed(
        updateDoc(mailbox(as(JOINER), JOINER_TO_WAITER), signalWrite(3, { epoch: 3, description: ANSWER, candidates })),
      );
      const atWaiter = await allowed(getDocs(query(signals(as(WAITER)), where('to', '==', WAITER))));
      assert.deepEqual(
        atWaiter.docs.map((d) => [d.get('from'), d.get('epoch'), d.get('n'), d.get('description')]),
        [[JOINER, 3, 3, ANSWER]],
      );
      const atJoiner = await allowed(getDoc(mailbox(as(JOINER), WAITER_TO_JOINER)));
      assert.deepEqual(atJoiner.get('description'), OFFER);
    });
    it("allows the joiner to create its own mailbox with its answer (the call's expireAt), shown in the waiter's inbox; its next writes are updates", async () => {
      const expireAt = await callExpireAt();
      await deleteAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER);
      const own = mailbox(as(JOINER), JOINER_TO_WAITER);
      await allowed(setDoc(own, firstWrite(expireAt, { link: 'aaaa', peer: '' })));
      const stored = await readAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER);
      assert.deepEqual(
        ['from', 'to', 'epoch', 'description', 'candidates', 'n', 'link', 'peer'].map((k) => stored?.[k]),
        [JOINER, WAITER, 1, ANSWER, '', 1, 'aaaa', ''],
      );
      assert.ok((stored?.['expireAt'] as Timestamp).isEqual(expireAt), 'TTL takes it with the call at the latest');
      assert.ok(stored?.['updatedAt'] instanceof Timestamp);
      const atWaiter = await allowed(getDocs(query(signals(as(WAITER)), where('to', '==', WAITER))));
      assert.deepEqual(
        atWaiter.docs.map((d) => [d.id, d.get('from'), d.get('n'), d.get('description')]),
        [[JOINER_TO_WAITER, JOINER, 1, ANSWER]],
      );
      // No second first write: on an existing mailbox it is an update, whose n must be the stored n + 1.
      await denied(setDoc(own, firstWrite(expireAt, { link: 'aaaa', peer: '' })));
      // The next write is an ordinary one, trickling candidates; expireAt stays.
      const candidates = `${CANDIDATE_LINE}\n`;
      await allowed(updateDoc(own, signalWrite(2, { epoch: 1, description: ANSWER, candidates })));
      const after = await readAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER);
      assert.deepEqual([after?.['n'], after?.['candidates'], after?.['link']], [2, candidates, 'aaaa']);
      assert.ok((after?.['expireAt'] as Timestamp).isEqual(expireAt));
      await denied(setDoc(own, firstWrite(expireAt)));
      // The waiter's mailbox (join made it) is written as ever.
      await allowed(updateDoc(mailbox(as(WAITER), WAITER_TO_JOINER), signalWrite(1, { candidates })));
      const atJoiner = await allowed(getDocs(query(signals(as(JOINER)), where('to', '==', JOINER))));
      assert.deepEqual(
        atJoiner.docs.map((d) => d.id),
        [WAITER_TO_JOINER],
      );
    });
    it('allows the first write that creates it to be a probe (epoch 0, no description), with candidates up to the limit', async () => {
      const expireAt = await callExpireAt();
      await deleteAsFunctions(`calls/${CALL}/signals`, JOINER_TO_WAITER);
      const own = mailbox(as(JOINER), JOINER_TO_WAITER);
      await allowed(
        setDoc(
          own,
          firstWrite(expireAt, { epoch: 0, description: null, previous: null, candidates: 'x'.repeat(MAX_SIGNAL_CANDIDATES) }),
        ),
      );
      const read = await allowed(getDoc(mailbox(as(WAITER), JOINER_TO_WAITER)));
      assert.deepEqual([read.get('epoch'), read.get('description'), read.get('n')], [0, null, 1]);
      // Its answer follows as an update.
      await allowed(updateDoc(own, signalWrite(2, { epoch: 1, description: ANSWER })));
    });
  });

  describe('calls/{callId}: a call by link', () => {
    const call = (db: Firestore) => doc(db, 'calls', LINK_CALL);
    it('denies the unauthenticated and non-members reading a call by link', async () => {
      await denied(getDoc(call(unauthenticated())));
      await denied(getDoc(call(as(STRANGER))));
      await denied(getDoc(call(as(ROOMMATE))));
      await denied(getDocs(query(collection(as(STRANGER), 'calls'), where('members', 'array-contains', STRANGER))));
    });
    it('denies members listing calls, even their own', async () => {
      await denied(getDocs(collection(as(WAITER), 'calls')));
      await denied(getDocs(query(collection(as(WAITER), 'calls'), where('members', 'array-contains', WAITER))));
    });
    it('denies every client write: no member changes the members, nobody adds themself, creates or deletes', async () => {
      await denied(updateDoc(call(as(WAITER)), { members: [WAITER] }));
      await denied(updateDoc(call(as(MEMBER)), { capacity: 50 }));
      await denied(updateDoc(call(as(STRANGER)), { members: [...LINK_MEMBERS, STRANGER] }));
      await denied(updateDoc(call(as(JOINER)), { answer: ANSWER, answeredAt: serverTimestamp() }));
      await denied(deleteDoc(call(as(WAITER))));
      await denied(
        setDoc(doc(as(STRANGER), 'calls', 'Mine0123456789abcdefAB'), { kind: 'link', members: [STRANGER], capacity: 5 }),
      );
      assert.deepEqual((await readAsFunctions('calls', LINK_CALL))?.['members'], LINK_MEMBERS);
    });
    it('denies turning screening of incoming video on or off to all but its creator while a member, and anything else with it', async () => {
      const turn = (db: Firestore, on: boolean, changes: number, more: DocumentData = {}) =>
        updateDoc(call(db), { screenIncoming: on, screeningChanges: changes, ...more });
      // Not the creator: the other members, a stranger, the unauthenticated.
      await denied(turn(as(JOINER), false, 1));
      await denied(turn(as(MEMBER), false, 1));
      await denied(turn(as(STRANGER), false, 1));
      await denied(turn(unauthenticated(), false, 1));
      // The creator, but not a well-formed change: uncounted, counted wrong, not a flip, not a boolean, more fields.
      await denied(updateDoc(call(as(WAITER)), { screenIncoming: false }));
      await denied(turn(as(WAITER), false, 0));
      await denied(turn(as(WAITER), false, 2));
      await denied(turn(as(WAITER), true, 1));
      await denied(turn(as(WAITER), 'off' as unknown as boolean, 1));
      await denied(turn(as(WAITER), false, 1, { creator: JOINER }));
      await denied(turn(as(WAITER), false, 1, { members: [WAITER, JOINER] }));
      await denied(turn(as(WAITER), false, 1, { capacity: MAX_CALL_MEMBERS + 1 }));
      // Nobody becomes the creator.
      await denied(updateDoc(call(as(JOINER)), { creator: JOINER }));
      // Not in a random call: it has no creator, and its members cannot turn anything off.
      await denied(updateDoc(doc(as(WAITER), 'calls', CALL), { screenIncoming: false, screeningChanges: 1 }));
      assert.equal((await readAsFunctions('calls', LINK_CALL))?.['screenIncoming'], true);
    });
    it(`allows the creator to turn it off and on again, each change counted, up to MAX_SCREENING_CHANGES (${MAX_SCREENING_CHANGES})`, async () => {
      await allowed(updateDoc(call(as(WAITER)), { screenIncoming: false, screeningChanges: 1 }));
      await allowed(updateDoc(call(as(WAITER)), { screenIncoming: true, screeningChanges: 2 }));
      const stored = await readAsFunctions('calls', LINK_CALL);
      assert.equal(stored?.['screenIncoming'], true);
      assert.equal(stored?.['screeningChanges'], 2);
      // One change short of the limit: the last one allowed, the one after refused.
      await writeAsFunctions('calls', LINK_CALL, {
        ...stored,
        screenIncoming: true,
        screeningChanges: MAX_SCREENING_CHANGES - 1,
      });
      await allowed(updateDoc(call(as(WAITER)), { screenIncoming: false, screeningChanges: MAX_SCREENING_CHANGES }));
      await denied(updateDoc(call(as(WAITER)), { screenIncoming: true, screeningChanges: MAX_SCREENING_CHANGES + 1 }));
      // A creator who is no longer a member changes nothing.
      await writeAsFunctions('calls', LINK_CALL, { ...stored, members: [JOINER, MEMBER], screeningChanges: 2 });
      await denied(updateDoc(call(as(WAITER)), { screenIncoming: false, screeningChanges: 3 }));
    });
    it('allows each member to get the call (members in entry order, capacity)', async () => {
      for (const uid of LINK_MEMBERS) {
        const snap = await allowed(getDoc(call(as(uid))));
        assert.deepEqual(snap.get('members'), LINK_MEMBERS);
        assert.equal(snap.get('capacity'), MAX_CALL_MEMBERS);
      }
    });
  });

  describe('calls/{callId}/members/{uid}: presence in a call (by link here; random calls have the same rule)', () => {
    const presence = (db: Firestore, uid: string) => doc(db, 'calls', LINK_CALL, 'members', uid);
    it('denies every read: the unauthenticated, strangers, other members and the member itself', async () => {
      await denied(getDoc(presence(unauthenticated(), WAITER)));
      await denied(getDoc(presence(as(STRANGER), WAITER)));
      await denied(getDoc(presence(as(JOINER), WAITER)));
      await denied(getDoc(presence(as(WAITER), WAITER)));
      await denied(getDocs(collection(as(WAITER), 'calls', LINK_CALL, 'members')));
    });
    it("denies creating or deleting presence: a stranger adding itself, a member deleting its own or another's", async () => {
      const now = Timestamp.now();
      await denied(setDoc(presence(as(STRANGER), STRANGER), { uid: STRANGER, joinedAt: now, seenAt: serverTimestamp() }));
      await denied(deleteDoc(presence(as(WAITER), WAITER)));
      await denied(deleteDoc(presence(as(WAITER), JOINER)));
    });
    it('denies heartbeats for someone else, in the past or future, or changing anything but seenAt', async () => {
      await denied(updateDoc(presence(unauthenticated(), WAITER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(presence(as(JOINER), WAITER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(presence(as(STRANGER), WAITER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(presence(as(WAITER), WAITER), { seenAt: Timestamp.fromMillis(Date.now() + HOUR_MS) }));
      await denied(updateDoc(presence(as(WAITER), WAITER), { seenAt: Timestamp.fromMillis(0) }));
      await denied(updateDoc(presence(as(WAITER), WAITER), { seenAt: serverTimestamp(), joinedAt: serverTimestamp() }));
      await denied(updateDoc(presence(as(WAITER), WAITER), { seenAt: serverTimestamp(), uid: STRANGER }));
      // The sweeper finds lapsed members by the kind (cleanup/sweeper.ts): a member passing for a random call's would be found on its longer lease.
      await denied(updateDoc(presence(as(WAITER), WAITER), { seenAt: serverTimestamp(), kind: 'random' }));
      await denied(setDoc(presence(as(WAITER), WAITER), { seenAt: serverTimestamp() }));
    });
    it(`denies a heartbeat within PRESENCE_MIN_GAP_MS (${PRESENCE_MIN_GAP_MS} ms) of the last (bounded writes)`, async () => {
      await allowed(updateDoc(presence(as(JOINER), JOINER), { seenAt: serverTimestamp() }));
      await denied(updateDoc(presence(as(JOINER), JOINER), { seenAt: serverTimestamp() }));
      // At the edge: a beat stored just under the gap ago is refused, one just over it allowed.
      const seenAgo = (ms: number) =>
        writeAsFunctions(`calls/${LINK_CALL}/members`, MEMBER, {
          uid: MEMBER,
          joinedAt: Timestamp.fromMillis(0),
          seenAt: Timestamp.fromMillis(Date.now() - ms),
        });
      await seenAgo(PRESENCE_MIN_GAP_MS - 1_000);
      await denied(updateDoc(presence(as(MEMBER), MEMBER), { seenAt: serverTimestamp() }));
      await seenAgo(PRESENCE_MIN_GAP_MS + 100);
      await allowed(updateDoc(presence(as(MEMBER), MEMBER), { seenAt: serverTimestamp() }));
    });
    it('denies a heartbeat once the functions removed the member (no way back but enterCall)', async () => {
      await deleteAsFunctions(`calls/${LINK_CALL}/members`, MEMBER);
      await denied(updateDoc(presence(as(MEMBER), MEMBER), { seenAt: serverTimestamp() }));
    });
    it('allows a member its own heartbeat: seenAt = the request time', async () => {
      const before = await readAsFunctions(`calls/${LINK_CALL}/members`, WAITER);
      await allowed(updateDoc(presence(as(WAITER), WAITER), { seenAt: serverTimestamp() }));
      const after = await readAsFunctions(`calls/${LINK_CALL}/members`, WAITER);
      assert.ok((after?.['seenAt'] as Timestamp).toMillis() >= (before?.['seenAt'] as Timestamp).toMillis());
      assert.ok((after?.['joinedAt'] as Timestamp).isEqual(before?.['joinedAt'] as Timestamp));
    });
  });

  describe('calls/{callId}/signals/{from}_{to}: mailboxes of a call by link', () => {
    const mailbox = (db: Firestore, id: string) => doc(db, 'calls', LINK_CALL, 'signals', id);
    const signals = (db: Firestore) => collection(db, 'calls', LINK_CALL, 'signals');
    const own = () => mailbox(as(WAITER), `${WAITER}_${JOINER}`);
    const offer = { type: 'offer', sdp: 'v=0\r\n' };

    it('denies the unauthenticated and strangers every read', async () => {
      await denied(getDoc(mailbox(unauthenticated(), `${WAITER}_${JOINER}`)));
      await denied(getDoc(mailbox(as(STRANGER), `${WAITER}_${JOINER}`)));
      await denied(getDocs(signals(as(STRANGER))));
      await denied(getDocs(query(signals(as(STRANGER)), where('to', '==', WAITER))));
      await denied(getDocs(query(signals(unauthenticated()), where('to', '==', WAITER))));
    });
    it("lets a stranger run the listener's own query, which can only ever find mailboxes addressed to it: none", async () => {
      // The rules read no call document (cheap): what a query may return is
      // bounded by to/from alone, and only members have mailboxes.
      const snap = await allowed(getDocs(query(signals(as(STRANGER)), where('to', '==', STRANGER))));
      assert.equal(snap.size, 0);
    });
    it('denies a member the mailboxes between two others, and listing beyond its own', async () => {
      await denied(getDoc(mailbox(as(MEMBER), `${WAITER}_${JOINER}`)));
      await denied(getDoc(mailbox(as(MEMBER), `${JOINER}_${WAITER}`)));
      await denied(getDocs(signals(as(MEMBER))));
      await denied(getDocs(query(signals(as(MEMBER)), where('to', '==', WAITER))));
      await denied(getDoc(mailbox(as(WAITER), `${WAITER}_nobody`)));
    });
    it('allows a member its mailboxes both ways, and listening with where(to == itself)', async () => {
      await allowed(getDoc(mailbox(as(WAITER), `${WAITER}_${JOINER}`)));
      await allowed(getDoc(mailbox(as(WAITER), `${JOINER}_${WAITER}`)));
      const inbox = await allowed(getDocs(query(signals(as(WAITER)), where('to', '==', WAITER))));
      assert.deepEqual(inbox.docs.map((d) => d.id).sort(), [`${JOINER}_${WAITER}`, `${MEMBER}_${WAITER}`]);
      const outbox = await allowed(getDocs(query(signals(as(WAITER)), where('from', '==', WAITER))));
      assert.equal(outbox.size, 2);
    });
    it('denies writes by anyone but from: the addressee, another member, a stranger', async () => {
      await denied(updateDoc(mailbox(as(JOINER), `${WAITER}_${JOINER}`), signalWrite(1)));
      await denied(updateDoc(mailbox(as(MEMBER), `${WAITER}_${JOINER}`), signalWrite(1)));
      await denied(updateDoc(mailbox(as(STRANGER), `${WAITER}_${JOINER}`), signalWrite(1)));
      await denied(updateDoc(mailbox(unauthenticated(), `${WAITER}_${JOINER}`), signalWrite(1)));
    });
    it("denies creating or deleting a mailbox, even one's own direction", async () => {
      await denied(setDoc(mailbox(as(STRANGER), `${STRANGER}_${WAITER}`), { from: STRANGER, to: WAITER, ...signalWrite(0) }));
      await deleteAsFunctions(`calls/${LINK_CALL}/signals`, `${WAITER}_${JOINER}`);
      await denied(setDoc(own(), { from: WAITER, to: JOINER, ...signalWrite(0) }));
      await denied(deleteDoc(mailbox(as(WAITER), `${WAITER}_${MEMBER}`)));
      await denied(deleteDoc(mailbox(as(WAITER), `${JOINER}_${WAITER}`)));
    });
    it('denies changing from or to, or adding fields', async () => {
      await denied(updateDoc(own(), { ...signalWrite(1), to: MEMBER }));
      await denied(updateDoc(own(), { ...signalWrite(1), from: JOINER }));
      await denied(updateDoc(own(), { ...signalWrite(1), extra: true }));
    });
    it(`denies a write count other than the stored n + 1, and past ${MAX_SIGNAL_WRITES} writes`, async () => {
      await denied(updateDoc(own(), signalWrite(0)));
      await denied(updateDoc(own(), signalWrite(2)));
      const worn = mailbox(as(WAITER), WORN_MAILBOX);
      await allowed(updateDoc(worn, signalWrite(MAX_SIGNAL_WRITES, { epoch: 5 })));
      await denied(updateDoc(worn, signalWrite(MAX_SIGNAL_WRITES + 1, { epoch: 5 })));
    });
    it('denies an epoch that is not an integer, goes back, or passes n', async () => {
      await denied(updateDoc(own(), signalWrite(1, { epoch: 0.5 })));
      await denied(updateDoc(own(), signalWrite(1, { epoch: '1' })));
      await denied(updateDoc(own(), signalWrite(1, { epoch: 2 })));
      await denied(updateDoc(mailbox(as(WAITER), WORN_MAILBOX), signalWrite(MAX_SIGNAL_WRITES, { epoch: 4 })));
    });
    it('denies a link tag that is not a short id of [a-z0-9] (link 1 to 16, peer 0 to 16)', async () => {
      for (const tag of [
        { link: '' },
        { link: 'A' },
        { link: 'x'.repeat(17) },
        { link: 42 },
        { link: 'ab-cd' },
        { peer: 'x'.repeat(17) },
        { peer: 'Ab' },
        { peer: null },
      ]) {
        await denied(updateDoc(own(), { ...signalWrite(1), ...tag }));
      }
    });
    it('lets the epoch go back only with a new link (a link rebuilt in the same mailbox starts over)', async () => {
      const tagged = (n: number, epoch: number, link: string, peer = '') => ({
        ...signalWrite(n, { epoch, description: offer }),
        link,
        peer,
      });
      await allowed(updateDoc(own(), tagged(1, 1, 'aaaa')));
      await allowed(updateDoc(own(), tagged(2, 2, 'aaaa', 'bbbb')));
      // The same link cannot go back; a new one may, and may not pass n.
      await denied(updateDoc(own(), tagged(3, 1, 'aaaa', 'bbbb')));
      await denied(updateDoc(own(), { ...tagged(3, 0, 'aaaa'), description: null }));
      await allowed(updateDoc(own(), { ...tagged(3, 0, 'cccc'), description: null }));
      await allowed(updateDoc(own(), tagged(4, 1, 'cccc', 'dddd')));
      await denied(updateDoc(own(), { ...tagged(5, -1, 'eeee'), description: null }));
      await denied(updateDoc(own(), tagged(5, 6, 'eeee')));
      const stored = await readAsFunctions(`calls/${LINK_CALL}/signals`, `${WAITER}_${JOINER}`);
      assert.deepEqual([stored?.['link'], stored?.['peer'], stored?.['epoch'], stored?.['n']], ['cccc', 'dddd', 1, 4]);
    });
    it(`denies a description that is not exactly {type: offer|answer, sdp} with an SDP of 1 to ${MAX_SIGNAL_SDP} characters`, async () => {
      for (const description of [
        'v=0',
        { type: 'offer' },
        { ...offer, extra: 1 },
        { type: 'pranswer', sdp: 'v=0' },
        { type: 'offer', sdp: 42 },
        { type: 'offer', sdp: '' },
        { type: 'answer', sdp: 'x'.repeat(MAX_SIGNAL_SDP + 1) },
      ]) {
        await denied(updateDoc(own(), signalWrite(1, { epoch: 1, description })));
      }
    });
    it(`denies candidates that are not a string of at most ${MAX_SIGNAL_CANDIDATES} characters, and a time other than the request's`, async () => {
      await denied(updateDoc(own(), signalWrite(1, { candidates: [CANDIDATE_LINE] })));
      await denied(updateDoc(own(), signalWrite(1, { candidates: 'x'.repeat(MAX_SIGNAL_CANDIDATES + 1) })));
      await denied(updateDoc(own(), { ...signalWrite(1), updatedAt: Timestamp.fromMillis(Date.now()) }));
    });
    it('allows from to write an offer, candidates, then an answer under a new epoch, up to the limits', async () => {
      await allowed(updateDoc(own(), signalWrite(1, { epoch: 1, description: offer })));
      await allowed(updateDoc(own(), signalWrite(2, { epoch: 1, description: offer, candidates: `${CANDIDATE_LINE}\n` })));
      await allowed(
        updateDoc(
          own(),
          signalWrite(3, {
            epoch: 3,
            description: { type: 'answer', sdp: 'x'.repeat(MAX_SIGNAL_SDP) },
            candidates: 'x'.repeat(MAX_SIGNAL_CANDIDATES),
          }),
        ),
      );
      await allowed(updateDoc(own(), signalWrite(4, { epoch: 3 })));
      const stored = await readAsFunctions(`calls/${LINK_CALL}/signals`, `${WAITER}_${JOINER}`);
      assert.equal(stored?.['from'], WAITER);
      assert.equal(stored?.['to'], JOINER);
      assert.equal(stored?.['n'], 4);
      const read = await allowed(getDoc(mailbox(as(JOINER), `${WAITER}_${JOINER}`)));
      assert.equal(read.get('epoch'), 3);
    });
  });

  for (const c of FUNCTION_ONLY) {
    describe(`${c.collection}/{id}: written by the functions only, closed to every client`, () => {
      const actors = [
        { who: 'the unauthenticated', db: unauthenticated, uid: c.owners[0] ?? WAITER },
        { who: 'a stranger', db: () => as(STRANGER), uid: STRANGER },
        ...c.owners.map((uid) => ({ who: `${uid}, whom the document is about`, db: () => as(uid), uid })),
      ];
      for (const actor of actors) {
        it(`denies ${actor.who} get, list, create, update and delete`, async () => {
          const db = actor.db();
          await denied(getDoc(doc(db, c.collection, c.id)));
          await denied(getDoc(doc(db, c.collection, c.mine(actor.uid))));
          await denied(getDocs(collection(db, c.collection)));
          await denied(getDocs(c.about(db, actor.uid)));
          // A true create: the document the actor would call theirs is absent.
          if (c.mine(actor.uid) === c.id) await deleteAsFunctions(c.collection, c.id);
          await denied(setDoc(doc(db, c.collection, c.mine(actor.uid)), c.created(actor.uid)));
          assert.equal(await readAsFunctions(c.collection, c.mine(actor.uid)), undefined);
          if (c.mine(actor.uid) === c.id) await writeAsFunctions(c.collection, c.id, c.data);
          await denied(updateDoc(doc(db, c.collection, c.id), c.tamper));
          await denied(setDoc(doc(db, c.collection, c.id), c.tamper));
          await denied(deleteDoc(doc(db, c.collection, c.id)));
          assert.deepEqual(await readAsFunctions(c.collection, c.id), c.data);
        });
      }
      it('is there for the functions: with rules bypassed (Admin SDK) the document reads back, and can be changed', async () => {
        assert.deepEqual(await readAsFunctions(c.collection, c.id), c.data);
        await env.withSecurityRulesDisabled(async (ctx: RulesTestContext) => {
          await updateDoc(doc(ctx.firestore() as unknown as Firestore, c.collection, c.id), c.tamper);
        });
        assert.deepEqual(await readAsFunctions(c.collection, c.id), { ...c.data, ...c.tamper });
      });
    });
  }

  describe('stats/rooms: public numbers, written by the functions only', () => {
    const counts = { rooms: { ta: { waiting: 2, chatting: 4 } }, countedAt: Timestamp.fromMillis(0) };
    beforeEach(async () => {
      await writeAsFunctions('stats', 'rooms', counts);
      await writeAsFunctions('stats', 'other', { secret: 1 });
    });

    it('denies the unauthenticated a get', async () => {
      await denied(getDoc(doc(unauthenticated(), 'stats', 'rooms')));
    });
    it('denies every client create, update, set and delete', async () => {
      await denied(updateDoc(doc(as(WAITER), 'stats', 'rooms'), { 'rooms.ta.waiting': 99 }));
      await denied(setDoc(doc(as(WAITER), 'stats', 'rooms'), { rooms: {} }));
      await denied(deleteDoc(doc(as(WAITER), 'stats', 'rooms')));
      await denied(setDoc(doc(as(WAITER), 'stats', 'mine'), { rooms: {} }));
      assert.deepEqual(await readAsFunctions('stats', 'rooms'), counts);
    });
    it('denies listing stats and reading any other stats document', async () => {
      await denied(getDocs(collection(as(WAITER), 'stats')));
      await denied(getDoc(doc(as(WAITER), 'stats', 'other')));
    });
    it('allows a signed-in page to get the room counts', async () => {
      const snap = await allowed(getDoc(doc(as(STRANGER), 'stats', 'rooms')));
      assert.deepEqual(snap.get('rooms'), counts.rooms);
    });
  });

  it('denies every other path by default, under a call too', async () => {
    await denied(getDoc(doc(as(WAITER), 'users', WAITER)));
    await denied(setDoc(doc(as(WAITER), 'anything', 'x'), { a: 1 }));
    // A call's own people included: only members and signals exist under a call.
    await denied(getDocs(collection(as(WAITER), 'calls', CALL, 'candidates')));
    await denied(
      addDoc(collection(as(JOINER), 'calls', CALL, 'candidates'), { candidate: 'candidate:1 1 udp 1 127.0.0.1 1 typ host' }),
    );
  });

  // Keep last: it judges everything above.
  describe('rule coverage', () => {
    it('every expression in firestore.rules was evaluated by the tests above', async (t) => {
      if (baseline instanceof Error) throw new Error(`could not read rule coverage after loading the rules: ${baseline.message}`);
      const report = await fetchCoverage();
      assert.equal(report.rules?.files?.length, 1, 'coverage report is not about one rules file');
      assert.equal(report.rules?.files?.[0]?.content, rules, 'coverage report is about other rules than firestore.rules');
      const top = report.report ?? [];
      const nodes = [...allNodes(top)];
      assert.ok(nodes.length > 0, 'coverage report lists no expressions');
      const startsInReport = new Set(top.map((n) => n.sourcePosition.currentOffset));
      const missing = expressionStarts(rules).filter((at) => !startsInReport.has(at));
      assert.deepEqual(missing, [], 'coverage report leaves out expressions of the rules (offsets listed)');

      // Counted by this file's tests: now minus right after loading the rules.
      const evaluated = (n: CoverageNode): boolean =>
        evaluations(n) - ((baseline as Map<string, number>).get(nodeKey(n)) ?? 0) > 0;
      const never: string[] = [];
      let neverCount = 0;
      const visit = (n: CoverageNode, parentEvaluated: boolean): void => {
        const ok = evaluated(n);
        if (!ok) {
          neverCount++;
          const { line, column, currentOffset, endOffset } = n.sourcePosition;
          // List the outermost never-evaluated expression; its parts go uncounted with it.
          if (parentEvaluated)
            never.push(`  line ${line}:${column}  ${rules.slice(currentOffset, endOffset + 1).replace(/\s+/g, ' ')}`);
        }
        for (const child of n.children ?? []) visit(child, ok);
      };
      for (const n of top) visit(n, true);
      assert.equal(
        neverCount,
        0,
        `${neverCount} of ${nodes.length} rule expressions were never evaluated by these tests:\n${never.join('\n')}`,
      );
      t.diagnostic(
        `all ${nodes.length} rule expressions (${top.length} conditions and function bodies, with their parts) evaluated`,
      );
    });
  });
});

/**
 * Helpers for tests that run against the emulator suite (`firebase
 * emulators:exec`, started by scripts/parley.mjs). Addresses come from
 * firebase.json; the project id is the demo one.
 */
import { deleteApp, initializeApp as initializeClientApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInAnonymously } from 'firebase/auth';
import { connectFirestoreEmulator, getFirestore, setLogLevel, type Firestore as ClientFirestore } from 'firebase/firestore';
import { connectFunctionsEmulator, FunctionsError, getFunctions, httpsCallable } from 'firebase/functions';
import assert from 'node:assert/strict';
import { getApps as getAdminApps, initializeApp as initializeAdminApp } from 'firebase-admin/app';
import { getFirestore as getAdminFirestore, Timestamp, type Firestore } from 'firebase-admin/firestore';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ID = 'demo-parley';

// Denied writes are expected in rules tests; the SDK would log each one as a warning.
setLogLevel('silent');
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const config = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as {
  emulators: Record<'auth' | 'firestore' | 'functions' | 'hosting', { host: string; port: number }>;
};
export const EMULATORS = config.emulators;
export const HOSTING_URL = `http://${EMULATORS.hosting.host}:${EMULATORS.hosting.port}`;

/** Deletes every document in the Firestore emulator (rules do not apply). */
export async function clearFirestore(): Promise<void> {
  const { host, port } = EMULATORS.firestore;
  const url = `http://${host}:${port}/emulator/v1/projects/${PROJECT_ID}/databases/(default)/documents`;
  // 409: a transaction is still open (e.g. the leave of a page just stopped);
  // the emulator refuses to clear until it ends, so wait a little and retry.
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'DELETE' });
    if (res.ok) return;
    if (res.status !== 409 || attempt >= 20) throw new Error(`clearing Firestore failed: ${res.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The Admin SDK on the emulator: sees everything, bypasses rules (like the functions). */
export function adminDb(): Firestore {
  process.env['FIRESTORE_EMULATOR_HOST'] ??= `${EMULATORS.firestore.host}:${EMULATORS.firestore.port}`;
  if (getAdminApps().length === 0) initializeAdminApp({ projectId: PROJECT_ID });
  return getAdminFirestore();
}

let clientCount = 0;

/** A signed-in anonymous user with its own Firebase app, as a browser tab would have. */
export interface TestUser {
  readonly uid: string;
  readonly app: FirebaseApp;
  readonly db: ClientFirestore;
  call<T = unknown>(name: string, data?: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * A new anonymous user with its own app. `functionsAt`: where its callables
 * go (the Functions emulator unless the benchmark serves them elsewhere,
 * test/bench/instance-host.ts).
 */
export async function signedInUser(functionsAt: { host: string; port: number } = EMULATORS.functions): Promise<TestUser> {
  const app = initializeClientApp(
    { projectId: PROJECT_ID, apiKey: 'demo-api-key', authDomain: `${PROJECT_ID}.firebaseapp.com` },
    `user-${++clientCount}`,
  );
  const auth = getAuth(app);
  connectAuthEmulator(auth, `http://${EMULATORS.auth.host}:${EMULATORS.auth.port}`, { disableWarnings: true });
  const db = getFirestore(app);
  connectFirestoreEmulator(db, EMULATORS.firestore.host, EMULATORS.firestore.port);
  const functions = getFunctions(app, 'us-central1');
  connectFunctionsEmulator(functions, functionsAt.host, functionsAt.port);
  const { user } = await signInAnonymously(auth);
  return {
    uid: user.uid,
    app,
    db,
    call: async <T>(name: string, data?: unknown) => (await httpsCallable<unknown, T>(functions, name)(data)).data,
    close: () => deleteApp(app),
  };
}

/** An unauthenticated client: no sign-in. */
export function anonymousCaller(): { call(name: string, data?: unknown): Promise<unknown>; close(): Promise<void> } {
  const app = initializeClientApp({ projectId: PROJECT_ID, apiKey: 'demo-api-key' }, `nobody-${++clientCount}`);
  const functions = getFunctions(app, 'us-central1');
  connectFunctionsEmulator(functions, EMULATORS.functions.host, EMULATORS.functions.port);
  return {
    call: async (name, data) => (await httpsCallable(functions, name)(data)).data,
    close: () => deleteApp(app),
  };
}

/** Polls until `check` returns a truthy value or the timeout passes (then throws). */
export async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A syntactically plausible SDP offer for tests that never reach a browser. */
export function fakeOffer(tag = 'x'): { type: 'offer'; sdp: string } {
  return { type: 'offer', sdp: `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=${tag}\r\nt=0 0\r\n` };
}

/** Signed-in users made through `users.create()`, closed together by `users.closeAll()`. */
export function userPool(functionsAt?: { host: string; port: number }): {
  create(): Promise<TestUser>;
  closeAll(): Promise<void>;
} {
  const made: TestUser[] = [];
  return {
    create: async () => {
      const u = await signedInUser(functionsAt);
      made.push(u);
      return u;
    },
    closeAll: async () => {
      await Promise.all(made.splice(0).map((u) => u.close()));
    },
  };
}

/** The FunctionsError a callable rejected with; fails if it succeeded or failed otherwise. */
export async function rejection(promise: Promise<unknown>): Promise<FunctionsError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof FunctionsError, `expected a FunctionsError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to be rejected');
}

/**
 * Waits until the Functions emulator has run every Firestore trigger queued
 * so far. The emulator delivers them one at a time, in order, so a load test
 * leaves a backlog that would slow the next test's triggers: a sentinel call
 * is created and deleted, and its history entry (written by onCallDeleted)
 * appears only once everything before it ran.
 */
export async function drainTriggers(timeoutMs = 180_000): Promise<void> {
  const db = adminDb();
  const id = `drain${Date.now()}`;
  // Past its expiry, as TTL deletes a call: the one kind of random call whose history the trigger writes.
  await db
    .doc(`calls/${id}`)
    .set({ kind: 'random', members: ['drain-a', 'drain-b'], room: 'any', expireAt: Timestamp.fromMillis(0) });
  await db.doc(`calls/${id}`).delete();
  await eventually(async () => (await db.doc(`history/${id}`).get()).exists, timeoutMs, 'the trigger backlog to drain');
  await db.doc(`history/${id}`).delete();
}

/**
 * Runs a scheduled function once, as Cloud Scheduler calls it (and as
 * `npm start` does locally, see scripts/parley.mjs runSchedules): a POST with
 * the scheduler's headers on the Functions emulator's route for it.
 * Resolves once the function has returned.
 */
export async function runScheduled(name: string, region = 'us-central1'): Promise<void> {
  const fn = EMULATORS.functions;
  for (const key of [`${name}-0`, name]) {
    const res = await fetch(`http://${fn.host}:${fn.port}/${PROJECT_ID}/${region}/${key}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-CloudScheduler-JobName': `firebase-schedule-${name}-${region}`,
        'X-CloudScheduler-ScheduleTime': new Date().toISOString(),
      },
      body: '{}',
    });
    if (res.status === 404) continue;
    if (!res.ok) throw new Error(`scheduled ${name}: HTTP ${res.status} ${await res.text()}`);
    return;
  }
  throw new Error(`scheduled ${name} is not registered with the Functions emulator`);
}

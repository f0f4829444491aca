/**
 * Connects the page to Firebase: app, anonymous sign-in, Firestore, Functions,
 * pointed at the emulators when served locally. Loaded lazily (dynamic import)
 * so the app shell paints before the Firebase SDK arrives.
 */
import { initializeApp, type FirebaseOptions } from 'firebase/app';
import {
  browserSessionPersistence,
  connectAuthEmulator,
  initializeAuth,
  onIdTokenChanged,
  signInAnonymously,
} from 'firebase/auth';
import { connectFirestoreEmulator, doc, getFirestore, onSnapshot, type Firestore } from 'firebase/firestore';
import {
  emptyRoomCounts,
  parseRoomCounts,
  ROOM_COUNTS_COLLECTION,
  ROOM_COUNTS_DOC,
  type TurnCredentialsResult,
} from '@parley/functions/protocol';
import { DEMO_PROJECT_ID, EMULATOR_PORTS, FUNCTIONS_REGION, isLocalDevelopment } from '../config.js';
import type { Backend } from '../flows/backend.js';
import { callables, callableUrl, type Callables } from './callable.js';
import { FirestoreCallConnection, FirestoreCallService } from './firestore-call.js';
import { usage } from './firestore-mailbox.js';
import { FunctionsMatcher } from './functions-matcher.js';

/**
 * The web app's Firebase config. In production, Firebase Hosting serves it at
 * this reserved URL for the project it deploys to, so nothing project-specific
 * is built into the bundle.
 */
async function loadOptions(local: boolean): Promise<FirebaseOptions> {
  if (local) {
    // The emulators accept any API key for a demo- project.
    return { projectId: DEMO_PROJECT_ID, apiKey: 'demo-api-key', authDomain: `${DEMO_PROJECT_ID}.firebaseapp.com` };
  }
  const res = await fetch('/__/firebase/init.json');
  if (!res.ok) throw new Error(`Firebase config not found (${res.status}); is the site deployed with Firebase Hosting?`);
  return (await res.json()) as FirebaseOptions;
}

interface Firebase {
  readonly db: Firestore;
  readonly call: Callables;
  readonly uid: string;
  /** The current ID token (kept fresh), for keepalive requests at unload. */
  readonly idToken: () => string | null;
  /** URL of a callable, for keepalive requests at unload (same wire format as the SDK). */
  readonly callableUrl: (name: string) => string;
}

let firebase: Promise<Firebase> | null = null;

/** One app, one anonymous user per tab, shared by random chat and link calls. */
function connectFirebase(): Promise<Firebase> {
  firebase ??= initFirebase().catch((err: unknown) => {
    firebase = null;
    throw err;
  });
  return firebase;
}

async function initFirebase(): Promise<Firebase> {
  const local = isLocalDevelopment();
  const options = await loadOptions(local);
  const app = initializeApp(options);
  // Session persistence: each tab is its own anonymous person (two tabs can
  // meet each other) and survives a reload of that tab.
  const auth = initializeAuth(app, { persistence: browserSessionPersistence });
  const db = getFirestore(app);
  const host = location.hostname;
  if (local) {
    connectAuthEmulator(auth, `http://${host}:${EMULATOR_PORTS.auth}`, { disableWarnings: true });
    connectFirestoreEmulator(db, host, EMULATOR_PORTS.firestore);
  }
  const projectId = options.projectId;
  if (!projectId) throw new Error('The Firebase config names no projectId: the callables have no address.');
  const where = {
    projectId,
    region: FUNCTIONS_REGION,
    ...(local ? { emulator: `http://${host}:${EMULATOR_PORTS.functions}` } : {}),
  };
  // Each request asks Auth for the token: it refreshes one that nears expiry.
  const call = callables(
    (name) => callableUrl(name, where),
    async () => (await auth.currentUser?.getIdToken()) ?? null,
  );
  // Leave requests at unload go through the site itself (firebase.json
  // rewrites /api/leave and /api/leaveCall to the functions): same-origin,
  // a keepalive request needs no CORS preflight, which a closing page would
  // not wait for (measured: the cross-origin request never reached the
  // function when a tab closed).
  const siteCallableUrl = (name: string) => `${location.origin}/api/${name}`;

  let token: string | null = null;
  onIdTokenChanged(auth, (user) => {
    token = null;
    void user?.getIdToken().then((t) => (token = t));
  });
  await auth.authStateReady(); // a reloaded tab keeps its anonymous user
  const user = auth.currentUser ?? (await signInAnonymously(auth)).user;
  token = await user.getIdToken();
  return { db, call, uid: user.uid, idToken: () => token, callableUrl: siteCallableUrl };
}

/** The backend of both kinds of call, for this tab's anonymous user. */
export async function connectBackend(): Promise<Backend> {
  const { db, call, uid, idToken, callableUrl } = await connectFirebase();
  // Diagnostics: this page's Firestore cost, for DevTools and the benchmark.
  (globalThis as { parleyUsage?: typeof usage }).parleyUsage = usage;
  return {
    uid,
    matcher: new FunctionsMatcher(call, db, uid, callableUrl('leave'), idToken),
    calls: new FirestoreCallService(call, db, callableUrl('leaveCall'), idToken),
    connect: (callId, handlers, random) => new FirestoreCallConnection(db, callId, uid, handlers, random),
    watchRoomCounts: (listener) =>
      onSnapshot(
        doc(db, ROOM_COUNTS_COLLECTION, ROOM_COUNTS_DOC),
        // No document yet (no function has counted since the deploy): nobody anywhere.
        (snap) => listener(snap.exists() ? parseRoomCounts(snap.get('rooms')) : emptyRoomCounts()),
        // The counts only decorate the picker: a refused or broken listener must not break the page.
        (err) => console.warn('room counts unavailable', err),
      ),
  };
}

/**
 * STUN and TURN servers with a short-lived relay credential for this page's
 * user (the `turnCredentials` callable); engine/ice-config.ts asks again
 * before it expires.
 */
export async function fetchTurnCredentials(): Promise<TurnCredentialsResult> {
  const { call } = await connectFirebase();
  return await call<TurnCredentialsResult>('turnCredentials', {});
}

/**
 * One Firestore client of the write-latency study (write-latency.ts): signs
 * in anonymously, writes the documents the pages write, and listens as the
 * other side of a call does. The same source runs in Node (firebase/firestore's
 * Node build: gRPC) and, bundled by esbuild, in a Chromium page (the browser
 * build: WebChannel, or long-polling). Times are epoch milliseconds
 * (performance.timeOrigin + now), comparable across Node and the pages.
 */
import { deleteApp, initializeApp, type FirebaseApp } from 'firebase/app';
import { connectAuthEmulator, getAuth, signInAnonymously } from 'firebase/auth';
import {
  addDoc,
  collection,
  connectFirestoreEmulator,
  doc,
  enableNetwork,
  increment,
  initializeFirestore,
  onSnapshot,
  query,
  serverTimestamp,
  setDoc,
  setLogLevel,
  Timestamp,
  updateDoc,
  where,
  type Firestore,
  type FirestoreSettings,
  type Unsubscribe,
} from 'firebase/firestore';

/**
 * How the browser SDK talks to Firestore: its default (WebChannel, switching
 * to long-polling if it detects a buffering proxy), long-polling forced, or
 * WebChannel streaming with no detection. The Node build always uses gRPC.
 */
export type Transport = 'default' | 'long-polling' | 'streaming';

/**
 * What is written, each as the pages write it:
 * - answer: the callee's answer, an update of calls/{id} (its rule reads no other document);
 * - mailbox: a link call's mailbox, an update of calls/{id}/signals/{from}_{to} (no get());
 * - candidate: a random call's candidate, a new calls/{id}/candidates doc (its rule get()s the call).
 */
export type WriteKind = 'answer' | 'mailbox' | 'candidate';

export interface Target {
  readonly kind: WriteKind;
  readonly callId: string;
  /** The listener's uid (the mailbox's `to`). */
  readonly to: string;
}

export interface ClientOptions {
  readonly name: string;
  readonly projectId: string;
  readonly host: string;
  readonly authPort: number;
  readonly firestorePort: number;
  readonly transport: Transport;
}

const now = () => performance.timeOrigin + performance.now();

export class LatencyClient {
  private readonly unsubscribers: Unsubscribe[] = [];
  /** When this listener saw each sequence number, by target key. */
  private readonly seen = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();

  private constructor(
    private readonly app: FirebaseApp,
    private readonly db: Firestore,
    readonly uid: string,
  ) {}

  static async create(options: ClientOptions): Promise<LatencyClient> {
    setLogLevel('silent');
    const app = initializeApp({ projectId: options.projectId, apiKey: 'demo-api-key' }, options.name);
    const auth = getAuth(app);
    connectAuthEmulator(auth, `http://${options.host}:${options.authPort}`, { disableWarnings: true });
    const settings: FirestoreSettings =
      options.transport === 'long-polling'
        ? { experimentalForceLongPolling: true }
        : options.transport === 'streaming'
          ? { experimentalAutoDetectLongPolling: false }
          : {};
    const db = initializeFirestore(app, settings);
    connectFirestoreEmulator(db, options.host, options.firestorePort);
    const { user } = await signInAnonymously(auth);
    return new LatencyClient(app, db, user.uid);
  }

  /** One write of `target` carrying `seq`; resolves when Firestore acknowledged it. */
  async write(target: Target, seq: number): Promise<{ sentAt: number; ackAt: number }> {
    const call = doc(this.db, 'calls', target.callId);
    const sentAt = now();
    switch (target.kind) {
      case 'answer':
        await updateDoc(call, { answer: { type: 'answer', sdp: `seq ${seq}` }, answeredAt: serverTimestamp() });
        break;
      case 'mailbox':
        await updateDoc(doc(call, 'signals', `${this.uid}_${target.to}`), {
          epoch: 0,
          description: null,
          candidates: `seq ${seq}`,
          n: increment(1),
          updatedAt: serverTimestamp(),
        });
        break;
      case 'candidate':
        await addDoc(collection(call, 'candidates'), {
          from: this.uid,
          candidate: `seq ${seq}`,
          sdpMid: '0',
          sdpMLineIndex: 0,
          createdAt: serverTimestamp(),
          expireAt: Timestamp.fromMillis(Date.now() + 60 * 60 * 1000),
        });
        break;
    }
    return { sentAt, ackAt: now() };
  }

  /**
   * A write the rules refuse (nobody may write `benchWarmUp`): it costs no
   * document and no billed operation, but opens the client's write stream.
   */
  async warmUp(): Promise<void> {
    await setDoc(doc(this.db, 'benchWarmUp', this.uid), { at: serverTimestamp() }).catch(() => undefined);
  }

  /** Asks the SDK to go online (it already is: this opens no stream by itself). */
  async enableNetwork(): Promise<void> {
    await enableNetwork(this.db);
  }

  /** Listens as the receiving side would; resolves once the first snapshot is in. */
  listen(target: Target, writer: string): Promise<void> {
    const key = (seq: string) => `${target.kind}/${target.callId}/${seq}`;
    const record = (value: unknown) => {
      const m = typeof value === 'string' ? /^seq (\d+)$/.exec(value) : null;
      if (!m) return;
      const k = key(m[1]!);
      if (this.seen.has(k)) return;
      const at = now();
      this.seen.set(k, at);
      this.waiters.get(k)?.(at);
    };
    return new Promise<void>((resolve, reject) => {
      const call = doc(this.db, 'calls', target.callId);
      const onError = (err: Error) => reject(err);
      if (target.kind === 'answer') {
        this.unsubscribers.push(
          onSnapshot(
            call,
            (snap) => {
              record((snap.get('answer') as { sdp?: unknown } | undefined)?.sdp);
              resolve();
            },
            onError,
          ),
        );
      } else if (target.kind === 'mailbox') {
        const q = query(collection(call, 'signals'), where('to', '==', this.uid));
        this.unsubscribers.push(
          onSnapshot(
            q,
            (snap) => {
              for (const c of snap.docChanges()) if (c.type !== 'removed') record(c.doc.get('candidates'));
              resolve();
            },
            onError,
          ),
        );
      } else {
        const q = query(collection(call, 'candidates'), where('from', '==', writer));
        this.unsubscribers.push(
          onSnapshot(
            q,
            (snap) => {
              for (const c of snap.docChanges()) if (c.type === 'added') record(c.doc.get('candidate'));
              resolve();
            },
            onError,
          ),
        );
      }
    });
  }

  /**
   * Starts listening to the call document without waiting for anything, as
   * the callee does when it is matched (its listener learns when the caller
   * leaves).
   */
  watchCall(target: Target): void {
    this.unsubscribers.push(
      onSnapshot(
        doc(this.db, 'calls', target.callId),
        () => undefined,
        () => undefined,
      ),
    );
  }

  /** When this client's listener saw `seq` of `target` (waits for it). */
  seenAt(target: Target, seq: number, timeoutMs = 20_000): Promise<number> {
    const k = `${target.kind}/${target.callId}/${seq}`;
    const at = this.seen.get(k);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`listener never saw ${k}`)), timeoutMs);
      this.waiters.set(k, (t) => {
        clearTimeout(timer);
        this.waiters.delete(k);
        resolve(t);
      });
    });
  }

  /** Stops every listener (the writes' targets of one round). */
  stopListening(): void {
    for (const u of this.unsubscribers.splice(0)) u();
  }

  async close(): Promise<void> {
    this.stopListening();
    await deleteApp(this.app);
  }
}

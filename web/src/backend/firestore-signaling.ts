/**
 * SignalingChannel of a random call over its `calls/{callId}` document and
 * the two mailboxes `calls/{callId}/signals/{from}_{to}` that `join` creates
 * with it (docs/PROTOCOL.md). The call document's existence is the call; the
 * rules let only the two participants read it, and only each mailbox's two
 * sides read it and its sender write it.
 */
import {
  CALLS_COLLECTION,
  MEMBERS_SUBCOLLECTION,
  PRESENCE_HEARTBEAT_MS,
  QUEUE_COLLECTION,
  WAITING_HEARTBEAT_MS,
} from '@parley/functions/protocol';
import {
  doc,
  getDocFromServer,
  onSnapshot,
  serverTimestamp,
  updateDoc,
  type DocumentSnapshot,
  type Firestore,
  type Unsubscribe,
} from 'firebase/firestore';
import { HeldQueue } from '../engine/held-queue.js';
import type { LinkSignal } from '../engine/types.js';
import type { SignalingChannel, SignalingListener } from '../flows/signaling.js';
import type { Role } from '../flows/types.js';
import { listenToMailboxes, MailboxWriter, signalingUsage } from './firestore-mailbox.js';

export { signalingUsage };

interface CallData {
  readonly caller: string;
  readonly callee: string;
}

interface Held {
  /** null: a probe (a write with nothing new). */
  readonly signal: LinkSignal | null;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class FirestoreSignaling implements SignalingChannel {
  private readonly unsubscribers: Unsubscribe[] = [];
  /** What we send waits here until the call (and so our mailbox) exists. */
  private readonly outgoing = new HeldQueue<Held>();
  private writer: MailboxWriter | null = null;
  private seenCall = false;
  private closed = false;
  /** Our sign of life to the backend: on our waiting entry, then on our presence in the call. */
  private heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly db: Firestore,
    readonly callId: string,
    readonly role: Role,
    private readonly uid: string,
  ) {}

  send(signal: LinkSignal): Promise<void> {
    if (this.closed) return Promise.reject(new Error('signaling closed'));
    return new Promise<void>((resolve, reject) => this.outgoing.push({ signal, resolve, reject }));
  }

  probe(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('signaling closed'));
    return new Promise<void>((resolve, reject) => this.outgoing.push({ signal: null, resolve, reject }));
  }

  /**
   * Refreshes `seenAt` on `path` every `everyMs` until the channel closes or
   * the next beat replaces this one. The rules let us write nothing else
   * there. A refused beat (the document is gone: matched, swept) is not an
   * error of the call: the call's own listener says what happened, and
   * `refused` may look closer.
   */
  private beat(path: string[], everyMs: number, refused?: () => void): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    const ref = doc(this.db, path.join('/'));
    const heartbeat = setInterval(() => {
      if (this.closed) return;
      signalingUsage.writes += 1;
      updateDoc(ref, { seenAt: serverTimestamp() }).catch(() => {
        if (!this.closed && this.heartbeat === heartbeat) refused?.();
      });
    }, everyMs);
    this.heartbeat = heartbeat;
  }

  /**
   * Our waiting entry is gone, and the call listener said nothing: we were
   * matched and the listener missed the call's creation (seen in the
   * benchmark and the tests, mostly on a freshly started emulator: a
   * document listener attached just before the document is created never
   * reported it), or the entry was swept. Read the call once: if it is
   * there, carry on as if the listener had seen it; if not, the page renews
   * its place at once instead of at the next renewal.
   */
  private async recheck(listener: SignalingListener, onError: (err: unknown) => void): Promise<void> {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    let snap: DocumentSnapshot;
    try {
      snap = await getDocFromServer(doc(this.db, CALLS_COLLECTION, this.callId));
      signalingUsage.reads += 1;
    } catch {
      return; // offline, or not allowed: the listener and the renewals go on
    }
    if (this.closed || this.seenCall) return;
    if (snap.exists()) this.callSeen(snap, listener, onError);
    else listener.placeLost?.();
  }

  subscribe(listener: SignalingListener): void {
    const onError = (err: unknown) => {
      if (!this.closed) listener.error(err);
    };
    // The waiter proves it is alive while it waits: join pairs nobody whose
    // entry was not seen lately (a killed tab is no longer matchable).
    if (this.role === 'caller')
      this.beat([QUEUE_COLLECTION, this.uid], WAITING_HEARTBEAT_MS, () => void this.recheck(listener, onError));
    this.unsubscribers.push(
      onSnapshot(
        doc(this.db, CALLS_COLLECTION, this.callId),
        (snap) => {
          if (!snap.metadata.fromCache) signalingUsage.reads += 1;
          if (this.closed) return;
          if (!snap.exists()) {
            // Before the match the document does not exist yet; after it, its
            // deletion is how the partner's Next, Stop or tab close reaches us.
            if (this.seenCall) listener.ended();
            return;
          }
          this.callSeen(snap, listener, onError);
        },
        onError,
      ),
    );
  }

  /** The call exists: listen to our mailbox, open our own, and tell the session (once). */
  private callSeen(snap: DocumentSnapshot, listener: SignalingListener, onError: (err: unknown) => void): void {
    if (this.seenCall) return;
    this.seenCall = true;
    // In the call: our presence, so that the call ends within a minute
    // if both pages vanish without a word.
    this.beat([CALLS_COLLECTION, this.callId, MEMBERS_SUBCOLLECTION, this.uid], PRESENCE_HEARTBEAT_MS);
    const call = snap.data() as CallData;
    const partner = this.role === 'caller' ? call.callee : call.caller;
    const mailboxes = listenToMailboxes(
      this.db,
      this.callId,
      this.uid,
      (from, signal) => {
        if (!this.closed && from === partner) listener.signal(signal);
      },
      onError,
      undefined,
      (from, bare) => {
        if (!this.closed && from === partner) listener.activity?.(bare);
      },
    );
    this.unsubscribers.push(() => mailboxes.stop());
    const writer = new MailboxWriter(this.db, this.callId, this.uid, partner);
    this.writer = writer;
    this.outgoing.open(({ signal, resolve, reject }) => (signal ? writer.send(signal) : writer.probe()).then(resolve, reject));
    listener.ready();
  }

  close(): void {
    this.closed = true;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.outgoing.clear();
    this.writer?.close();
    for (const u of this.unsubscribers.splice(0)) u();
  }
}

/**
 * SignalingChannel of a random call over its `calls/{callId}` document and
 * the two mailboxes `calls/{callId}/signals/{from}_{to}` that `join` creates
 * with it (docs/PROTOCOL.md). The call document's existence is the call; the
 * rules let only the two participants read it, and only each mailbox's two
 * sides read it and its sender write it.
 */
import { CALLS_COLLECTION } from '@parley/functions/protocol';
import { doc, onSnapshot, type Firestore, type Unsubscribe } from 'firebase/firestore';
import { HeldQueue } from '../engine/held-queue.js';
import type { LinkSignal } from '../engine/types.js';
import type { SignalingChannel, SignalingListener } from '../session/signaling.js';
import type { Role } from '../session/types.js';
import { listenToMailboxes, MailboxWriter, signalingUsage } from './firestore-mailbox.js';

export { signalingUsage };

interface CallData {
  readonly caller: string;
  readonly callee: string;
}

interface Held {
  readonly signal: LinkSignal;
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

  subscribe(listener: SignalingListener): void {
    const onError = (err: unknown) => {
      if (!this.closed) listener.error(err);
    };
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
          if (this.seenCall) return;
          this.seenCall = true;
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
          );
          this.unsubscribers.push(() => mailboxes.stop());
          const writer = new MailboxWriter(this.db, this.callId, this.uid, partner);
          this.writer = writer;
          this.outgoing.open(({ signal, resolve, reject }) => writer.send(signal).then(resolve, reject));
          listener.ready();
        },
        onError,
      ),
    );
  }

  close(): void {
    this.closed = true;
    this.outgoing.clear();
    this.writer?.close();
    for (const u of this.unsubscribers.splice(0)) u();
  }
}

/**
 * Calls over Cloud Functions and Firestore (docs/PROTOCOL.md), random and by
 * link alike: the page listens to its call document (members) and to the
 * mailboxes addressed to it, writes its own mailboxes, and refreshes its
 * presence. The rules let only members read any of it, and only the sender
 * write a mailbox. Link calls' membership goes through the createCall,
 * peekCall, enterCall and leaveCall callables; a random call's through the
 * matcher (functions-matcher.ts).
 */
import {
  CALLS_COLLECTION,
  MEMBERS_SUBCOLLECTION,
  PRESENCE_HEARTBEAT_MS,
  type CallAvailability,
  type CreateCallResult,
  type EnterCallResult,
} from '@parley/functions/protocol';
import {
  doc,
  getDocFromServer,
  onSnapshot,
  serverTimestamp,
  updateDoc,
  type DocumentSnapshot,
  type Firestore,
} from 'firebase/firestore';
import { httpsCallable, type Functions } from 'firebase/functions';
import { HeldQueue } from '../engine/held-queue.js';
import type { LinkSignal } from '../engine/types.js';
import type { CallConnection, CallConnectionHandlers, CallService } from '../flows/backend.js';
import { countUsage, listenToMailboxes, MailboxWriter } from './firestore-mailbox.js';
import { callOnUnload } from './keepalive.js';

export class FirestoreCallService implements CallService {
  constructor(
    private readonly functions: Functions,
    /** URL of the `leaveCall` callable, for the keepalive request at unload. */
    private readonly leaveUrl: string,
    private readonly idToken: () => string | null,
  ) {}

  async create(): Promise<CreateCallResult> {
    return (await httpsCallable<unknown, CreateCallResult>(this.functions, 'createCall')({})).data;
  }

  async peek(callId: string): Promise<CallAvailability> {
    return (await httpsCallable<unknown, CallAvailability>(this.functions, 'peekCall')({ callId })).data;
  }

  async enter(callId: string): Promise<EnterCallResult> {
    return (await httpsCallable<unknown, EnterCallResult>(this.functions, 'enterCall')({ callId })).data;
  }

  async leave(callId: string): Promise<void> {
    await httpsCallable(this.functions, 'leaveCall')({ callId });
  }

  leaveOnUnload(callId: string): void {
    callOnUnload(this.leaveUrl, this.idToken(), { callId });
  }
}

interface Outgoing {
  readonly to: string;
  /** null: a probe (a write with nothing new). */
  readonly signal: LinkSignal | null;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** One page's connection to one call (it may not exist yet: a waiter listens for the call join will create). */
export class FirestoreCallConnection implements CallConnection {
  private readonly unsubscribers: (() => void)[] = [];
  private readonly writers = new Map<string, MailboxWriter>();
  /** What we send waits here until the call (and so our mailboxes) exists. */
  private readonly outgoing = new HeldQueue<Outgoing>();
  private readonly mailboxes: { stop(): void; forget(from: string): void };
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private seenCall = false;

  constructor(
    private readonly db: Firestore,
    private readonly callId: string,
    private readonly uid: string,
    private readonly handlers: CallConnectionHandlers,
  ) {
    this.unsubscribers.push(
      onSnapshot(
        doc(db, CALLS_COLLECTION, callId),
        (snap) => {
          if (!snap.metadata.fromCache)
            countUsage(snap.exists() ? 'call (listener)' : 'call (listener, no document)', { reads: 1 });
          this.seen(snap);
        },
        (err) => {
          // The rules refuse the read once we are no longer a member (our
          // lease lapsed and the backend removed us).
          if (this.closed) return;
          console.warn('call listener stopped', err);
          this.handlers.removed();
        },
      ),
    );
    this.mailboxes = listenToMailboxes(
      db,
      callId,
      uid,
      (from, signal) => {
        if (!this.closed) this.handlers.signal(from, signal);
      },
      (err) => {
        if (!this.closed) console.warn('signal listener stopped', err);
      },
      (from, bare) => {
        if (!this.closed) this.handlers.activity(from, bare);
      },
    );
    this.unsubscribers.push(() => this.mailboxes.stop());
  }

  send(to: string, signal: LinkSignal): Promise<void> {
    return this.enqueue(to, signal);
  }

  probe(to: string): Promise<void> {
    return this.enqueue(to, null);
  }

  drop(to: string): void {
    this.writers.get(to)?.close();
    this.writers.delete(to);
    this.mailboxes.forget(to);
  }

  async refresh(): Promise<boolean> {
    const snap = await getDocFromServer(doc(this.db, CALLS_COLLECTION, this.callId));
    countUsage('call (refresh)', { reads: 1 });
    this.seen(snap);
    return snap.exists();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.outgoing.clear();
    for (const u of this.unsubscribers.splice(0)) u();
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }

  private enqueue(to: string, signal: LinkSignal | null): Promise<void> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise<void>((resolve, reject) => this.outgoing.push({ to, signal, resolve, reject }));
  }

  /** The call document as the listener (or a refresh) read it. */
  private seen(snap: DocumentSnapshot): void {
    if (this.closed) return;
    if (!snap.exists()) {
      // A waiter's call does not exist before the match; after it (or once
      // seen), its deletion is how a member's Next, Stop or tab close, or
      // the last leave, reaches us.
      if (this.seenCall) this.handlers.ended();
      return;
    }
    if (!this.seenCall) {
      this.seenCall = true;
      this.outgoing.open(({ to, signal, resolve, reject }) => {
        let writer = this.writers.get(to);
        if (!writer) this.writers.set(to, (writer = new MailboxWriter(this.db, this.callId, this.uid, to)));
        (signal ? writer.send(signal) : writer.probe()).then(resolve, reject);
      });
      // No beat now: whoever made us a member (enterCall, join's match) has
      // just set seenAt, and the rules refuse a beat within 2 s of the last.
      this.heartbeat = setInterval(() => this.beat(), PRESENCE_HEARTBEAT_MS);
    }
    const members = snap.get('members') as unknown;
    const list = Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
    if (list.includes(this.uid)) this.handlers.members(list);
    else this.handlers.removed();
  }

  /** Presence: the backend counts us while `seenAt` is recent (PRESENCE_LEASE_MS). */
  private beat(): void {
    if (this.closed) return;
    countUsage('presence (heartbeat)', { writes: 1, heartbeat: true });
    updateDoc(doc(this.db, CALLS_COLLECTION, this.callId, MEMBERS_SUBCOLLECTION, this.uid), {
      seenAt: serverTimestamp(),
    }).catch((err: unknown) => {
      if (!this.closed) console.warn('presence not refreshed', err);
    });
  }
}

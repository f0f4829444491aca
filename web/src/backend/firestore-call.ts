/**
 * Link calls over Cloud Functions and Firestore (docs/PROTOCOL.md, "Calls by
 * link"): the callables decide membership; the page listens to its call
 * document (members) and to the mailboxes addressed to it, writes its own
 * mailboxes, and refreshes its presence. The rules let only members read any
 * of it, and only the sender write a mailbox.
 */
import {
  CALLS_COLLECTION,
  PRESENCE_HEARTBEAT_MS,
  MEMBERS_SUBCOLLECTION,
  type CallAvailability,
  type CreateCallResult,
  type EnterCallResult,
} from '@parley/functions/protocol';
import { doc, onSnapshot, serverTimestamp, updateDoc, type Firestore } from 'firebase/firestore';
import { httpsCallable, type Functions } from 'firebase/functions';
import type { LinkSignal } from '../engine/types.js';
import type { CallConnection, CallConnectionHandlers, CallService } from '../flows/link-call.js';
import { listenToMailboxes, MailboxWriter, type UsageSink } from './firestore-mailbox.js';
import { callOnUnload } from './keepalive.js';

/**
 * Firestore operations this page's link calls have caused, counted as they
 * are billed (a listener's first answer is at least one read). Diagnostics
 * for the benchmark and DevTools (`parleyLinkUsage`); never sent anywhere.
 * No rule of a link call's client writes reads another document, so rules
 * add no reads here.
 */
export const linkCallUsage = {
  reads: 0,
  /** Writes of this page's outgoing mailboxes (descriptions and candidates). */
  mailboxWrites: 0,
  /** Presence refreshes (PRESENCE_HEARTBEAT_MS apart while in a call). */
  heartbeats: 0,
};

/** Where the shared mailbox code counts a link call's operations. */
const LINK_USAGE: UsageSink = {
  read: (n) => (linkCallUsage.reads += n),
  write: () => (linkCallUsage.mailboxWrites += 1),
};

export class FirestoreCallService implements CallService {
  constructor(
    private readonly db: Firestore,
    private readonly functions: Functions,
    readonly uid: string,
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

  connect(callId: string, handlers: CallConnectionHandlers): CallConnection {
    return new FirestoreCallConnection(this.db, callId, this.uid, handlers);
  }
}

class FirestoreCallConnection implements CallConnection {
  private readonly unsubscribers: (() => void)[] = [];
  private readonly writers = new Map<string, MailboxWriter>();
  private readonly mailboxes: { stop(): void; forget(from: string): void };
  private readonly heartbeat: ReturnType<typeof setInterval>;
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
          if (!snap.metadata.fromCache) linkCallUsage.reads += 1;
          if (this.closed) return;
          if (!snap.exists()) {
            if (this.seenCall) this.handlers.ended();
            return;
          }
          this.seenCall = true;
          const members = snap.get('members') as unknown;
          const list = Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
          if (!list.includes(uid)) {
            this.handlers.removed();
            return;
          }
          this.handlers.members(list);
        },
        (err) => {
          // The rules refuse the read once we are no longer a member (our
          // lease lapsed and the backend removed us, or the call ended).
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
      LINK_USAGE,
      (from, bare) => {
        if (!this.closed) this.handlers.activity?.(from, bare);
      },
    );
    this.unsubscribers.push(() => this.mailboxes.stop());
    // No beat now: enterCall has just set seenAt (the rules refuse a beat
    // within 2 s of the last one); the first comes a heartbeat later.
    this.heartbeat = setInterval(() => this.beat(), PRESENCE_HEARTBEAT_MS);
  }

  send(to: string, signal: LinkSignal): void {
    if (this.closed) return;
    let writer = this.writers.get(to);
    if (!writer) this.writers.set(to, (writer = new MailboxWriter(this.db, this.callId, this.uid, to, LINK_USAGE)));
    writer.send(signal).catch((err: unknown) => {
      // Refused once the other member left (the mailbox is deleted with them).
      if (!this.closed && this.writers.get(to) === writer) console.warn('signal not sent', err);
    });
  }

  probe(to: string): Promise<void> {
    const writer = this.writers.get(to);
    return writer && !this.closed ? writer.probe() : Promise.reject(new Error('no mailbox to ' + to));
  }

  drop(to: string): void {
    this.writers.get(to)?.close();
    this.writers.delete(to);
    this.mailboxes.forget(to);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const u of this.unsubscribers.splice(0)) u();
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }

  /** Presence: the backend counts us while `seenAt` is recent (PRESENCE_LEASE_MS). */
  private beat(): void {
    if (this.closed) return;
    linkCallUsage.heartbeats += 1;
    updateDoc(doc(this.db, CALLS_COLLECTION, this.callId, MEMBERS_SUBCOLLECTION, this.uid), {
      seenAt: serverTimestamp(),
    }).catch((err: unknown) => {
      if (!this.closed) console.warn('presence not refreshed', err);
    });
  }
}

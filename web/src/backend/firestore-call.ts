/**
 * Link calls over Cloud Functions and Firestore (docs/PROTOCOL.md, "Calls by
 * link"): the callables decide membership; the page listens to its call
 * document (members) and to the mailboxes addressed to it, writes its own
 * mailboxes, and refreshes its presence. The rules let only members read any
 * of it, and only the sender write a mailbox.
 */
import {
  CALLS_COLLECTION,
  LINK_HEARTBEAT_MS,
  MAX_SIGNAL_CANDIDATES,
  MEMBERS_SUBCOLLECTION,
  SIGNALS_SUBCOLLECTION,
  signalId,
  type CallAvailability,
  type CreateCallResult,
  type EnterCallResult,
} from '@parley/functions/protocol';
import {
  collection,
  doc,
  increment,
  onSnapshot,
  query,
  serverTimestamp,
  updateDoc,
  where,
  type Firestore,
  type Unsubscribe,
} from 'firebase/firestore';
import { httpsCallable, type Functions } from 'firebase/functions';
import { MailboxInbox, MailboxOutbox } from '../engine/mailbox.js';
import type { LinkSignal } from '../engine/types.js';
import type { CallConnection, CallConnectionHandlers, CallService } from '../flows/link-call.js';

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
  /** Presence refreshes (LINK_HEARTBEAT_MS apart while in a call). */
  heartbeats: 0,
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
    const token = this.idToken();
    if (!token) return;
    // keepalive lets the request outlive the page (sendBeacon cannot carry the
    // Authorization header that callables need). Same wire format as the SDK.
    void fetch(this.leaveUrl, {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ data: { callId } }),
    }).catch(() => undefined);
  }

  connect(callId: string, handlers: CallConnectionHandlers): CallConnection {
    return new FirestoreCallConnection(this.db, callId, this.uid, handlers);
  }
}

/** One outgoing mailbox: its state, and at most one write in flight. */
interface Outgoing {
  readonly box: MailboxOutbox;
  writing: boolean;
  dirty: boolean;
}

class FirestoreCallConnection implements CallConnection {
  private readonly unsubscribers: Unsubscribe[] = [];
  private readonly inboxes = new Map<string, MailboxInbox>();
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private closed = false;
  private seenCall = false;

  constructor(
    private readonly db: Firestore,
    private readonly callId: string,
    private readonly uid: string,
    private readonly handlers: CallConnectionHandlers,
  ) {
    const callRef = doc(db, CALLS_COLLECTION, callId);
    this.unsubscribers.push(
      onSnapshot(
        callRef,
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
    const incoming = query(collection(callRef, SIGNALS_SUBCOLLECTION), where('to', '==', uid));
    let firstAnswer = true;
    this.unsubscribers.push(
      onSnapshot(
        incoming,
        (snap) => {
          if (!snap.metadata.fromCache) {
            const changed = snap.docChanges().filter((c) => c.type !== 'removed').length;
            linkCallUsage.reads += firstAnswer ? Math.max(1, changed) : changed;
            firstAnswer = false;
          }
          if (this.closed) return;
          for (const change of snap.docChanges()) {
            if (change.type === 'removed') continue;
            const data = change.doc.data();
            const from = data['from'];
            if (typeof from !== 'string' || from === uid) continue;
            let inbox = this.inboxes.get(from);
            if (!inbox) {
              inbox = new MailboxInbox();
              this.inboxes.set(from, inbox);
            }
            for (const signal of inbox.read(data)) this.handlers.signal(from, signal);
          }
        },
        (err) => {
          if (!this.closed) console.warn('signal listener stopped', err);
        },
      ),
    );
    this.beat();
    this.heartbeat = setInterval(() => this.beat(), LINK_HEARTBEAT_MS);
  }

  send(to: string, signal: LinkSignal): void {
    if (this.closed) return;
    let out = this.outgoing.get(to);
    if (!out) {
      out = { box: new MailboxOutbox(MAX_SIGNAL_CANDIDATES), writing: false, dirty: false };
      this.outgoing.set(to, out);
    }
    if (!out.box.add(signal)) console.warn('mailbox full: candidate not sent');
    out.dirty = true;
    this.flush(to, out);
  }

  drop(to: string): void {
    this.outgoing.delete(to);
    this.inboxes.delete(to);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const u of this.unsubscribers.splice(0)) u();
    this.outgoing.clear();
  }

  /**
   * Writes the mailbox's whole state; while a write is in flight, later
   * signals accumulate and go in the next one. A burst of candidates thus
   * costs a write or two, and nothing waits on a timer.
   */
  private flush(to: string, out: Outgoing): void {
    if (out.writing || !out.dirty || this.closed || this.outgoing.get(to) !== out) return;
    out.writing = true;
    out.dirty = false;
    const { epoch, description, candidates } = out.box.state;
    linkCallUsage.mailboxWrites += 1;
    updateDoc(doc(this.db, CALLS_COLLECTION, this.callId, SIGNALS_SUBCOLLECTION, signalId(this.uid, to)), {
      epoch,
      description,
      candidates,
      // The rules require each write to count itself: n = stored n + 1.
      n: increment(1),
      updatedAt: serverTimestamp(),
    })
      .catch((err: unknown) => {
        // Refused once the other member left (the mailbox is deleted with them).
        if (!this.closed && this.outgoing.get(to) === out) console.warn('signal not sent', err);
      })
      .finally(() => {
        out.writing = false;
        this.flush(to, out);
      });
  }

  /** Presence: the backend counts us while `seenAt` is recent (LINK_LEASE_MS). */
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

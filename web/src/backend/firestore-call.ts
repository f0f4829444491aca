/**
 * Calls over Cloud Functions and Firestore (docs/PROTOCOL.md), random and by
 * link alike: the page listens to the mailboxes addressed to it, writes its
 * own mailboxes, and refreshes its presence. A call by link's page listens
 * to its document too (members, settings); a random call's never reads its
 * document: its mailboxes tell of the match and of the call's end. The rules
 * let only members read any of it, and only the sender write a mailbox.
 * Link calls' membership goes through the createCall, peekCall, enterCall
 * and leaveCall callables; a random call's through the matcher
 * (functions-matcher.ts).
 */
import {
  CALLS_COLLECTION,
  CONNECTED_AT_FIELD,
  MEMBERS_SUBCOLLECTION,
  presenceTiming,
  randomSeenAtField,
  type CallAvailability,
  type CallKind,
  type CreateCallRequest,
  type CreateCallResult,
  type EnterCallResult,
} from '@parley/functions/protocol';
import {
  doc,
  FieldPath,
  getDocFromServer,
  increment,
  onSnapshot,
  serverTimestamp,
  updateDoc,
  type DocumentSnapshot,
  type Firestore,
} from 'firebase/firestore';
import { HeldQueue } from '../engine/held-queue.js';
import type { LinkTag } from '../engine/mailbox.js';
import type { LinkSignal } from '../engine/types.js';
import type { Callables } from './callable.js';
import type { CallConnection, CallConnectionHandlers, CallService, LinkCallSettings, RandomCallSight } from '../flows/backend.js';
import { countUsage, listenToMailboxes, MailboxWriter } from './firestore-mailbox.js';
import { callOnUnload } from './keepalive.js';
import { retryTransient } from './retry.js';

export class FirestoreCallService implements CallService {
  constructor(
    private readonly call: Callables,
    private readonly db: Firestore,
    /** URL of the `leaveCall` callable, for the keepalive request at unload. */
    private readonly leaveUrl: string,
    private readonly idToken: () => string | null,
  ) {}

  async create(request: CreateCallRequest = {}): Promise<CreateCallResult> {
    return await this.call<CreateCallResult>('createCall', request);
  }

  async peek(callId: string): Promise<CallAvailability> {
    // A read: safe to repeat when the failure says nothing (retry.ts).
    return await retryTransient(() => this.call<CallAvailability>('peekCall', { callId }));
  }

  async enter(callId: string): Promise<EnterCallResult> {
    // Safe to repeat: a member who enters again keeps the seat (functions/src/calls/link-calls.ts).
    return await retryTransient(() => this.call<EnterCallResult>('enterCall', { callId }));
  }

  async leave(callId: string): Promise<void> {
    await this.call('leaveCall', { callId });
  }

  leaveOnUnload(callId: string): void {
    callOnUnload(this.leaveUrl, this.idToken(), { callId });
  }

  async setScreenIncoming(callId: string, on: boolean): Promise<void> {
    // The rules take it from the creator alone, as a flip counted up by one (docs/PROTOCOL.md).
    countUsage('call (screening setting)', { writes: 1 });
    await updateDoc(doc(this.db, CALLS_COLLECTION, callId), { screenIncoming: on, screeningChanges: increment(1) });
  }
}

interface Outgoing {
  readonly to: string;
  /** A signal; or a write with nothing new of its own: a probe, or an acknowledgement of the match (MailboxWriter). */
  readonly signal: LinkSignal | 'probe' | 'acknowledgement';
  readonly tag: LinkTag;
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
  /** Backend.connect was given `random`: the call's document is never read (but to check, refresh). */
  private readonly random: boolean;
  /** The members as last seen. */
  private members: readonly string[] = [];
  /** A random call's joiner: the members join answered, until the mailbox listener's first answer. */
  private joined: readonly string[] | null = null;
  /** A random call's joiner that makes its mailbox to the waiter with its first write (RandomCallSight.makesMailbox). */
  private readonly makesMailbox: { readonly expireAtMs: number } | null;
  /** The call document as last read (null: none); undefined before the first. */
  private callState: string | null | undefined = undefined;
  /** mediaConnected: asked for (written once the call is seen), and written. */
  private connectedAsked = false;
  private connectedWritten = false;

  constructor(
    private readonly db: Firestore,
    private readonly callId: string,
    private readonly uid: string,
    private readonly handlers: CallConnectionHandlers,
    /** Backend.connect's `random`. */
    random?: RandomCallSight,
  ) {
    this.random = random !== undefined;
    this.makesMailbox = random?.makesMailbox ?? null;
    if (random) {
      // A joiner's members come from join's answer. Its writes still wait
      // for the mailbox listener's first answer, as they used to wait for the
      // call's listener: the previous release's timing. Writing at once did
      // not measurably help (docs/PERFORMANCE.md, 2026-12-05, evening).
      this.joined = random.members;
    } else {
      this.listenToCall();
    }
    this.mailboxes = listenToMailboxes(
      db,
      callId,
      uid,
      (from, signal, tag) => {
        if (!this.closed) this.handlers.signal(from, signal, tag);
      },
      (err) => {
        if (!this.closed) console.warn('signal listener stopped', err);
      },
      (from, bare, tag) => {
        if (!this.closed) this.handlers.activity(from, bare, tag);
      },
      {
        seen: (from) => this.mailboxSeen(from),
        gone: () => this.mailboxGone(),
        synced: (senders) => this.mailboxesSynced(senders),
      },
    );
    this.unsubscribers.push(() => this.mailboxes.stop());
  }

  /**
   * A mailbox addressed to us exists. For a random call's waiter, the
   * first one is the match: join creates the call with its mailboxes in one
   * commit, or the joiner makes its own with its answer (the rules let only
   * the call's `members[0]` make one, to `members[1]`), so its sender is
   * the joiner, `members[0]`.
   */
  private mailboxSeen(from: string): void {
    if (!this.closed && this.random && !this.seenCall && this.joined === null) this.sawCall('random', [from, this.uid], null);
  }

  /**
   * A mailbox addressed to us was deleted. A random call's two mailboxes go
   * in the commit that deletes the call (cleanup/call-end.ts), and never
   * otherwise: the call ended. (A call by link deletes a member's mailboxes
   * when that member leaves; its document says so.)
   */
  private mailboxGone(): void {
    if (!this.closed && this.random) this.handlers.ended();
  }

  /**
   * The mailbox listener's first answer, with the senders of what it found.
   * A joiner starts sending now (the caller holds the members: nothing to
   * tell it). Its call was created with the waiter's mailbox (the one
   * addressed to us) before join answered, so a partner's mailbox missing
   * from this answer means the call may have ended in between: read the
   * call once to know.
   */
  private mailboxesSynced(senders: ReadonlySet<string>): void {
    if (this.closed || !this.random) return;
    if (this.joined !== null) {
      const members = this.joined;
      this.joined = null;
      this.sawCall('random', members, null, false);
    }
    if (!this.seenCall) return;
    if (this.members.every((m) => m === this.uid || senders.has(m))) return;
    this.refresh().catch((err: unknown) => {
      if (!this.closed) console.warn('call not read', err);
    });
  }

  /** Listens to a call by link's document (members, settings; its deletion is the call's end). */
  private listenToCall(): void {
    if (this.closed) return;
    /** Whether the server has answered this listener yet (before, snapshots come from the cache). */
    let synced = false;
    const stop = onSnapshot(
      doc(this.db, CALLS_COLLECTION, this.callId),
      // With metadata changes, so that the server's first word comes even
      // where it only confirms the cached state skipped below.
      { includeMetadataChanges: true },
      (snap) => {
        // Until the server has answered, the cache holds the call as an
        // earlier listener last saw it: for a member entering the same call
        // again on the same page, the old membership, in which it came
        // earlier than it does now, so that it took the wrong role on its
        // new links (see listenToMailboxes).
        if (!synced && snap.metadata.fromCache) return;
        synced = true;
        // A change of metadata alone (our own write stored, the stream back)
        // is nothing new.
        const state = snap.exists() ? JSON.stringify(snap.data()) : null;
        if (this.callState !== undefined && state === this.callState) return;
        this.callState = state;
        if (!snap.metadata.fromCache)
          countUsage(snap.exists() ? 'call (listener)' : 'call (listener, no document)', { reads: 1 });
        this.seen(snap);
      },
      (err) => {
        if (this.closed) return;
        const code = (err as { code?: unknown }).code;
        console.warn('call listener stopped', code, err);
        // The rules refuse the read once we are no longer a member (our
        // lease lapsed and the backend removed us). Anything else (the
        // backend overloaded, a dropped stream) is not a removal: read once
        // and listen again while we are still a member.
        if (code === 'permission-denied') {
          this.handlers.removed();
          return;
        }
        this.refresh().then(
          (exists) => {
            if (exists) this.listenToCall();
          },
          (refreshErr: unknown) => {
            if (!this.closed && (refreshErr as { code?: unknown }).code === 'permission-denied') this.handlers.removed();
          },
        );
      },
    );
    this.unsubscribers.push(stop);
  }

  send(to: string, signal: LinkSignal, tag: LinkTag): Promise<void> {
    return this.enqueue(to, signal, tag);
  }

  probe(to: string, tag: LinkTag): Promise<void> {
    return this.enqueue(to, 'probe', tag);
  }

  acknowledge(to: string, tag: LinkTag): Promise<void> {
    return this.enqueue(to, 'acknowledgement', tag);
  }

  drop(to: string): void {
    this.writers.get(to)?.close();
    this.writers.delete(to);
    this.mailboxes.forget(to);
  }

  /** Reads the call once from the server and reports it as the listener would; resolves whether it exists. */
  private async refresh(): Promise<boolean> {
    const snap = await getDocFromServer(doc(this.db, CALLS_COLLECTION, this.callId));
    countUsage('call (refresh)', { reads: 1 });
    this.seen(snap);
    return snap.exists();
  }

  mediaConnected(): void {
    this.connectedAsked = true;
    this.recordConnected();
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

  private enqueue(to: string, signal: Outgoing['signal'], tag: LinkTag): Promise<void> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise<void>((resolve, reject) => this.outgoing.push({ to, signal, tag, resolve, reject }));
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
    const members = snap.get('members') as unknown;
    const list = Array.isArray(members) ? members.filter((m): m is string => typeof m === 'string') : [];
    const creator = snap.get('creator') as unknown;
    const kind: CallKind = snap.get('kind') === 'link' ? 'link' : 'random';
    const settings =
      kind === 'link'
        ? {
            creator: typeof creator === 'string' ? creator : null,
            // Only false turns it off (docs/PROTOCOL.md).
            screenIncoming: snap.get('screenIncoming') !== false,
          }
        : null;
    this.sawCall(kind, list, settings);
  }

  confirm(members: readonly string[]): void {
    // Only the matcher confirms: join's word about a random call.
    if (!this.closed) this.sawCall('random', members, null);
  }

  /**
   * The call exists with these members: from the listener, a refresh, a
   * random call's first mailbox, or the backend's word (confirm,
   * Backend.connect's joiner). `tell`: whether to report the members.
   */
  private sawCall(kind: CallKind, list: readonly string[], settings: LinkCallSettings | null, tell = true): void {
    this.members = list;
    if (!this.seenCall) {
      this.seenCall = true;
      this.outgoing.open(({ to, signal, tag, resolve, reject }) => {
        let writer = this.writers.get(to);
        if (!writer) {
          // A random call has one other member: the joiner's only mailbox is to the waiter.
          writer = new MailboxWriter(this.db, this.callId, this.uid, to, this.makesMailbox);
          this.writers.set(to, writer);
        }
        const written =
          signal === 'probe'
            ? writer.probe(tag)
            : signal === 'acknowledgement'
              ? writer.acknowledge(tag)
              : writer.send(signal, tag);
        written.then(resolve, reject);
      });
      // No beat now: whoever made us a member (enterCall, join's match) has
      // just set seenAt, and the rules refuse a beat within 2 s of the last.
      // A random call's beat is five times slower (protocol/calls.ts says why).
      this.heartbeat = setInterval(() => this.beat(), presenceTiming(kind).heartbeatMs);
      this.recordConnected();
    }
    if (!list.includes(this.uid)) {
      this.handlers.removed();
      return;
    }
    if (settings) this.handlers.settings?.(settings);
    if (tell) this.handlers.members([...list]);
  }

  /**
   * The evidence that the call really ran: `connectedAt.<our uid>` in the
   * call document, the time the server stores it (the rules let each member
   * write only its own, once, and only in a random call). In the call
   * document rather than our presence so that whoever ends the call can
   * delete everything under it at once and the record still reaches the
   * history (docs/SECURITY.md). Not before the call is seen (a link cannot
   * connect sooner anyway).
   */
  private recordConnected(): void {
    if (this.closed || !this.connectedAsked || this.connectedWritten || !this.seenCall) return;
    this.connectedWritten = true;
    countUsage('call (connected)', { writes: 1 });
    updateDoc(doc(this.db, CALLS_COLLECTION, this.callId), new FieldPath(CONNECTED_AT_FIELD, this.uid), serverTimestamp()).catch(
      (err: unknown) => {
        if (!this.closed) console.warn('connection not recorded', err);
      },
    );
  }

  /**
   * Presence: the backend counts us while our last beat is recent (the call
   * kind's lease, presenceTiming). In a random call, our role's field of
   * the call document (we asked join for it: functions-matcher.ts), which
   * nobody reads; in a call by link, our `members/{uid}` document.
   */
  private beat(): void {
    if (this.closed) return;
    const field = this.random ? randomSeenAtField(this.members, this.uid) : null;
    if (this.random && field === null) return;
    countUsage(this.random ? 'call (presence heartbeat)' : 'presence (heartbeat)', { writes: 1, heartbeat: true });
    const write =
      field !== null
        ? updateDoc(doc(this.db, CALLS_COLLECTION, this.callId), { [field]: serverTimestamp() })
        : updateDoc(doc(this.db, CALLS_COLLECTION, this.callId, MEMBERS_SUBCOLLECTION, this.uid), { seenAt: serverTimestamp() });
    write.catch((err: unknown) => {
      if (this.closed) return;
      const code = (err as { code?: unknown }).code;
      if (code !== 'permission-denied' && code !== 'not-found') {
        console.warn('presence not refreshed', err);
        return;
      }
      // Refused: our presence is gone (the lease lapsed while this page was
      // frozen or offline, and the backend removed us), or the beat came too
      // soon after the last. Ask once instead of beating into refusals: a
      // page that is no longer a member is told (handlers.removed) and its
      // flow decides what to do (a call by link enters again).
      void this.refresh().catch((refreshErr: unknown) => {
        if (!this.closed && (refreshErr as { code?: unknown }).code === 'permission-denied') this.handlers.removed();
      });
    });
  }
}

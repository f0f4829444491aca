/**
 * Signaling mailboxes in Firestore (docs/PROTOCOL.md, "Mailboxes"): one
 * document per direction between two members of a call,
 * `calls/{callId}/signals/{from}_{to}`, created empty by the functions (a
 * random call's joiner makes its own with its first write). The
 * sender rewrites its whole state (latest description, every candidate) with
 * each write; the receiver listens to the mailboxes addressed to it. Used by
 * random calls and calls by link alike.
 */
import { CALLS_COLLECTION, MAX_SIGNAL_CANDIDATES, SIGNALS_SUBCOLLECTION, signalId } from '@parley/functions/protocol';
import {
  collection,
  doc,
  increment,
  onSnapshot,
  query,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  where,
  type Firestore,
} from 'firebase/firestore';
import { MailboxInbox, MailboxOutbox, type LinkTag } from '../engine/mailbox.js';
import type { LinkSignal } from '../engine/types.js';

/**
 * Firestore operations this page's calls have caused, random or by link,
 * counted as they are billed (a listener's first empty answer is one read).
 * `writes` counts every write (mailboxes and heartbeats); `heartbeats` the
 * waiting and presence heartbeats among them. Diagnostics for the benchmark
 * and DevTools (`parleyUsage`); never sent anywhere. One rule of a client's
 * write reads another document, billed as a read: the making of a joiner's
 * mailbox reads the call (firestore.rules, isJoinerMailboxCreate), counted
 * here with that write.
 */
export const usage = {
  reads: 0,
  writes: 0,
  heartbeats: 0,
  /** The same operations by what they were for (e.g. `mailbox (write: candidates)`), so the benchmark can name each. */
  named: {} as Record<string, { reads: number; writes: number }>,
};

/** Counts operations of this page under `what`, and in the totals. */
export function countUsage(
  what: string,
  { reads = 0, writes = 0, heartbeat = false }: { reads?: number; writes?: number; heartbeat?: boolean },
): void {
  usage.reads += reads;
  usage.writes += writes;
  if (heartbeat) usage.heartbeats += writes;
  const named = (usage.named[what] ??= { reads: 0, writes: 0 });
  named.reads += reads;
  named.writes += writes;
}

/**
 * One outgoing mailbox. At most one write is in flight; signals that arrive
 * meanwhile go into the next write, so a burst of candidates costs a write or
 * two and nothing waits on a timer. Signals sent in one task go in one
 * write: a description and the candidates that were held behind it (a
 * random call's joiner holds what it sends until its listener has
 * answered) reach the other end together, not one write apart.
 */
export class MailboxWriter {
  private readonly box = new MailboxOutbox(MAX_SIGNAL_CANDIDATES);
  private writing: Promise<void> | null = null;
  /** Signals added since the last write started, with their senders' promises (`probe`: a probe's). */
  private waiting: { resolve: () => void; reject: (err: unknown) => void; probe: boolean }[] = [];
  /** Something new (a signal) is waiting for the next write. */
  private fresh = false;
  private closed = false;
  /** A flush is due at the end of this task. */
  private due = false;
  /** A description waits for the next write (which the benchmark's breakdown then names so). */
  private describes = false;
  /** An acknowledgement of the match waits for the next write (named so in the breakdown). */
  private acknowledges = false;

  constructor(
    private readonly db: Firestore,
    private readonly callId: string,
    private readonly from: string,
    private readonly to: string,
    /**
     * The mailbox does not exist yet: our first write makes it (a random
     * call's joiner, RandomCallSight.makesMailbox), with this expiry, the
     * call's, as the rules require. Null once made (or when join made it).
     */
    private makes: { readonly expireAtMs: number } | null = null,
  ) {}

  /** Resolves once a write containing `signal` is acknowledged. `tag`: the link it belongs to (engine/mailbox.ts). */
  send(signal: LinkSignal, tag: LinkTag): Promise<void> {
    if (this.closed) return Promise.reject(new Error('mailbox closed'));
    this.box.retag(tag);
    if (!this.box.add(signal)) return Promise.reject(new Error('mailbox full: candidate not sent'));
    this.fresh = true;
    if ('description' in signal) this.describes = true;
    return this.write(false);
  }

  /**
   * A write with nothing new (the same state, n + 1): a sign of life for the
   * reader, or a new link's first word. Joins a write already waiting, if
   * any, instead of adding one, unless that write carries something new: the
   * reader answers only a write with nothing new (engine/liveness.ts,
   * partnerWrote), so a probe that rode on a description or candidates would
   * go unanswered and the partner be judged gone while alive (seen: a glare
   * of ICE restarts between Chromium and Firefox, where Firefox's probe went
   * out with its answer and both pages ended the call as "Stranger left").
   * Then the probe is the write after it.
   */
  probe(tag: LinkTag): Promise<void> {
    if (this.closed) return Promise.reject(new Error('mailbox closed'));
    this.box.retag(tag);
    return this.write(true);
  }

  /**
   * A random call's acknowledgement of the match (docs/PROTOCOL.md, step
   * 3): a write that tells the joiner we are here, carrying whatever else
   * waits to go, the waiter's relay candidates that the match released in
   * the same task. Unlike a probe it rides with them: nobody answers it (the
   * joiner only takes any write as a sign of life), and as a write of its
   * own after them it cost every random call one mailbox write more.
   * Bare, and then a probe for the reader, when nothing else waits.
   */
  acknowledge(tag: LinkTag): Promise<void> {
    if (this.closed) return Promise.reject(new Error('mailbox closed'));
    this.box.retag(tag);
    this.acknowledges = true;
    return this.write(false);
  }

  private write(probe: boolean): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject, probe }));
    if (!this.due) {
      this.due = true;
      queueMicrotask(() => {
        this.due = false;
        this.flush();
      });
    }
    return done;
  }

  /** What the next write is for, as the benchmark's breakdown names it. */
  private kindOfWrite(): string {
    if (this.describes) return 'description';
    if (this.acknowledges) return this.fresh ? 'acknowledgement with candidates' : 'acknowledgement';
    return this.fresh ? 'candidates' : 'probe';
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('mailbox closed'));
  }

  private flush(): void {
    if (this.writing || this.waiting.length === 0 || this.closed) return;
    // A write that carries something new takes no probe with it (see probe).
    const batch = this.fresh ? this.waiting.filter((w) => !w.probe) : this.waiting.splice(0);
    if (this.fresh) this.waiting = this.waiting.filter((w) => w.probe);
    const kind = this.kindOfWrite();
    this.fresh = false;
    this.describes = false;
    this.acknowledges = false;
    // Every write replaces the whole state (the rules take these six fields and n, updatedAt).
    const { link, peer, epoch, description, previous, candidates } = this.box.state;
    const state = { link, peer, epoch, description, previous, candidates };
    const ref = doc(this.db, CALLS_COLLECTION, this.callId, SIGNALS_SUBCOLLECTION, signalId(this.from, this.to));
    const makes = this.makes;
    let written: Promise<void>;
    if (makes) {
      // The first write makes the mailbox: the whole document, n 1. Later
      // writes wait for this one (one in flight), so they find it made.
      this.makes = null;
      countUsage(`mailbox (write: ${kind}, making it)`, { writes: 1 });
      countUsage('rules (the call, read to let the joiner make its mailbox)', { reads: 1 });
      written = setDoc(ref, {
        from: this.from,
        to: this.to,
        ...state,
        n: 1,
        updatedAt: serverTimestamp(),
        expireAt: Timestamp.fromMillis(makes.expireAtMs),
      }).catch((err: unknown) => {
        // Not made (a lost connection, a call that ended): the next write tries again.
        this.makes ??= makes;
        throw err;
      });
    } else {
      countUsage(`mailbox (write: ${kind})`, { writes: 1 });
      written = updateDoc(ref, {
        ...state,
        // The rules require each write to count itself: n = stored n + 1.
        n: increment(1),
        updatedAt: serverTimestamp(),
      });
    }
    this.writing = written.then(
      () => {
        for (const w of batch) w.resolve();
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
    void this.writing.finally(() => {
      this.writing = null;
      this.flush();
    });
  }
}

/**
 * Listens to every mailbox of `callId` addressed to `uid` and hands each
 * new signal to `onSignal`, in order per sender. Returns the unsubscribe.
 */
export function listenToMailboxes(
  db: Firestore,
  callId: string,
  uid: string,
  onSignal: (from: string, signal: LinkSignal, tag: LinkTag | null) => void,
  onError: (err: unknown) => void,
  /** After each write of `from` (its signals first): `bare` when it carried nothing new. */
  onWrite: (from: string, bare: boolean, tag: LinkTag | null) => void,
  /** What the listener sees of the mailboxes themselves (not presence documents: those nobody reads). */
  sight: {
    /** A mailbox addressed to us is there (each time it is read, before its signals). */
    seen?: (from: string) => void;
    /** A mailbox addressed to us was deleted (after the first answer). */
    gone?: (from: string) => void;
    /** The server's first answer, with the senders of the mailboxes it holds. */
    synced?: (senders: ReadonlySet<string>) => void;
  } = {},
): { stop(): void; forget(from: string): void } {
  const inboxes = new Map<string, MailboxInbox>();
  let first = true;
  /** Whether the server has answered this listener yet: until it has, snapshots come from the cache. */
  let synced = false;
  const unsubscribe = onSnapshot(
    query(collection(db, CALLS_COLLECTION, callId, SIGNALS_SUBCOLLECTION), where('to', '==', uid)),
    // With metadata changes: where the server only confirms what the cache
    // said, only the snapshot's metadata changes, and without them nothing
    // would follow the cached snapshot skipped below.
    { includeMetadataChanges: true },
    (snap) => {
      // Until the server has answered, what the cache holds is what an
      // earlier listener of the same query last saw: a member who left and
      // entered the same call again on the same page got the mailboxes as
      // its last session left them (the backend has since replaced them),
      // and meeting the old links there bound its new links to links long
      // closed (issue 17: a rejoining member's link to another never
      // connected, 4 runs in 5). Later snapshots are read as they come,
      // from the cache or not (after a dropped stream, the server's news
      // arrives marked as from the cache until the listener is current again).
      if (!synced && snap.metadata.fromCache) return;
      // The first answer is read whole: its changes are counted from the skipped snapshot.
      const all = synced ? snap.docChanges() : snap.docs.map((d) => ({ type: 'added' as const, doc: d }));
      const changes = all.filter((c) => c.type !== 'removed'); // metadata-only changes are left out
      const removed = all.filter((c) => c.type === 'removed');
      const answered = !synced;
      synced = true;
      if (!snap.metadata.fromCache) {
        countUsage('mailbox (listener)', { reads: first ? Math.max(1, changes.length) : changes.length });
        first = false;
      }
      for (const change of changes) {
        const data = change.doc.data();
        const from = data['from'];
        if (typeof from !== 'string' || from === uid) continue;
        sight.seen?.(from);
        let inbox = inboxes.get(from);
        if (!inbox) inboxes.set(from, (inbox = new MailboxInbox()));
        const signals = inbox.read(data);
        for (const signal of signals) onSignal(from, signal, inbox.tag);
        // n 0 is the mailbox as the functions made it: nobody wrote yet.
        if (typeof data['n'] === 'number' && data['n'] > 0) onWrite(from, signals.length === 0, inbox.tag);
      }
      for (const change of removed) {
        const from = change.doc.get('from') as unknown;
        if (typeof from === 'string' && from !== uid) sight.gone?.(from);
      }
      if (answered) {
        const senders = new Set(snap.docs.map((d) => d.get('from') as unknown).filter((f): f is string => typeof f === 'string'));
        sight.synced?.(senders);
      }
    },
    onError,
  );
  return {
    stop: unsubscribe,
    // A member who left and may come back with fresh mailboxes (epoch from 0).
    forget: (from) => inboxes.delete(from),
  };
}

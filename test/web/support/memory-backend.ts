/**
 * An in-memory backend for the in-browser tests: one tiny "server" that
 * several pages' flows in one page share, for random chat and calls by link
 * alike, so the flows run against real RTCPeerConnections without Firebase.
 * It implements the flows' Backend (web/src/flows/backend.ts) with the same
 * decisions as the real one, in their simplest form:
 *
 * - Random chat (functions/src/matching/matchmaker.ts): join ends every call
 *   the joiner is part of (that is how a partner learns of a Next), then pairs
 *   the joiner with the longest-waiting compatible person, or queues them.
 *   Who fits and who goes first is decided by the server's own pure functions
 *   (widening, choosePartner, sharedPool), so the two cannot drift apart. A
 *   match creates the call under the waiter's callId with members
 *   [joiner, waiter] (the waiter made the first offer) and answers the joiner
 *   {status: 'matched', callId, offer, members, room, waiterSeenMsAgo}.
 *   Joining again from the same room while waiting keeps the place, the
 *   callId and the start of the wait; a renewal whose call already exists
 *   changes nothing. The waiting heartbeat (keepWaiting) marks the entry seen
 *   (a beat), and finds it gone when it was matched or dropped.
 * - Calls by link (functions/src/calls/link-calls.ts): five members at most,
 *   entry order kept, the last leave ends the call.
 * - Every call: one mailbox per direction, delivered as whole states through
 *   the same codec as the Firestore mailboxes (engine/mailbox.ts), several
 *   signals per delivery; each write is a sign of life (`activity`, bare when
 *   it carried nothing new). A connection's writes wait until it has seen its
 *   call; a member's connection hears the members, the call's end, and its
 *   own removal. Nothing is delivered synchronously: every delivery runs in a
 *   later task, as a network would.
 * - Room counts as stats/rooms has them: waiting per entry room, chatting two
 *   per random call in the pool they met in.
 */
import {
  LINK_CALL_ID_LENGTH,
  MAX_CALL_MEMBERS,
  MAX_SIGNAL_CANDIDATES,
  type CallAvailability,
  type CreateCallRequest,
  type CreateCallResult,
  type EnterCallResult,
} from '@parley/functions/protocol';
import { choosePartner, sharedPool, widening } from '../../../functions/src/domain/pairing.js';
import { emptyRoomCounts, type RoomCount, type RoomCounts } from '../../../functions/src/protocol/room-counts.js';
import { isRoomId, type RoomId } from '../../../functions/src/protocol/rooms.js';
import { MailboxInbox, MailboxOutbox, type LinkTag, type MailboxState } from '../../../web/src/engine/mailbox.js';
import type { LinkSignal, SessionDescription } from '../../../web/src/engine/types.js';
import type {
  Backend,
  CallConnection,
  CallConnectionHandlers,
  CallService,
  JoinOptions,
  JoinResult,
  LinkCallSettings,
  Matcher,
} from '../../../web/src/flows/backend.js';

/** A later task: how every response and message arrives. */
function nextTask(ms = 0): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Errors shaped like Firebase callable errors, so backendProblem() maps them as in production. */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** One write of a member into its mailbox to another: a description or candidate, or null for a probe. */
export interface MailboxWrite {
  readonly from: string;
  readonly to: string;
  readonly signal: LinkSignal | null;
  readonly tag: LinkTag;
}

export interface MemoryCall {
  readonly id: string;
  readonly kind: 'random' | 'link';
  members: string[];
  /** The pool a random pair met in. */
  readonly room: string | null;
  /** Every signal written, in order (tests read what reached whom). */
  readonly messages: MailboxWrite[];
  readonly outboxes: Map<string, MailboxOutbox>;
  /** A call by link's creator and screening setting (LinkCallDoc); null for a random call. */
  settings: LinkCallSettings | null;
}

interface WaitingEntry {
  readonly uid: string;
  readonly room: string;
  readonly offer: SessionDescription;
  readonly callId: string;
  /** Arrival order; kept by a renewal, like createdAt on the server. */
  readonly order: number;
  /** When the wait started (Date.now() ms); kept by a renewal, widening counts from it. */
  readonly waitingSinceMs: number;
  /** Where the entry can be found: its room, and 'any' once widened. */
  readonly pools: readonly string[];
  /** Whom the waiter's page asked to avoid with its join (its recent blocks and reports). */
  readonly avoid: readonly string[];
  /** When the waiter last showed it was alive (its join or its heartbeat), Date.now() ms; `lastBeat` sets it. */
  seenAtMs: number;
}

export interface MemoryServerOptions {
  /** How long an entry waits in a quiet room before a join may widen it to Anyone (server default: 20 s). */
  readonly widenAfterMs?: number;
  /**
   * Every joiner makes its own mailbox with its first write, as the
   * functions let a page that says `makesOwnMailbox` (the page always
   * does): join answers with the call's `expireAtMs`, and the waiter sees
   * the match only once that first write is there. Off: join made both
   * mailboxes, and the waiter sees the match at once.
   */
  readonly joinerMakesMailbox?: boolean;
}

export class MemoryServer {
  private readonly widenAfterMs: number;
  private readonly waiting = new Map<string, WaitingEntry>();
  readonly calls = new Map<string, MemoryCall>();
  private readonly connections = new Set<MemoryConnection>();
  private ids = 0;
  private arrivals = 0;
  /** One line per join, leave and call event, for failure messages. */
  readonly log: string[] = [];
  /** Every join's options, by whom, in order (tests read it). */
  readonly joins: { readonly uid: string; readonly options: JoinOptions }[] = [];
  /** Every random-chat leave, by whom, with the call its page said it was in (tests read it). */
  readonly leaves: { readonly uid: string; readonly callId: string | null }[] = [];
  /** Every call-service request, in order (tests read it). */
  readonly requests: { uid: string; name: string; callId?: string }[] = [];
  /**
   * Pages whose call listener misses the call's creation, as a Firestore
   * listener attached just before the document was created did (docs/
   * PERFORMANCE.md, "Paired, but no media"). Their connection learns of the
   * call only when the backend confirms it (a renewal's 'paired'); on the
   * emulator, reading the call again missed it too.
   */
  readonly missCallCreation = new Set<string>();
  /**
   * Pages whose call listener is slow: it sees the call (and its members)
   * only once `releaseCallSight` is called, while their mailboxes are
   * delivered as usual. Firestore's listeners of the call and of the
   * mailboxes are separate, and either may come first.
   */
  private readonly callSightHeld = new Set<string>();
  /** Pages whose mailboxes are not delivered either (holdEverything). */
  private readonly mailboxesHeld = new Set<string>();

  holdCallSight(uid: string): void {
    this.callSightHeld.add(uid);
  }

  releaseCallSight(uid: string): void {
    this.callSightHeld.delete(uid);
    this.mailboxesHeld.delete(uid);
    for (const c of this.connections) {
      if (c.uid !== uid) continue;
      c.scheduleSync();
      c.deliverHeld();
    }
  }

  /**
   * A page that hears nothing at all for a while (a loaded device): neither
   * its call nor its mailboxes, until `releaseCallSight`. Its writes wait
   * for its sight of the call, so its partner hears nothing from it either.
   */
  holdEverything(uid: string): void {
    this.callSightHeld.add(uid);
    this.mailboxesHeld.add(uid);
  }

  mailboxesHeldFor(uid: string): boolean {
    return this.mailboxesHeld.has(uid);
  }

  /** Sets when `uid`, waiting, last showed it was alive: a page whose tab died stops beating. */
  lastBeat(uid: string, atMs: number): void {
    const entry = this.waiting.get(uid);
    if (!entry) throw new Error(`${uid} is not waiting`);
    entry.seenAtMs = atMs;
  }

  callSightHeldFor(uid: string): boolean {
    return this.callSightHeld.has(uid);
  }
  /** Who blocked whom (report blocks too), as the functions keep it. */
  readonly blocks = new Map<string, Set<string>>();
  /** While set, Report and Block requests wait for it, as behind a cold or slow function (holdModeration). */
  private moderationHeld: Promise<void> | null = null;
  readonly reports: Array<{ reporter: string; reported: string; reason: string; callId: string }> = [];
  /** Each page's records that its link connected, in order (see recordConnected). */
  readonly connectedRecords: Array<{ callId: string; uid: string }> = [];
  /** Members of ended random calls, so Report and Block work right after a call. */
  private readonly history = new Map<string, readonly string[]>();
  private readonly countListeners = new Set<(counts: RoomCounts) => void>();
  /** The counts last delivered, to deliver only real changes. */
  private lastCounts = JSON.stringify(emptyRoomCounts());

  /** MemoryServerOptions.joinerMakesMailbox. */
  readonly joinerMakesMailbox: boolean;
  /** Pages whose mailbox writes take this long to land (a slow network or a loaded device), in ms. */
  readonly slowWrites = new Map<string, number>();

  constructor({ widenAfterMs = 20_000, joinerMakesMailbox = false }: MemoryServerOptions = {}) {
    this.widenAfterMs = widenAfterMs;
    this.joinerMakesMailbox = joinerMakesMailbox;
  }

  /** Whether `uid`, a random call's waiter, cannot see it yet: its joiner has not made its mailbox (joinerMakesMailbox). */
  waitsForJoinerMailbox(call: MemoryCall, uid: string): boolean {
    const [joiner, waiter] = call.members;
    return this.joinerMakesMailbox && call.kind === 'random' && waiter === uid && !call.outboxes.has(`${joiner}_${uid}`);
  }

  /** A Backend for one anonymous person (one page). */
  backend(uid: string = `user${++this.ids}`): Backend {
    return {
      uid,
      matcher: this.matcher(uid),
      calls: this.callService(uid),
      connect: (callId, handlers) => new MemoryConnection(this, callId, uid, handlers),
      watchRoomCounts: (listener) => this.watchRoomCounts(listener),
    };
  }

  private matcher(uid: string): Matcher {
    return {
      join: async (room, offer, options) => {
        await nextTask();
        const result = this.join(uid, room, offer, options);
        await nextTask();
        return result;
      },
      keepWaiting: (placeLost) => {
        // Every 100 ms here (5 s in production): a beat; the entry gone means matched or lost.
        const timer = setInterval(() => {
          const entry = this.waiting.get(uid);
          if (entry) {
            entry.seenAtMs = Date.now();
            return;
          }
          clearInterval(timer);
          placeLost();
        }, 100);
        return () => clearInterval(timer);
      },
      leave: async (callId) => {
        await nextTask();
        this.leave(uid, callId);
      },
      leaveOnUnload: (callId) => {
        setTimeout(() => this.leave(uid, callId), 0);
      },
      report: async (callId, reason) => {
        await nextTask();
        await this.moderationHeld;
        const reported = this.moderate(uid, callId);
        this.reports.push({ reporter: uid, reported, reason, callId });
      },
      block: async (callId) => {
        await nextTask();
        await this.moderationHeld;
        this.moderate(uid, callId);
      },
    };
  }

  private callService(uid: string): CallService {
    const request = (name: string, callId?: string) => this.requests.push({ uid, name, ...(callId ? { callId } : {}) });
    return {
      create: async (options: CreateCallRequest = {}): Promise<CreateCallResult> => {
        request('createCall');
        const callId = `call${++this.ids}`.padEnd(LINK_CALL_ID_LENGTH, 'x');
        const screenIncoming = options.screenIncoming ?? true;
        this.calls.set(callId, {
          id: callId,
          kind: 'link',
          members: [uid],
          room: null,
          messages: [],
          outboxes: new Map(),
          settings: { creator: uid, screenIncoming },
        });
        return { callId, members: [uid], capacity: MAX_CALL_MEMBERS, screenIncoming };
      },
      setScreenIncoming: async (callId, on) => {
        request('setScreenIncoming', callId);
        await nextTask();
        const call = this.calls.get(callId);
        // As the rules: the creator, while a member, and a real change.
        if (
          !call?.settings ||
          call.settings.creator !== uid ||
          !call.members.includes(uid) ||
          call.settings.screenIncoming === on
        )
          throw Object.assign(new Error('Missing or insufficient permissions.'), { code: 'permission-denied' });
        call.settings = { ...call.settings, screenIncoming: on };
        this.changed(callId);
      },
      peek: async (callId): Promise<CallAvailability> => {
        request('peekCall', callId);
        const call = this.calls.get(callId);
        if (!call) return { status: 'ended' };
        const members = call.members.length;
        return { status: members >= MAX_CALL_MEMBERS ? 'full' : 'open', members, capacity: MAX_CALL_MEMBERS };
      },
      enter: async (callId): Promise<EnterCallResult> => {
        request('enterCall', callId);
        const call = this.calls.get(callId);
        if (!call) return { status: 'ended' };
        if (!call.members.includes(uid)) {
          if (call.members.length >= MAX_CALL_MEMBERS)
            return { status: 'full', members: call.members.length, capacity: MAX_CALL_MEMBERS };
          call.members.push(uid);
          this.changed(callId);
        }
        return {
          status: 'entered',
          members: [...call.members],
          capacity: MAX_CALL_MEMBERS,
          screenIncoming: call.settings?.screenIncoming ?? true,
        };
      },
      leave: async (callId) => {
        request('leaveCall', callId);
        this.removeMember(callId, uid);
      },
      leaveOnUnload: (callId) => {
        request('leaveCall', callId);
        setTimeout(() => this.removeMember(callId, uid), 0);
      },
    };
  }

  /** The room counts as the functions would write them to stats/rooms. */
  roomCounts(): RoomCounts {
    const counts = emptyRoomCounts() as Record<RoomId, RoomCount>;
    const add = (room: string | null, waiting: number, chatting: number) => {
      if (!isRoomId(room)) return; // the document only has rooms of the list
      const c = counts[room];
      counts[room] = { waiting: c.waiting + waiting, chatting: c.chatting + chatting };
    };
    for (const entry of this.waiting.values()) add(entry.room, 1, 0);
    for (const call of this.calls.values()) if (call.kind === 'random') add(call.room, 0, 2);
    return counts;
  }

  /** A listener of stats/rooms: the counts now, then each change, always in a later task. */
  private watchRoomCounts(listener: (counts: RoomCounts) => void): () => void {
    this.countListeners.add(listener);
    const counts = this.roomCounts();
    setTimeout(() => {
      if (this.countListeners.has(listener)) listener(counts);
    }, 0);
    return () => this.countListeners.delete(listener);
  }

  /** Called after every change to the queue or the calls; tells the listeners when a count moved. */
  private countsMaybeChanged(): void {
    const counts = this.roomCounts();
    const json = JSON.stringify(counts);
    if (json === this.lastCounts) return;
    this.lastCounts = json;
    for (const listener of this.countListeners) {
      setTimeout(() => {
        if (this.countListeners.has(listener)) listener(counts);
      }, 0);
    }
  }

  /** How many room-counts listeners are open (pages watch only outside calls). */
  get roomCountWatchers(): number {
    return this.countListeners.size;
  }

  /** Whether `uid` is in the queue. */
  isWaiting(uid: string): boolean {
    return this.waiting.has(uid);
  }

  /**
   * Holds every Report and Block request until the returned function is
   * called: the block is stored only then, as with a cold `block` function.
   */
  holdModeration(): () => void {
    let release = () => {};
    this.moderationHeld = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.moderationHeld = null;
      release();
    };
  }

  /** Ids of the random calls `uid` is a member of. */
  callsOf(uid: string): string[] {
    return [...this.calls.values()].filter((c) => c.kind === 'random' && c.members.includes(uid)).map((c) => c.id);
  }

  /**
   * A member's page recorded that its link connected. Every request is kept
   * (the rules would refuse a second one; tests check the page never sends it).
   */
  recordConnected(callId: string, uid: string): void {
    if (this.calls.get(callId)?.members.includes(uid)) this.connectedRecords.push({ callId, uid });
  }

  /** The call, while it exists. */
  call(callId: string): MemoryCall | undefined {
    return this.calls.get(callId);
  }

  /** The pairing itself; `join` of the Matcher is this after a network hop. */
  join(uid: string, room: string, offer: SessionDescription, options: JoinOptions): JoinResult {
    const { renewing, widen, avoid = [], recent = [] } = options;
    this.joins.push({ uid, options });
    if (typeof room !== 'string' || room === '' || offer?.type !== 'offer' || typeof offer.sdp !== 'string') {
      throw new BackendError('functions/invalid-argument', 'join needs a room and an offer', {
        code: 'invalid-request',
        field: 'offer',
      });
    }
    if (typeof widen !== 'boolean') {
      throw new BackendError('functions/invalid-argument', '"widen" must be true or false.', {
        code: 'invalid-request',
        field: 'widen',
      });
    }
    // A renewal that crossed its own match: change nothing, and say so.
    const crossed = renewing === undefined ? undefined : this.calls.get(renewing);
    if (renewing !== undefined && crossed?.members[1] === uid) {
      this.log.push(`${uid} renew ${room}: already matched in ${renewing}`);
      return { status: 'paired', callId: renewing, members: [crossed.members[0]!, uid] };
    }
    // One person, one call: joining ends the call the page says it leaves
    // (JoinOptions.leaving: that one, or none for null), or every call of
    // the joiner when it says nothing, as the server does. A page that says
    // it holds nothing while it waits is read in full (the server's create
    // of its entry fails, and it reads everything).
    const { leaving } = options;
    const takenAtItsWord = renewing === undefined && leaving !== undefined && !this.waiting.has(uid);
    const ending = !takenAtItsWord ? this.callsOf(uid) : this.callsOf(uid).filter((id) => id === leaving);
    for (const id of ending) this.endCall(id);

    const now = Date.now();
    const previous = this.waiting.get(uid);
    const keepsPlace = previous !== undefined && previous.room === room;
    const waitingSinceMs = keepsPlace ? previous.waitingSinceMs : now;
    const { pools, widened, widenInMs } = widening(room, widen, waitingSinceMs, now, this.widenAfterMs);
    // Skip memory as the page keeps it (the server's own, of calls before the page opened, is not modelled).
    const seeker = {
      uid,
      pools,
      blocked: this.blocks.get(uid) ?? new Set<string>(),
      avoid: new Set(avoid),
      recent: new Set(recent),
    };
    // The beats (seenAtMs) only feed waiterSeenMsAgo; eligibility ignores them, as it does the lease.
    const entries = [...this.waiting.values()].map(({ seenAtMs: _seen, ...e }) => ({
      ...e,
      createdAtMs: e.order,
      leaseExpiresAtMs: Infinity, // a page of these tests never dies without leaving
      blocked: [...(this.blocks.get(e.uid) ?? [])],
    }));
    const partner = choosePartner(seeker, entries, now);
    if (partner !== null) {
      const met = sharedPool(seeker, partner)! as RoomId;
      const waiterSeenMsAgo = Math.max(0, now - this.waiting.get(partner.uid)!.seenAtMs);
      this.waiting.delete(partner.uid);
      this.waiting.delete(uid);
      // The later member makes the first offer: the waiter, whose offer this is.
      const members: [string, string] = [uid, partner.uid];
      this.calls.set(partner.callId, {
        id: partner.callId,
        kind: 'random',
        members,
        room: met,
        messages: [],
        outboxes: new Map(),
        settings: null,
      });
      this.log.push(`${uid} join ${room}: matched with ${partner.uid} in ${partner.callId} (pool ${met})`);
      this.changed(partner.callId);
      this.countsMaybeChanged();
      return {
        status: 'matched',
        callId: partner.callId,
        offer: { type: 'offer', sdp: partner.offer.sdp },
        members: [members[0], members[1]],
        room: met,
        waiterSeenMsAgo,
        ...(this.joinerMakesMailbox ? { expireAtMs: now + 4 * 3600_000 } : {}),
      };
    }

    const entry: WaitingEntry = {
      uid,
      room,
      offer,
      callId: keepsPlace ? previous.callId : `call-${++this.ids}`,
      order: keepsPlace ? previous.order : ++this.arrivals,
      waitingSinceMs,
      pools,
      avoid: [...avoid],
      seenAtMs: now,
    };
    this.waiting.set(uid, entry);
    this.log.push(`${uid} join ${room}: waiting for ${entry.callId} in ${pools.join('+')}`);
    this.countsMaybeChanged();
    return { status: 'waiting', callId: entry.callId, widened, widenInMs };
  }

  /** Report and Block: the other member of a current or recent random call; blocks them and ends the call. */
  private moderate(uid: string, callId: string): string {
    const live = this.calls.get(callId);
    const members = live?.kind === 'random' ? live.members : this.history.get(callId);
    if (!members || !members.includes(uid)) {
      throw new BackendError('functions/not-found', 'No recent call with that id involves you.', { code: 'not-in-call' });
    }
    const other = members.find((m) => m !== uid)!;
    const set = this.blocks.get(uid) ?? new Set<string>();
    set.add(other);
    this.blocks.set(uid, set);
    if (live) this.endCall(callId);
    this.log.push(`${uid} moderated ${other} in ${callId}`);
    return other;
  }

  /** Forgets a waiting entry, as the sweeper does when its lease lapsed (e.g. a tab asleep). */
  dropWaiting(uid: string): void {
    this.waiting.delete(uid);
    this.log.push(`${uid} dropped from the queue`);
    this.countsMaybeChanged();
  }

  /**
   * Leaves the queue and ends the random calls of `uid`. `callId`: the call
   * the page said it is in (LeaveRequest), kept in `leaves` for tests; what
   * ends does not depend on it.
   */
  leave(uid: string, callId?: string): void {
    this.leaves.push({ uid, callId: callId ?? null });
    this.waiting.delete(uid);
    const ended = this.callsOf(uid);
    for (const id of ended) this.endCall(id);
    this.log.push(`${uid} leave (ended ${ended.length} call(s))`);
    this.countsMaybeChanged();
  }

  /** A member leaves a call by link (or is removed, as the sweeper does after their presence lapsed); the last one ends it. */
  removeMember(callId: string, uid: string): void {
    const call = this.calls.get(callId);
    if (!call || !call.members.includes(uid)) return;
    call.members = call.members.filter((m) => m !== uid);
    // Their mailboxes go with them, both ways.
    for (const key of [...call.outboxes.keys()]) if (key.split('_').includes(uid)) call.outboxes.delete(key);
    if (call.members.length === 0) this.endCall(callId);
    else this.changed(callId);
  }

  /**
   * `from` writes its mailbox to `to`: refused once the call or either
   * member is gone (the mailbox goes with them), as the rules do.
   */
  write(callId: string, from: string, to: string, signal: LinkSignal | null, tag: LinkTag): void {
    const call = this.calls.get(callId);
    if (!call) throw new BackendError('not-found', `call ${callId} does not exist`);
    if (!call.members.includes(from) || !call.members.includes(to)) {
      throw new BackendError('permission-denied', `no mailbox ${from}_${to} in ${callId}`);
    }
    const key = `${from}_${to}`;
    let box = call.outboxes.get(key);
    if (!box) {
      call.outboxes.set(key, (box = new MailboxOutbox(MAX_SIGNAL_CANDIDATES)));
      // A joiner's mailbox made by its first write: the waiter sees the match now.
      if (this.joinerMakesMailbox) this.changed(callId);
    }
    box.retag(tag);
    if (signal && !box.add(signal)) throw new BackendError('permission-denied', 'mailbox full');
    call.messages.push({ from, to, signal, tag });
    for (const c of this.connections) if (c.callId === callId && c.uid === to) c.mailboxWritten(from, box.state);
  }

  attach(connection: MemoryConnection): void {
    this.connections.add(connection);
  }

  detach(connection: MemoryConnection): void {
    this.connections.delete(connection);
  }

  private endCall(callId: string): void {
    const call = this.calls.get(callId);
    if (!call || !this.calls.delete(callId)) return;
    if (call.kind === 'random') this.history.set(callId, [...call.members]);
    this.log.push(`${callId} ended`);
    this.changed(callId);
    this.countsMaybeChanged();
  }

  /** Tells every connection to the call to look again (each delivers in a later task). */
  private changed(callId: string): void {
    for (const c of this.connections) if (c.callId === callId) c.scheduleSync();
  }
}

interface Outgoing {
  readonly to: string;
  readonly signal: LinkSignal | null;
  readonly tag: LinkTag;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/** One page's connection to one call (it may not exist yet: a waiter's). */
class MemoryConnection implements CallConnection {
  private seenCall = false;
  private endedReported = false;
  /** The backend confirmed the call (confirm): seen even by a listener that missed its creation. */
  private confirmed = false;
  private syncScheduled = false;
  private closed = false;
  /** What we send before we have seen the call: written once we do, as the Firestore connection does. */
  private held: Outgoing[] = [];
  private readonly inboxes = new Map<string, MailboxInbox>();
  /** Mailbox states to deliver, per sender; later writes pile up behind a delivery in flight. */
  private readonly pending = new Map<string, MailboxState>();

  constructor(
    private readonly server: MemoryServer,
    readonly callId: string,
    readonly uid: string,
    private readonly handlers: CallConnectionHandlers,
  ) {
    server.attach(this);
    this.scheduleSync();
  }

  send(to: string, signal: LinkSignal, tag: LinkTag): Promise<void> {
    return this.enqueue(to, signal, tag);
  }

  probe(to: string, tag: LinkTag): Promise<void> {
    return this.enqueue(to, null, tag);
  }

  /** A probe here: each write of this backend carries one signal at most (see write), so nothing rides with it. */
  acknowledge(to: string, tag: LinkTag): Promise<void> {
    return this.probe(to, tag);
  }

  drop(to: string): void {
    this.inboxes.delete(to);
  }

  confirm(): void {
    this.confirmed = true;
    this.sync();
  }

  /** Whether this page's view of the call misses its creation (missCallCreation), unconfirmed. */
  private missesCall(): boolean {
    return !this.seenCall && !this.confirmed && this.server.missCallCreation.has(this.uid);
  }

  mediaConnected(): void {
    if (!this.closed) this.server.recordConnected(this.callId, this.uid);
  }

  close(): void {
    this.closed = true;
    for (const h of this.held.splice(0)) h.reject(new Error('connection closed'));
    this.server.detach(this);
  }

  scheduleSync(): void {
    if (this.syncScheduled || this.closed) return;
    this.syncScheduled = true;
    setTimeout(() => {
      this.syncScheduled = false;
      this.sync();
    }, 0);
  }

  /** `from` wrote its mailbox to us: deliver its new state after a short delay (a listener's latency). */
  mailboxWritten(from: string, state: MailboxState): void {
    const queued = this.pending.has(from);
    this.pending.set(from, state);
    if (queued) return;
    setTimeout(() => this.deliver(from), 20);
  }

  /** Delivers what `holdEverything` kept back. */
  deliverHeld(): void {
    for (const from of [...this.pending.keys()]) setTimeout(() => this.deliver(from), 20);
  }

  private deliver(from: string): void {
    // Held: stays pending (later writes replace it) until deliverHeld.
    if (this.server.mailboxesHeldFor(this.uid)) return;
    const latest = this.pending.get(from);
    this.pending.delete(from);
    if (this.closed || !latest) return;
    let inbox = this.inboxes.get(from);
    if (!inbox) this.inboxes.set(from, (inbox = new MailboxInbox()));
    const signals = inbox.read(latest);
    for (const signal of signals) this.handlers.signal(from, signal, inbox.tag);
    this.handlers.activity(from, signals.length === 0, inbox.tag);
  }

  private enqueue(to: string, signal: LinkSignal | null, tag: LinkTag): Promise<void> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      if (this.seenCall) this.write({ to, signal, tag, resolve, reject });
      else this.held.push({ to, signal, tag, resolve, reject });
    });
  }

  private write(w: Outgoing): void {
    const slow = this.server.slowWrites.get(this.uid);
    void (slow === undefined ? nextTask() : new Promise((resolve) => setTimeout(resolve, slow))).then(() => {
      if (this.closed) return w.reject(new Error('connection closed'));
      try {
        this.server.write(this.callId, this.uid, w.to, w.signal, w.tag);
        w.resolve();
      } catch (err) {
        w.reject(err);
      }
    });
  }

  private sync(): void {
    if (this.closed) return;
    const call = this.server.call(this.callId);
    if (!call) {
      // Before the match a waiter's call does not exist yet; after it, its end is the news.
      if (this.seenCall && !this.endedReported) {
        this.endedReported = true;
        this.handlers.ended();
      }
      return;
    }
    // A listener that missed the creation sees the call only once the backend confirms it.
    if (this.missesCall()) return;
    if (this.server.callSightHeldFor(this.uid)) return;
    if (this.server.waitsForJoinerMailbox(call, this.uid)) return;
    if (!call.members.includes(this.uid)) {
      if (this.seenCall) this.handlers.removed();
      return;
    }
    if (!this.seenCall) {
      this.seenCall = true;
      // A Firestore listener attached now gets the mailboxes as they are:
      // what the other member wrote before we looked is delivered too.
      for (const [key, box] of call.outboxes) {
        const [from, to] = key.split('_');
        if (to === this.uid && from !== undefined) this.mailboxWritten(from, box.state);
      }
      for (const h of this.held.splice(0)) this.write(h);
    }
    if (call.settings) this.handlers.settings?.(call.settings);
    this.handlers.members([...call.members]);
  }
}

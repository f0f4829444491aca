/**
 * An in-memory Backend for the in-browser tests: a tiny matchmaker and
 * signaling "server" that several ChatSessions in one page share, so the
 * orchestration runs against real RTCPeerConnections without Firebase.
 *
 * It follows the same rules as the real pairing and signaling
 * (functions/src/matching/matchmaker.ts, web/src/backend/firestore-signaling.ts
 * and the comments of web/src/flows/{matcher,signaling}.ts):
 *
 * - join ends every call the joiner is part of (that is how a partner learns
 *   of a Next), then pairs the joiner with the longest-waiting other person
 *   whose pools meet the joiner's (one from the joiner's own room before one
 *   met through Anyone), or queues them. The first joiner gets
 *   {status:'waiting', callId, widened, widenInMs}; the second gets
 *   {status:'matched', callId, offer, room} with the waiting one's offer and
 *   the pool they met in, and the call is created under the waiting one's callId.
 * - Pools (functions/src/domain/pairing.ts): an entry waits in its room's pool.
 *   A join widenAfterMs or more after the entry started waiting,
 *   with widen=true and a room other than 'any', puts it in 'any' too; each
 *   join decides again, as the server does. widenInMs says when that join
 *   should come (null: never, or already widened).
 * - Joining again from the same room while waiting keeps the place, the callId
 *   and the start of the wait. A renewal whose call already exists changes nothing.
 *   Who fits and who goes first is decided by the server's own pure functions
 *   (widening, choosePartner, sharedPool), so the two cannot drift apart.
 * - leave removes the waiting entry and ends the calls.
 * - watchRoomCounts gives each listener the counts once it subscribes and again
 *   on every change: waiting per entry room, chatting two per call in the
 *   call's room (the shared pool: 'any' after widening), like stats/rooms.
 * - A channel reports ready() once its call exists (for a waiting caller: the
 *   match), then the partner's messages in the order they were written: its
 *   descriptions (to the waiter, the callee's first is the answer to the
 *   offer join carried; any later one, from either side, a renegotiation) and
 *   candidates, never our own. As in Firestore, where each side writes its
 *   own mailbox `calls/{callId}/signals/{from}_{to}` and the call document
 *   holds no SDP. A call that ends after it was seen reports ended(). Our candidates
 *   are held until the call exists. Nothing is ever delivered synchronously:
 *   every delivery runs in a later task, as a network would.
 */
import { emptyRoomCounts, type RoomCount, type RoomCounts } from '../../../functions/src/protocol/room-counts.js';
import { choosePartner, sharedPool, widening } from '../../../functions/src/domain/pairing.js';
import { isRoomId, type RoomId } from '../../../functions/src/protocol/rooms.js';
import type { Backend } from '../../../web/src/flows/backend.js';
import { HeldQueue } from '../../../web/src/engine/held-queue.js';
import type { JoinOptions, JoinResult, Matcher } from '../../../web/src/flows/matcher.js';
import type { SignalingChannel, SignalingListener } from '../../../web/src/flows/signaling.js';
import type { LinkSignal } from '../../../web/src/engine/types.js';
import type { Role, SessionDescription } from '../../../web/src/flows/types.js';

/** A later task: how every response and message arrives. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Errors shaped like Firebase callable errors, so backendProblem() maps them as in production. */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What one participant wrote into its mailbox: a description or a candidate. */
interface CallMessage {
  readonly from: string;
  /** null: a probe (a write with nothing new). */
  readonly signal: LinkSignal | null;
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
}

interface Call {
  readonly id: string;
  readonly caller: string;
  readonly callee: string;
  /** The pool the two met in. */
  readonly room: string;
  /**
   * Descriptions and candidates of both sides, in the order they were
   * written: the two mailboxes of the real call, merged. Like the real call
   * document, the call holds no SDP: the waiter's offer went to the callee
   * with join's result.
   */
  readonly messages: CallMessage[];
}

export interface MemoryMatchmakerOptions {
  /** How long an entry waits in a quiet room before a join may widen it to Anyone (server default: 20 s). */
  readonly widenAfterMs?: number;
}

export class MemoryMatchmaker {
  private readonly widenAfterMs: number;
  private readonly waiting = new Map<string, WaitingEntry>();
  private readonly calls = new Map<string, Call>();
  private readonly channels = new Set<MemorySignaling>();
  private ids = 0;
  private arrivals = 0;
  /** One line per join and leave, for failure messages. */
  readonly log: string[] = [];
  /**
   * Waiters whose call listener misses the call's creation, as a Firestore
   * listener attached just before the document was created did (docs/
   * PERFORMANCE.md, "Paired, but no media"). Their channel learns of the
   * match only as the real one does then: its waiting heartbeat is refused.
   */
  readonly missCallCreation = new Set<string>();
  /** Who blocked whom (report blocks too), as the functions keep it. */
  readonly blocks = new Map<string, Set<string>>();
  readonly reports: Array<{ reporter: string; reported: string; reason: string; callId: string }> = [];
  /** Participants of ended calls, so Report and Block work right after a call. */
  private readonly history = new Map<string, readonly [string, string]>();
  private readonly countListeners = new Set<(counts: RoomCounts) => void>();
  /** The counts last delivered, to deliver only real changes. */
  private lastCounts = JSON.stringify(emptyRoomCounts());

  constructor({ widenAfterMs = 20_000 }: MemoryMatchmakerOptions = {}) {
    this.widenAfterMs = widenAfterMs;
  }

  /** A Backend for one anonymous person (one page, one RandomChatFlow). */
  backend(uid: string = `user-${++this.ids}`): Backend {
    const matcher: Matcher = {
      join: async (room, offer, options) => {
        await nextTask();
        const result = this.join(uid, room, offer, options);
        await nextTask();
        return result;
      },
      leave: async () => {
        await nextTask();
        this.leave(uid);
      },
      leaveOnUnload: () => {
        setTimeout(() => this.leave(uid), 0);
      },
      report: async (callId, reason) => {
        await nextTask();
        const reported = this.moderate(uid, callId);
        this.reports.push({ reporter: uid, reported, reason, callId });
      },
      block: async (callId) => {
        await nextTask();
        this.moderate(uid, callId);
      },
    };
    return {
      uid,
      matcher,
      openSignaling: (callId: string, role: Role) => new MemorySignaling(this, callId, role, uid),
      watchRoomCounts: (listener) => this.watchRoomCounts(listener),
    };
  }

  /** The room counts as the functions would write them to stats/rooms. */
  roomCounts(): RoomCounts {
    const counts = emptyRoomCounts() as Record<RoomId, RoomCount>;
    const add = (room: string, waiting: number, chatting: number) => {
      if (!isRoomId(room)) return; // the document only has rooms of the list
      const c = counts[room];
      counts[room] = { waiting: c.waiting + waiting, chatting: c.chatting + chatting };
    };
    for (const entry of this.waiting.values()) add(entry.room, 1, 0);
    for (const call of this.calls.values()) add(call.room, 0, 2);
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

  /** Ids of the calls `uid` is part of. */
  callsOf(uid: string): string[] {
    return [...this.calls.values()].filter((c) => c.caller === uid || c.callee === uid).map((c) => c.id);
  }

  /** The call, while it exists (for the channels). */
  call(callId: string): Call | undefined {
    return this.calls.get(callId);
  }

  /** The pairing itself; `join` of the Matcher is this after a network hop. */
  join(uid: string, room: string, offer: SessionDescription, { renewing, widen }: JoinOptions): JoinResult {
    if (typeof room !== 'string' || room === '' || offer?.type !== 'offer' || typeof offer.sdp !== 'string') {
      throw new BackendError('functions/invalid-argument', 'join needs a room and an offer');
    }
    if (typeof widen !== 'boolean') throw new BackendError('functions/invalid-argument', '"widen" must be true or false.');
    // A renewal that crossed its own match: the page will see the call; change nothing.
    if (renewing !== undefined && this.calls.get(renewing)?.caller === uid) {
      this.log.push(`${uid} renew ${room}: already matched in ${renewing}`);
      return { status: 'waiting', callId: renewing, widened: false, widenInMs: null };
    }
    // One person, one call: joining ends every call the joiner was in.
    for (const id of this.callsOf(uid)) this.endCall(id);

    const now = Date.now();
    const previous = this.waiting.get(uid);
    const keepsPlace = previous !== undefined && previous.room === room;
    const waitingSinceMs = keepsPlace ? previous.waitingSinceMs : now;
    const { pools, widened, widenInMs } = widening(room, widen, waitingSinceMs, now, this.widenAfterMs);
    const seeker = { uid, pools, blocked: this.blocks.get(uid) ?? new Set<string>() };
    const entries = [...this.waiting.values()].map((e) => ({
      ...e,
      createdAtMs: e.order,
      leaseExpiresAtMs: Infinity, // a page of these tests never dies without leaving
      blocked: [...(this.blocks.get(e.uid) ?? [])],
    }));
    const partner = choosePartner(seeker, entries, now);
    if (partner !== null) {
      const met = sharedPool(seeker, partner)!;
      this.waiting.delete(partner.uid);
      this.waiting.delete(uid);
      this.calls.set(partner.callId, {
        id: partner.callId,
        caller: partner.uid,
        callee: uid,
        room: met,
        messages: [],
      });
      this.log.push(`${uid} join ${room}: matched with ${partner.uid} in ${partner.callId} (pool ${met})`);
      this.changed(partner.callId);
      this.countsMaybeChanged();
      return { status: 'matched', callId: partner.callId, offer: partner.offer, room: met };
    }

    const entry: WaitingEntry = {
      uid,
      room,
      offer,
      callId: keepsPlace ? previous.callId : `call-${++this.ids}`,
      order: keepsPlace ? previous.order : ++this.arrivals,
      waitingSinceMs,
      pools,
    };
    this.waiting.set(uid, entry);
    this.log.push(`${uid} join ${room}: waiting for ${entry.callId} in ${pools.join('+')}`);
    this.countsMaybeChanged();
    return {
      status: 'waiting',
      callId: entry.callId,
      widened,
      widenInMs,
    };
  }

  /** Report and Block: the other participant of a current or recent call; blocks them and ends the call. */
  private moderate(uid: string, callId: string): string {
    const live = this.calls.get(callId);
    const participants = live ? ([live.caller, live.callee] as const) : this.history.get(callId);
    if (!participants || !participants.includes(uid)) {
      throw new BackendError('functions/not-found', 'No recent call with that id involves you.');
    }
    const other = participants[0] === uid ? participants[1] : participants[0];
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

  /** Leaves the queue and ends the calls of `uid`. */
  leave(uid: string): void {
    this.waiting.delete(uid);
    const ended = this.callsOf(uid);
    for (const id of ended) this.endCall(id);
    this.log.push(`${uid} leave (ended ${ended.length} call(s))`);
    this.countsMaybeChanged();
  }

  /**
   * A participant writes into its mailbox to the other: refused once the call
   * is gone (its mailboxes go with it) or by anyone else.
   */
  writeSignal(callId: string, uid: string, signal: LinkSignal | null): void {
    const call = this.calls.get(callId);
    if (!call) throw new BackendError('not-found', `call ${callId} does not exist`);
    if (call.caller !== uid && call.callee !== uid) throw new BackendError('permission-denied', `${uid} is not in ${callId}`);
    call.messages.push({ from: uid, signal });
    this.changed(callId);
  }

  attach(channel: MemorySignaling): void {
    this.channels.add(channel);
  }

  detach(channel: MemorySignaling): void {
    this.channels.delete(channel);
  }

  private endCall(callId: string): void {
    const call = this.calls.get(callId);
    if (!call || !this.calls.delete(callId)) return;
    this.history.set(callId, [call.caller, call.callee]);
    this.changed(callId);
    this.countsMaybeChanged();
  }

  /** Tells every channel of the call to look again (each delivers in a later task). */
  private changed(callId: string): void {
    for (const channel of this.channels) if (channel.callId === callId) channel.scheduleSync();
  }
}

/** The SignalingChannel of one call, for one participant. */
export class MemorySignaling implements SignalingChannel {
  private listener: SignalingListener | null = null;
  /** What we send, held until the call exists. */
  /** A null signal is a probe: a write with nothing new. */
  private readonly outgoing = new HeldQueue<{ signal: LinkSignal | null; resolve: () => void; reject: (err: unknown) => void }>();
  private seenCall = false;
  private endedReported = false;
  private refused = false;
  /** How many of the call's messages this channel has looked at. */
  private cursor = 0;
  private syncScheduled = false;
  private closed = false;
  /** The waiting heartbeat (every 100 ms here): the entry gone means matched or lost. */
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  /** Whether the heartbeat found the entry gone: look at the call once, as FirestoreSignaling.recheck does. */
  private rechecked = false;

  constructor(
    private readonly server: MemoryMatchmaker,
    readonly callId: string,
    readonly role: Role,
    private readonly uid: string,
  ) {}

  send(signal: LinkSignal): Promise<void> {
    if (this.closed) return Promise.reject(new Error('signaling closed'));
    return new Promise((resolve, reject) => this.outgoing.push({ signal, resolve, reject }));
  }

  probe(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('signaling closed'));
    return new Promise((resolve, reject) => this.outgoing.push({ signal: null, resolve, reject }));
  }

  subscribe(listener: SignalingListener): void {
    if (this.listener) throw new Error('subscribe may be called once');
    this.listener = listener;
    this.server.attach(this);
    if (this.role === 'caller') {
      this.heartbeat = setInterval(() => {
        if (this.closed || this.seenCall || this.server.isWaiting(this.uid)) return;
        clearInterval(this.heartbeat!);
        this.rechecked = true;
        if (this.server.call(this.callId)) this.scheduleSync();
        else listener.placeLost?.();
      }, 100);
    }
    this.scheduleSync();
  }

  close(): void {
    this.closed = true;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.outgoing.clear();
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

  private sync(): void {
    const listener = this.listener;
    if (this.closed || !listener || this.refused) return;
    const call = this.server.call(this.callId);
    if (!call) {
      // Before the match the call does not exist yet; after it, its end is the partner leaving.
      if (this.seenCall && !this.endedReported) {
        this.endedReported = true;
        listener.ended();
      }
      return;
    }
    // A listener that missed the creation sees the call only once the
    // heartbeat made it look.
    if (!this.seenCall && !this.rechecked && this.server.missCallCreation.has(this.uid)) return;
    if ((this.role === 'caller' ? call.caller : call.callee) !== this.uid) {
      // The real rules let only the two participants (in their roles) read a call.
      this.refused = true;
      listener.error(new BackendError('permission-denied', `${this.uid} is not the ${this.role} of ${this.callId}`));
      return;
    }
    if (!this.seenCall) {
      this.seenCall = true;
      this.outgoing.open(({ signal, resolve, reject }) => {
        void nextTask().then(() => {
          if (this.closed) return reject(new Error('signaling closed'));
          try {
            this.server.writeSignal(this.callId, this.uid, signal);
            resolve();
          } catch (err) {
            reject(err);
          }
        });
      });
      listener.ready();
    }
    while (!this.closed && this.cursor < call.messages.length) {
      const message = call.messages[this.cursor++]!;
      if (message.from === this.uid) continue;
      if (message.signal) listener.signal(message.signal);
      listener.activity?.(message.signal === null);
    }
  }
}

/**
 * The stranger-chat orchestrator: one object per page. It owns the camera
 * stream, runs one attempt at a time (offer → join → answer → connected), and
 * wires a PeerSession to a SignalingChannel and the Matcher. Elements reach it
 * through RandomChatController; it never touches the DOM.
 */
import { REPORT_WINDOW_MS, type RoomCounts } from '@parley/functions/protocol';
import type { Timing } from '../config.js';
import type { Backend } from './backend.js';
import {
  canModerate,
  canNext,
  INITIAL_STATE,
  transition,
  type RandomChatEvent,
  type RandomChatState,
} from './random-chat-state.js';
import type { JoinResult, ReportReason } from './matcher.js';
import { PartnerLiveness, type LivenessAction } from '../engine/liveness.js';
import { reconnectPolicy } from '../engine/reconnect-policy.js';
import { PeerSession } from './peer-session.js';
import { backendProblem, connectionLost, linkProblem, mediaProblem, type Problem } from './problems.js';
import type { SignalingChannel } from './signaling.js';
import type { IceCandidate, Role, SessionDescription } from './types.js';

/** What happened to the last Report or Block of a past stranger (elements word it). */
export type ModerationNotice =
  | { readonly action: 'report' | 'block'; readonly outcome: 'sending' | 'done' }
  | { readonly action: 'report' | 'block'; readonly outcome: 'failed'; readonly problem: Problem };

/** Why a call never connected: the relay's fault when it was relay-only and no relay candidate came. */
function notConnected(call: { readonly relayOnly: boolean; readonly relayGathered: boolean }): Problem {
  return linkProblem(call.relayOnly && !call.relayGathered ? 'relay-unreachable' : 'connection-failed');
}

export interface RandomChatDeps {
  /** Connects to the backend and signs in; may load code lazily. Called once, then cached. */
  connect(): Promise<Backend>;
  getUserMedia(): Promise<MediaStream>;
  rtcConfig(): RTCConfiguration;
  /** The configuration after renewing expiring TURN credentials: for an ICE restart. Default: rtcConfig(). */
  freshRtcConfig?(): Promise<RTCConfiguration>;
  /** Calls `listener` when rtcConfig() has new servers (renewed credentials); returns the unsubscribe. */
  watchRtcConfig?(listener: () => void): () => void;
  readonly timing: Timing;
}

/**
 * Marks on the page's performance timeline (DevTools shows them; the benchmark
 * reads them). Cheap, and absent where the API is missing.
 */
export const Mark = {
  start: 'parley:start',
  offerReady: 'parley:offer-ready',
  joined: 'parley:joined',
  matched: 'parley:matched',
  answerApplied: 'parley:answer-applied',
  answerCreated: 'parley:answer-created',
  answerSent: 'parley:answer-sent',
  connected: 'parley:connected',
  firstRemoteFrame: 'parley:first-remote-frame',
} as const;

export function mark(name: (typeof Mark)[keyof typeof Mark]): void {
  globalThis.performance?.mark?.(name);
}

/**
 * A renewal meant to widen the entry goes this long after the moment the
 * server named, so that it surely lands after it despite clock and network.
 */
const WIDEN_MARGIN_MS = 250;

/** One try at a call; everything it started is stopped by `end`. */
class Attempt {
  live = true;
  peer: PeerSession | null = null;
  /** Every local candidate of the current peer, so a new call id can be sent all of them. */
  private gathered: IceCandidate[] = [];
  /** Where new local candidates go; null until there is a call to send them to. */
  private sink: ((c: IceCandidate) => void) | null = null;
  signaling: SignalingChannel | null = null;
  role: Role | null = null;
  matched = false;
  /** Whether the partner is still there, once the link first connected (engine/liveness.ts). */
  liveness: PartnerLiveness | null = null;
  /** Whether the current peer may use the relay only (Hide my IP): see notConnected. */
  relayOnly = false;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  setTimer(name: string, ms: number, fn: () => void, repeat = false): void {
    this.clearTimer(name);
    this.timers.set(name, repeat ? setInterval(fn, ms) : setTimeout(fn, ms));
  }

  clearTimer(name: string): void {
    const t = this.timers.get(name);
    if (t !== undefined) {
      clearTimeout(t);
      clearInterval(t);
      this.timers.delete(name);
    }
  }

  /** Replaces the peer connection (a waiting caller who becomes a callee answers on a fresh one). */
  replacePeer(peer: PeerSession): void {
    this.peer?.close();
    this.gathered = [];
    this.sink = null;
    this.peer = peer;
  }

  /** Whether the current peer gathered a relay candidate (the relay answered). */
  get relayGathered(): boolean {
    return this.gathered.some((c) => c.candidate.includes(' typ relay'));
  }

  localCandidate(c: IceCandidate): void {
    this.gathered.push(c);
    this.sink?.(c);
  }

  /**
   * Sends every candidate gathered so far to `signaling`, then each new one.
   * Called again when a renewal moves us to a new call id: the new call must
   * get all of them, not only those gathered after the move.
   */
  sendCandidatesTo(signaling: SignalingChannel): void {
    // A refused candidate (the call just ended) is reported by the call's end, not here.
    this.sink = (c) => void signaling.send({ candidate: c }).catch(() => undefined);
    for (const c of this.gathered) this.sink(c);
  }

  end(): void {
    this.live = false;
    for (const name of [...this.timers.keys()]) this.clearTimer(name);
    this.signaling?.close();
    this.peer?.close();
    this.gathered = [];
    this.sink = null;
  }
}

export class RandomChatFlow {
  private _state: RandomChatState = INITIAL_STATE;
  private local: MediaStream | null = null;
  private remote: MediaStream | null = null;
  private backendPromise: Promise<Backend> | null = null;
  private attempt: Attempt | null = null;
  private room = '';
  private readonly listeners = new Set<() => void>();
  /**
   * The leave request of the last Stop, until it is answered. A Start right
   * after a Stop waits for it: otherwise the two requests can reach the server
   * in either order, and a late leave would delete the new waiting entry.
   */
  private pendingLeave: Promise<void> | null = null;
  /** The last call we were matched in: Report and Block apply to it, even after the stranger left. */
  private lastCallId: string | null = null;
  /** When the last call was matched: Report and Block for it are offered within REPORT_WINDOW_MS. */
  private lastCallAtMs: number | null = null;
  private _moderationNotice: ModerationNotice | null = null;
  /**
   * Whether a long wait in a quiet room may also pair us from Anyone. Sent
   * with every join, renewals included; the page sets it before Start.
   */
  widen = true;
  /** The backend once `prepare` has it: the room counts are watched through it. */
  private backend: Backend | null = null;
  private _roomCounts: RoomCounts | null = null;
  /** The room-counts listener; null while not listening. */
  private countsWatch: { stop: () => void } | null = null;

  constructor(private readonly deps: RandomChatDeps) {
    // Renewed credentials reach the live call too, so a restart from either end uses them.
    deps.watchRtcConfig?.(() => this.attempt?.peer?.setConfiguration(this.deps.rtcConfig()));
  }

  /** Restarts ICE on the current call with fresh relay credentials (e.g. after the network changed). */
  async restartIce(): Promise<void> {
    const config = (await this.deps.freshRtcConfig?.()) ?? this.deps.rtcConfig();
    this.attempt?.peer?.restartIce(config);
  }

  get state(): RandomChatState {
    return this._state;
  }

  get localStream(): MediaStream | null {
    return this.local;
  }

  get remoteStream(): MediaStream | null {
    return this.remote;
  }

  /** The current call's id and our role in it, when there is one (for diagnostics and tests). */
  get call(): { readonly callId: string; readonly role: Role } | null {
    const a = this.attempt;
    return a?.signaling && a.role && a.matched ? { callId: a.signaling.callId, role: a.role } : null;
  }

  /**
   * How many people wait and chat in each room; null until the first count
   * arrives, and during a call (counts are only watched outside calls, where
   * the picker matters, and one from before the call would be stale).
   */
  get roomCounts(): RoomCounts | null {
    return this._roomCounts;
  }

  /**
   * Whom Report and Block apply to now: the stranger of the current call
   * (the call ends at once), the last stranger after the call ended (after
   * Next, "Stranger left", a dropped connection or Stop, for as long as the
   * backend accepts it), or nobody.
   */
  get moderationTarget(): 'current' | 'last' | null {
    if (this.lastCallId === null) return null;
    if (canModerate(this._state)) return 'current';
    const s = this._state.status;
    const afterCall = s === 'searching' || s === 'failed' || s === 'idle' || s === 'media-error' || s === 'requesting-media';
    return afterCall && this.lastCallAtMs !== null && Date.now() - this.lastCallAtMs < REPORT_WINDOW_MS ? 'last' : null;
  }

  /** Whether Report and Block can be used now. */
  get canModerate(): boolean {
    return this.moderationTarget !== null;
  }

  /** What happened to the last Report or Block of a past stranger (the current search goes on meanwhile). */
  get moderationNotice(): ModerationNotice | null {
    return this._moderationNotice;
  }

  /** Reports the stranger of the current or last call: the call ends at once for both. */
  report(reason: ReportReason): Promise<void> {
    return this.moderate('report', (b, callId) => b.matcher.report(callId, reason));
  }

  /** Never be paired with the stranger of the current or last call again; ends the call. */
  block(): Promise<void> {
    return this.moderate('block', (b, callId) => b.matcher.block(callId));
  }

  private async moderate(action: 'report' | 'block', send: (b: Backend, callId: string) => Promise<void>): Promise<void> {
    const callId = this.lastCallId;
    const target = this.moderationTarget;
    if (callId === null || target === null) return;
    if (target === 'last') {
      // The stranger is gone already: whatever the person is doing now (a new
      // search) goes on; the backend takes the report and the block for good.
      this.lastCallId = null;
      this._moderationNotice = { action, outcome: 'sending' };
      this.notify();
      try {
        await send(await this.prepare(), callId);
        this._moderationNotice = { action, outcome: 'done' };
      } catch (err) {
        this._moderationNotice = { action, outcome: 'failed', problem: backendProblem(err) };
      }
      this.notify();
      return;
    }
    // End our side at once: the person asked to get away from this stranger.
    this.endAttempt();
    this.lastCallId = null;
    this.dispatch({ type: 'ended-by-you', action });
    try {
      await send(await this.prepare(), callId);
    } catch (err) {
      this.dispatch({ type: 'failed', problem: backendProblem(err) });
    }
  }

  /** Subscribes to every change of state or streams; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects and signs in ahead of Start, so that pressing Start costs no extra round trips. */
  prepare(): Promise<Backend> {
    this.backendPromise ??= this.deps.connect().then(
      (backend) => {
        this.backend = backend;
        this.watchRoomCounts();
        return backend;
      },
      (err: unknown) => {
        this.backendPromise = null; // let a later Start try again
        throw err;
      },
    );
    return this.backendPromise;
  }

  /** Start (or start again after a problem): get the camera, then look for someone in `room`. */
  async start(room: string): Promise<void> {
    const s = this._state.status;
    if (s !== 'idle' && s !== 'media-error' && s !== 'partner-left' && s !== 'failed') return;
    this.room = room;
    this.endAttempt();
    mark(Mark.start);
    this.dispatch({ type: 'start' });
    if (!this.local) {
      try {
        const stream = await this.deps.getUserMedia();
        if (this.status() !== 'requesting-media') {
          // Stopped while the permission prompt was open: release the camera at once.
          for (const t of stream.getTracks()) t.stop();
          return;
        }
        this.local = stream;
      } catch (err) {
        this.dispatch({ type: 'media-failed', problem: mediaProblem(err) });
        return;
      }
    }
    this.dispatch({ type: 'media-ready' });
    await this.search();
  }

  /** Next: end this conversation and look for someone else at once. */
  async next(): Promise<void> {
    if (!canNext(this._state)) return;
    mark(Mark.start);
    this.endAttempt();
    this.dispatch({ type: 'next' });
    // No separate hang-up: join ends our previous call on the server, which is
    // what tells the partner we left.
    await this.search();
  }

  /** Stop: end everything, release the camera, leave the queue. */
  async stop(): Promise<void> {
    this.endAttempt();
    if (this.local) for (const t of this.local.getTracks()) t.stop();
    this.local = null;
    this.dispatch({ type: 'stop' });
    const leave = (async () => {
      const backend = await this.backendPromise?.catch(() => null);
      await backend?.matcher.leave().catch((err: unknown) => console.warn('leave failed', err));
    })();
    this.pendingLeave = leave;
    await leave;
    if (this.pendingLeave === leave) this.pendingLeave = null;
  }

  /**
   * The page is going away: tell the server without waiting, close the
   * connection and release the camera. If the page comes back from the
   * back/forward cache it shows Start again, not a call that no longer exists.
   */
  unload(): void {
    const wasActive = this._state.status !== 'idle';
    this.endAttempt();
    if (this.local) for (const t of this.local.getTracks()) t.stop();
    this.local = null;
    this.dispatch({ type: 'stop' });
    if (!wasActive) return;
    // At once, not after a promise: a page going away may not run later tasks.
    if (this.backend) this.backend.matcher.leaveOnUnload();
    else void this.backendPromise?.then((b) => b.matcher.leaveOnUnload()).catch(() => undefined);
  }

  /** Read through a method so TypeScript does not keep a narrowing across awaits and dispatches. */
  private status(): RandomChatState['status'] {
    return this._state.status;
  }

  private dispatch(event: RandomChatEvent): void {
    const next = transition(this._state, event);
    if (next === this._state) return;
    this._state = next;
    this.watchRoomCounts();
    this.notify();
  }

  /**
   * Listens to the room counts only while the person is not in a call: every
   * listening page costs a read per change of the counts, and during a call
   * nobody looks at the picker. Called on every state change; a failure here
   * only costs the counts, never the chat.
   */
  private watchRoomCounts(): void {
    const backend = this.backend;
    const s = this._state.status;
    const wanted = backend !== null && s !== 'connecting' && s !== 'connected';
    if (wanted && this.countsWatch === null) {
      const watch: { stop: () => void } = { stop: () => undefined };
      this.countsWatch = watch;
      try {
        watch.stop = backend.watchRoomCounts((counts) => {
          if (this.countsWatch !== watch) return; // a late delivery to a listener we stopped
          this._roomCounts = counts;
          this.notify();
        });
      } catch (err) {
        // Not retried until the next call ends: no warning on every state change.
        console.warn('room counts unavailable', err);
      }
    } else if (!wanted && this.countsWatch !== null) {
      const watch = this.countsWatch;
      this.countsWatch = null;
      this._roomCounts = null;
      try {
        watch.stop();
      } catch (err) {
        console.warn('could not stop watching room counts', err);
      }
    }
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  private endAttempt(): void {
    this.attempt?.end();
    this.attempt = null;
    if (this.remote) {
      this.remote = null;
      this.notify();
    }
  }

  private fail(attempt: Attempt, problem: Problem): void {
    if (!attempt.live) return;
    this.endAttempt();
    this.dispatch({ type: 'failed', problem });
  }

  /** The partner is gone. Before media flowed, quietly look again; after, tell the person. */
  private partnerGone(attempt: Attempt): void {
    if (!attempt.live) return;
    if (this._state.status === 'connected' || this._state.status === 'reconnecting') {
      this.endAttempt();
      this.dispatch({ type: 'partner-left' });
    } else {
      this.requeue(attempt);
    }
  }

  private requeue(attempt: Attempt): void {
    if (!attempt.live) return;
    this.endAttempt();
    this.dispatch({ type: 'requeued' });
    void this.search();
  }

  private createPeer(attempt: Attempt): PeerSession {
    const config = this.deps.rtcConfig();
    const peer: PeerSession = new PeerSession(
      this.local!,
      config,
      {
        localCandidate: (c) => {
          if (attempt.peer === peer) attempt.localCandidate(c);
        },
        remoteStream: (stream) => {
          if (attempt.live && attempt.peer === peer) {
            this.remote = stream;
            this.notify();
          }
        },
        connectionState: (state) => {
          if (!attempt.live || attempt.peer !== peer) return;
          this.onConnectionState(attempt, state);
        },
        partnerClosed: () => {
          if (attempt.peer === peer) this.partnerGone(attempt);
        },
        laterDescription: (description) => {
          // A renegotiation (e.g. an ICE restart) once the call is set up.
          if (attempt.live && attempt.peer === peer) {
            attempt.signaling
              ?.send({ description })
              .then(() => attempt.liveness?.wrote(Date.now()))
              .catch((err: unknown) => console.warn('description not sent', err));
          }
        },
        heard: () => {
          if (attempt.peer === peer) attempt.liveness?.heard(Date.now());
        },
      },
      reconnectPolicy({ giveUpAfterMs: this.deps.timing.reconnectForMs }),
    );
    attempt.replacePeer(peer);
    attempt.relayOnly = config.iceTransportPolicy === 'relay';
    return peer;
  }

  private onConnectionState(attempt: Attempt, state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        attempt.clearTimer('answer');
        attempt.clearTimer('connect');
        this.watchLiveness(attempt);
        mark(Mark.connected);
        this.dispatch({ type: 'connected' });
        return;
      case 'disconnected':
        // The link restarts ICE by itself (reconnect-policy.ts) and reports
        // "failed" if it gives up; meanwhile the person sees "Reconnecting…".
        this.dispatch({ type: 'interrupted' });
        return;
      case 'failed':
        this.fail(
          attempt,
          this._state.status === 'connected' || this._state.status === 'reconnecting' ? connectionLost() : notConnected(attempt),
        );
        return;
      default:
        return;
    }
  }

  /**
   * From the first connection on: is the partner still there? A silent link
   * is probed through the mailbox, and a partner who does not answer is gone
   * ("Stranger left" within about 5 s of their browser dying), while a
   * partner who answers is waited for as the link reconnects.
   */
  private watchLiveness(attempt: Attempt): void {
    if (attempt.liveness) return;
    const liveness = new PartnerLiveness(Date.now());
    attempt.liveness = liveness;
    attempt.setTimer(
      'liveness',
      liveness.timings.heartbeatMs / 2,
      () => this.onLiveness(attempt, liveness.check(Date.now())),
      true,
    );
  }

  private onLiveness(attempt: Attempt, action: LivenessAction): void {
    if (!attempt.live || action === null) return;
    if (action === 'gone') {
      attempt.clearTimer('liveness');
      this.partnerGone(attempt);
      return;
    }
    // A probe or a reply: one write with nothing new.
    attempt.signaling?.probe().then(
      () => attempt.liveness?.probeStored(Date.now()),
      () => undefined, // not stored: the call is over, or our network is down (the reconnect policy tells)
    );
  }

  /** Any write of the partner's: the match acknowledged, or an answer to our probe. */
  private onPartnerActivity(attempt: Attempt, bare: boolean): void {
    if (!attempt.live) return;
    attempt.clearTimer('ack');
    if (attempt.liveness) this.onLiveness(attempt, attempt.liveness.partnerWrote(Date.now(), bare));
  }

  private async search(): Promise<void> {
    const attempt = new Attempt();
    this.attempt = attempt;
    let backend: Backend;
    try {
      backend = await this.prepare();
    } catch (err) {
      this.fail(attempt, backendProblem(err));
      return;
    }
    if (!attempt.live) return;
    let offer: SessionDescription;
    try {
      // The offer is made before joining, so that ICE gathering runs while we
      // wait and a partner who finds us can answer without asking us first.
      offer = await this.createPeer(attempt).createOffer();
    } catch (err) {
      this.fail(attempt, linkProblem('connection-failed'));
      console.warn('createOffer failed', err);
      return;
    }
    if (!attempt.live) return;
    mark(Mark.offerReady);
    if (this.pendingLeave) await this.pendingLeave;
    if (!attempt.live) return;
    await this.join(backend, attempt, offer);
  }

  private async join(backend: Backend, attempt: Attempt, offer: SessionDescription, renewing?: string): Promise<void> {
    let result: JoinResult;
    try {
      result = await backend.matcher.join(this.room, offer, { renewing, widen: this.widen });
    } catch (err) {
      this.fail(attempt, backendProblem(err));
      return;
    }
    // Matched as a caller meanwhile (the listener saw the call): nothing to renew.
    if (!attempt.live || attempt.matched) return;
    if (renewing === undefined) mark(Mark.joined);
    if (result.status === 'matched') {
      await this.answer(backend, attempt, result.callId, result.offer);
      return;
    }
    if (attempt.signaling?.callId !== result.callId) this.waitForCall(backend, attempt, result.callId, offer);
    if (result.widened) this.dispatch({ type: 'widened' });
    const { callId, widenInMs } = result;
    if (widenInMs !== null) {
      // The server widens an entry only when a renewal arrives after the quiet
      // period: renew right then rather than at the next 'renew' tick.
      attempt.setTimer('widen', widenInMs + WIDEN_MARGIN_MS, () => void this.join(backend, attempt, offer, callId));
    } else {
      attempt.clearTimer('widen');
    }
  }

  /** Waiting: listen for the call the server will create under `callId`, renewing our place meanwhile. */
  private waitForCall(backend: Backend, attempt: Attempt, callId: string, offer: SessionDescription): void {
    attempt.signaling?.close();
    const signaling = backend.openSignaling(callId, 'caller');
    attempt.signaling = signaling;
    /** Whether the partner's answer arrived: any description after it is a renegotiation. */
    let answered = false;
    attempt.role = 'caller';
    signaling.subscribe({
      ready: () => {
        if (!attempt.live || attempt.matched || attempt.signaling !== signaling) return;
        attempt.matched = true;
        attempt.clearTimer('renew');
        attempt.clearTimer('widen');
        this.lastCallId = callId;
        this.lastCallAtMs = Date.now();
        this._moderationNotice = null;
        mark(Mark.matched);
        this.dispatch({ type: 'matched' });
        // Acknowledge the match at once (a write with nothing in it, so no
        // address yet): it tells the joiner we are alive, and a joiner paired
        // with a waiter whose tab died is back in the queue in seconds.
        signaling.probe().catch(() => undefined);
        // A partner who never answers (tab died after the match) sends us back to the queue.
        attempt.setTimer('answer', this.deps.timing.answerTimeoutMs, () => this.requeue(attempt));
        attempt.setTimer('connect', this.deps.timing.connectTimeoutMs, () => this.fail(attempt, notConnected(attempt)));
      },
      signal: (signal) => {
        const peer = attempt.peer;
        if (!attempt.live || !peer) return;
        if ('candidate' in signal) {
          peer.addRemoteCandidate(signal.candidate);
          return;
        }
        const d = signal.description;
        if (d.type === 'offer' || answered) {
          // After the first exchange: the partner renegotiates.
          peer.receiveDescription(d);
          return;
        }
        answered = true;
        peer.acceptAnswer(d).then(
          (applied) => {
            if (!applied) return;
            mark(Mark.answerApplied);
            attempt.clearTimer('answer');
            // Only now our addresses: whoever pairs with us learns them once
            // they have answered, not merely by joining (address harvesting).
            // ICE needs only one side's candidates to start; the answerer's
            // arrived with its answer, so this costs the connection nothing.
            if (attempt.signaling === signaling) attempt.sendCandidatesTo(signaling);
          },
          (err: unknown) => {
            console.warn('answer rejected', err);
            this.fail(attempt, linkProblem('connection-failed'));
          },
        );
      },
      activity: (bare) => this.onPartnerActivity(attempt, bare),
      // Our place went without a call for us: renew now, not at the next tick.
      placeLost: () => {
        if (attempt.live && !attempt.matched && attempt.signaling === signaling) void this.join(backend, attempt, offer, callId);
      },
      ended: () => this.partnerGone(attempt),
      error: (err) => this.fail(attempt, backendProblem(err)),
    });
    attempt.setTimer('renew', this.deps.timing.renewMs, () => void this.join(backend, attempt, offer, callId), true);
  }

  /** Matched with someone who was waiting: answer their offer on a fresh connection. */
  private async answer(backend: Backend, attempt: Attempt, callId: string, offer: SessionDescription): Promise<void> {
    attempt.clearTimer('renew');
    attempt.clearTimer('widen');
    attempt.signaling?.close();
    attempt.matched = true;
    attempt.role = 'callee';
    const peer = this.createPeer(attempt);
    const signaling = backend.openSignaling(callId, 'callee');
    attempt.signaling = signaling;
    this.lastCallId = callId;
    this.lastCallAtMs = Date.now();
    this._moderationNotice = null;
    mark(Mark.matched);
    this.dispatch({ type: 'matched' });
    signaling.subscribe({
      ready: () => undefined,
      // The first offer came with join; descriptions here are renegotiations.
      signal: (signal) => {
        if ('candidate' in signal) peer.addRemoteCandidate(signal.candidate);
        else peer.receiveDescription(signal.description);
      },
      activity: (bare) => this.onPartnerActivity(attempt, bare),
      ended: () => this.partnerGone(attempt),
      error: (err) => this.fail(attempt, backendProblem(err)),
    });
    // The waiter acknowledges the match as soon as it sees the call. No word
    // means its tab died while it waited (its last heartbeat was less than
    // 15 s ago): look for someone else, quietly. The server never pairs it
    // again (its entry went with this match, and a dead page renews nothing).
    attempt.setTimer('ack', this.deps.timing.matchAckTimeoutMs, () => this.requeue(attempt));
    attempt.setTimer('connect', this.deps.timing.connectTimeoutMs, () => this.fail(attempt, notConnected(attempt)));
    let answer: SessionDescription;
    try {
      answer = await peer.acceptOffer(offer);
    } catch (err) {
      console.warn('could not answer the offer', err);
      this.requeue(attempt); // a broken offer is the partner's problem: find someone else
      return;
    }
    if (!attempt.live) return;
    mark(Mark.answerCreated);
    // The answer first, so that the mailbox's first write carries it without
    // waiting for candidates (they follow in the next write): it is the one
    // message the caller must have to connect.
    const answerSent = signaling.send({ description: answer });
    attempt.sendCandidatesTo(signaling);
    try {
      await answerSent;
      mark(Mark.answerSent);
    } catch (err) {
      // The caller left between the match and our answer (their call is gone).
      console.warn('answer not delivered', err);
      this.partnerGone(attempt);
    }
  }
}

/**
 * Random chat, as a person does it: Start, Next, Stop, Report, Block. One
 * object per page; each try at a call is an Attempt with its own engine
 * `Call` (a mesh of two): the waiter's `Call` makes its first offer before
 * anyone is there (it travels with `join`) and binds it to the member the
 * match names; the joiner's `Call` answers that offer through `receive`, as
 * in a call by link. This flow adds what only random chat has: the queue
 * (renewals, widening, the waiting heartbeat), the match's acknowledgement
 * and its timeouts, and moderation. Elements reach it through a controller;
 * it never touches the DOM.
 */
import { MAX_AVOID, REPORT_WINDOW_MS, SKIP_MEMORY_MS, type RoomCounts } from '@parley/functions/protocol';
import { RECONNECT_FOR_MS, type Timing } from '../config.js';
import type { Call, GoneReason } from '../engine/call.js';
import type { LocalMedia } from '../engine/local-media.js';
import type { LinkTag } from '../engine/mailbox.js';
import type { LinkSignal, SessionDescription } from '../engine/types.js';
import type { DataUseSource } from '../features/data-use.js';
import type { InCall, InCallOptions } from '../features/in-call.js';
import type { Backend, CallConnection, JoinResult, ReportReason } from './backend.js';
import { loadCallEngine, type CallEngine } from './call-engine.js';
import { loadInCall, type InCallKit } from './in-call.js';
import { matchAckWaitMs } from './match-ack.js';
import { backendProblem, connectionLost, linkProblem, mediaProblem, type Problem } from './problems.js';
import { recentEntries, type SkipMemoryStore } from './skip-memory.js';
import {
  canModerate,
  canNext,
  INITIAL_STATE,
  transition,
  type RandomChatEvent,
  type RandomChatState,
} from './random-chat-state.js';

export interface RandomChatDeps {
  /** Connects to the backend and signs in; may load code lazily. Called once, then cached. */
  connect(): Promise<Backend>;
  /** The page's camera and microphone. */
  readonly media: LocalMedia;
  rtcConfig(): RTCConfiguration;
  /** Calls `listener` when rtcConfig() has new servers (renewed credentials); returns the unsubscribe. */
  watchRtcConfig?(listener: () => void): () => void;
  readonly timing: Timing;
  /** How long a dropped link restarts ICE before the call is given up (default: config.ts, RECONNECT_FOR_MS.random). */
  readonly reconnectForMs?: number;
  /** The person's Audio only and Data saver, applied to every call (absent: video both ways, the default budget). */
  readonly dataUse?: DataUseSource;
  /** Tests' screening (absent: both ways, the site's worker and policy). */
  readonly screening?: Pick<InCallOptions, 'screenCamera' | 'screenIncoming' | 'screening'>;
  /** Where the skip memory outlives the page (absent: it starts with the page's first join, which sends none). */
  readonly skipMemory?: SkipMemoryStore;
}

/** What happened to the last Report or Block of a past stranger (the elements word it). */
export type ModerationNotice =
  | { readonly action: 'report' | 'block'; readonly outcome: 'sending' | 'done' }
  | { readonly action: 'report' | 'block'; readonly outcome: 'failed'; readonly problem: Problem };

/**
 * Marks on the page's performance timeline (DevTools shows them; the benchmark
 * reads them). Cheap, and absent where the API is missing.
 */
export const Mark = {
  start: 'parley:start',
  offerReady: 'parley:offer-ready',
  joined: 'parley:joined',
  matched: 'parley:matched',
  /** The waiter received the joiner's answer (its link applies it next, in the same task). */
  answerApplied: 'parley:answer-applied',
  answerCreated: 'parley:answer-created',
  answerSent: 'parley:answer-sent',
  connected: 'parley:connected',
  firstRemoteFrame: 'parley:first-remote-frame',
  /** The backend's word that the call ended (its documents were deleted), whatever the link said. */
  callEnded: 'parley:call-ended',
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
  /** The engine's call: a link to the stranger (or, while waiting, our pending first offer). */
  call: Call | null = null;
  /** Our connection to the call we wait for or are in. */
  connection: CallConnection | null = null;
  callId: string | null = null;
  /** The stranger, once the match named them. */
  partner: string | null = null;
  matched = false;
  /** Whether this attempt's first join was sent: from then on the server may hold an entry or a call of ours. */
  joined = false;
  /** Whether the call's link connected once (a drop after that is not a failure to connect). */
  connectedOnce = false;
  /** The waiter received the answer (it may come before the match is seen: see matchedAsWaiter). */
  answered = false;
  /**
   * A joiner that makes its own mailbox: starts the wait for the waiter's
   * acknowledgement once our answer is written (the waiter sees the match
   * only then); null once used, or when the partner wrote first.
   */
  ackAfterAnswer: (() => void) | null = null;
  /** Stops the waiting heartbeat (matcher.keepWaiting). */
  stopWaiting: (() => void) | null = null;
  /** While waiting: renews our place now (a join with what this page knows now). */
  renew: (() => void) | null = null;
  /** Stops the camera's track swaps reaching the call (LocalMedia.attach). */
  detachMedia: (() => void) | null = null;
  /** The in-call features of this attempt's call: chat and the rest (null when they did not load). */
  inCall: InCall | null = null;
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

  /** Leaves the call we waited for (a new call id, or a match as the joiner). */
  closeConnection(): void {
    this.stopWaiting?.();
    this.stopWaiting = null;
    this.connection?.close();
    this.connection = null;
  }

  end(): void {
    this.live = false;
    for (const name of [...this.timers.keys()]) this.clearTimer(name);
    this.closeConnection();
    this.detachMedia?.();
    // The conversation stays readable (the flow keeps it until the next one), but takes no more messages.
    this.inCall?.detach();
    this.call?.end();
  }
}

export class RandomChatFlow {
  private _state: RandomChatState = INITIAL_STATE;
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
  /** In 'partner-left': whether the call is over on the server too (partnerGone's `over`). */
  private callOver = false;
  /**
   * What this page holds on the server, as the next Start or Next tells
   * `join` (JoinOptions.leaving): the random call we are in, null for
   * nothing (a page just opened: what a closed tab left is not ours, and
   * goes by its leases), undefined when we cannot be sure (a join was sent
   * and its attempt did not end matched, or a leave failed): the server
   * then looks everything up.
   */
  private onServer: string | null | undefined = null;
  /** The last call we were matched in: Report and Block apply to it, even after the stranger left. */
  private lastCallId: string | null = null;
  /**
   * The engine's events of the last attempt's call, kept when the attempt
   * ends (Call.history: ids cut short, never logged), so that a test that
   * failed after "Stranger left" can still say how the call ended.
   */
  lastCallHistory: readonly string[] | null = null;
  /** The stranger of that call. */
  private lastPartner: string | null = null;
  /**
   * Whom this page blocked or reported, newest last: every join carries
   * them, so that they are never paired with us again from the moment the
   * page says so, even while the block's own request is slow (the server
   * stores blocks for good once that request lands).
   */
  private readonly avoided: string[] = [];
  /**
   * Skip memory: when we last met each stranger (epoch ms; when its call's
   * attempt ended, which every later join comes after), sent with each join (`recent`) so that the
   * server need not query its history. Complete once this page has joined,
   * or has read what the device kept (deps.skipMemory, by the first join);
   * until then a join sends none, and the server looks it up.
   */
  private readonly met = new Map<string, number>();
  private knowsMet = false;
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
  /**
   * The in-call features of the current or last conversation: its chat stays
   * readable after the stranger left, and is cleared when a new search
   * starts (Start, Next) and on Stop.
   */
  private _inCall: InCall | null = null;

  constructor(private readonly deps: RandomChatDeps) {
    // Renewed credentials reach the live call too, so a restart from either end uses them.
    deps.watchRtcConfig?.(() => this.attempt?.call?.setConfiguration(this.deps.rtcConfig()));
  }

  get state(): RandomChatState {
    return this._state;
  }

  get localStream(): MediaStream | null {
    return this.deps.media.stream;
  }

  /** The page's camera and microphone (the device pickers switch them). */
  get media(): LocalMedia {
    return this.deps.media;
  }

  /**
   * Opens the camera for a preview before Start (the device pickers). False
   * when it could not be opened (the pickers say so; Start will too).
   */
  async preview(): Promise<boolean> {
    try {
      const stream = await this.deps.media.open();
      this.notify();
      return stream !== null;
    } catch (err) {
      console.warn('no camera preview', err);
      return false;
    }
  }

  /** The preview is closed: the camera goes off unless a search or a call uses it. */
  endPreview(): void {
    const s = this._state.status;
    if (s === 'idle' || s === 'media-error') {
      this.deps.media.release();
      this.notify();
    }
  }

  /** The stranger's media, once it arrived. */
  get remoteStream(): MediaStream | null {
    return this.attempt?.call?.peers[0]?.stream ?? null;
  }

  /** The engine's call of the current attempt (tests, diagnostics, and features that attach to a call). */
  get call(): Call | null {
    return this.attempt?.call ?? null;
  }

  /** The in-call features of the current or last conversation (null before the first, after Stop, and while they load). */
  get inCall(): InCall | null {
    return this._inCall;
  }

  /** The id of the call we are matched in, or null. */
  get callId(): string | null {
    const a = this.attempt;
    return a?.matched ? a.callId : null;
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
    if (this.lastPartner !== null) this.avoid(this.lastPartner);
    if (target === 'last') {
      // The stranger is gone already: whatever the person is doing now (a new
      // search) goes on; the backend takes the report and the block for good.
      // If we wait meanwhile, our entry does not name them yet: renew it now
      // rather than at the next tick, so that they cannot take our place
      // while the request is on its way.
      this.lastCallId = null;
      const waiting = this.attempt;
      if (waiting?.live && !waiting.matched) waiting.renew?.();
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

  /** Remembers `uid` as one to avoid, newest last, at most MAX_AVOID (the server takes no more per join). */
  private avoid(uid: string): void {
    const known = this.avoided.indexOf(uid);
    if (known !== -1) this.avoided.splice(known, 1);
    this.avoided.push(uid);
    this.avoided.splice(0, Math.max(0, this.avoided.length - MAX_AVOID));
  }

  /** Subscribes to every change of state or streams; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects and signs in ahead of Start, so that pressing Start costs no extra round trips. */
  prepare(): Promise<Backend> {
    // The engine's chunk loads meanwhile (search() waits for both).
    void loadCallEngine().catch((err: unknown) => console.warn('call engine not loaded yet', err));
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
    // Loads while the camera starts; search() waits for it before making the call.
    void loadInCall();
    this.dispatch({ type: 'start' });
    try {
      // null: stopped while the permission prompt was open (the camera is released).
      if ((await this.deps.media.open()) === null || this.status() !== 'requesting-media') return;
    } catch (err) {
      if (this.status() === 'requesting-media') this.dispatch({ type: 'media-failed', problem: mediaProblem(err) });
      return;
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

  /**
   * Whether the server holds nothing of ours: the stranger left a call
   * that is over there too, and this page neither waits nor is in a call.
   * Then Stop and closing the page need no `leave` (a read and a function
   * run each). Were the partner's own request lost, the call ends by the
   * sweep once our presence lapses, as a call of two closed tabs does.
   */
  private nothingOnServer(): boolean {
    return this._state.status === 'partner-left' && this.callOver;
  }

  /** Stop: end everything, release the camera, leave the queue. */
  async stop(): Promise<void> {
    const nothingOnServer = this.nothingOnServer();
    // The call we are in, if any: leave then reads only that (one read, not two).
    const callId = this.callId ?? undefined;
    this.endAttempt();
    this.setInCall(null);
    this.deps.media.release();
    this.dispatch({ type: 'stop' });
    if (nothingOnServer) return;
    const leave = (async () => {
      const backend = await this.backendPromise?.catch(() => null);
      const left = await (backend?.matcher.leave(callId) ?? Promise.resolve()).then(
        () => true,
        (err: unknown) => {
          console.warn('leave failed', err);
          return false;
        },
      );
      // The next Start says so: nothing of ours is left there (or, after a failure, it cannot say).
      this.onServer = left ? null : undefined;
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
    // The leave first, then the teardown (the bye, the link, the camera): a
    // page going away may not run later tasks, and a busy one may be cut off
    // inside this handler; the leave is what frees the queue and ends the
    // call on the server for the stranger.
    if (this._state.status !== 'idle' && !this.nothingOnServer()) {
      const callId = this.callId ?? undefined;
      if (this.backend) this.backend.matcher.leaveOnUnload(callId);
      else void this.backendPromise?.then((b) => b.matcher.leaveOnUnload(callId)).catch(() => undefined);
    }
    this.endAttempt();
    this.setInCall(null);
    this.deps.media.release();
    this.dispatch({ type: 'stop' });
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
    const had = this.attempt?.call?.peers.length ?? 0;
    if (this.attempt?.call) this.lastCallHistory = [...this.attempt.call.history];
    const partner = this.attempt?.matched ? this.attempt.partner : null;
    if (partner !== null) {
      this.met.set(partner, Date.now());
      if (this.backend) this.deps.skipMemory?.save(this.backend.uid, this.met);
    }
    const ending = this.attempt;
    if (ending?.joined) this.onServer = ending.matched && ending.callId !== null ? ending.callId : undefined;
    this.attempt?.end();
    this.attempt = null;
    if (had > 0) this.notify();
  }

  private fail(attempt: Attempt, problem: Problem): void {
    if (!attempt.live) return;
    this.endAttempt();
    this.dispatch({ type: 'failed', problem });
  }

  /** The backend ended the call (the partner's Next, Stop or tab close, a report, the sweep). */
  private callEnded(attempt: Attempt): void {
    if (attempt.live) mark(Mark.callEnded);
    this.partnerGone(attempt, true);
  }

  /**
   * The partner is gone. Before media flowed, quietly look again; after, tell
   * the person. `over`: the call is over on the server too, or is being
   * ended there by the partner (the backend said so, or the partner's page
   * said bye: it goes with a Next, Stop, Report, Block or tab close, each of
   * which ends the call on the server), so that Stop from here asks the
   * server for nothing. (A page that gives up on a failing link says bye
   * too, if its channel still carries it; its call ends by the sweep.)
   */
  private partnerGone(attempt: Attempt, over = false): void {
    if (!attempt.live) return;
    if (attempt.connectedOnce) {
      this.endAttempt();
      this.callOver = over;
      if (over) this.onServer = null;
      this.dispatch({ type: 'partner-left' });
    } else {
      this.requeue(attempt, over);
    }
  }

  /** `over`: the call is over on the server (partnerGone): the join that follows leaves nothing there. */
  private requeue(attempt: Attempt, over = false): void {
    if (!attempt.live) return;
    this.endAttempt();
    if (over) this.onServer = null;
    this.dispatch({ type: 'requeued' });
    void this.search();
  }

  private setInCall(inCall: InCall | null): void {
    if (inCall === this._inCall) return;
    this._inCall?.detach();
    this._inCall = inCall;
    this.notify();
  }

  /** The attempt's call: its one link is the conversation, whatever the link's state. */
  private createCall(engine: CallEngine, backend: Backend, attempt: Attempt, local: MediaStream, kit: InCallKit | null): Call {
    const call = new engine.Call({
      self: backend.uid,
      localStream: local,
      rtcConfig: () => this.deps.rtcConfig(),
      reconnectForMs: this.deps.reconnectForMs ?? RECONNECT_FOR_MS.random,
      connectTimeoutMs: this.deps.timing.connectTimeoutMs,
      // Strangers: the waiter's addresses go only to a joiner who answered.
      holdCandidates: true,
      signaling: {
        send: (to, signal, tag) => this.send(attempt, to, signal, tag),
        drop: () => undefined,
        probe: (to, tag) => attempt.connection?.probe(to, tag) ?? Promise.reject(new Error('not connected')),
        acknowledge: (to, tag) => attempt.connection?.acknowledge(to, tag) ?? Promise.reject(new Error('not connected')),
      },
      gone: (_id, reason, bye) => this.onGone(attempt, reason, bye),
    });
    call.onChange(() => this.onCallChange(attempt, call));
    attempt.call = call;
    attempt.detachMedia = this.deps.media.attach(call);
    if (kit) {
      attempt.inCall = new kit.InCall(call, {
        kind: 'random',
        media: this.deps.media,
        callId: () => attempt.callId,
        ...(this.deps.dataUse ? { dataUse: this.deps.dataUse } : {}),
        ...this.deps.screening,
      });
      attempt.inCall.onChange(() => this.notify());
    }
    // A new conversation: the last one's messages go.
    this.setInCall(attempt.inCall);
    return call;
  }

  /** Our signals go into our mailbox; the answer is marked for the benchmark's breakdown. */
  private send(attempt: Attempt, to: string, signal: LinkSignal, tag: LinkTag): void {
    const connection = attempt.connection;
    if (!attempt.live || !connection) return;
    const answer = 'description' in signal && signal.description.type === 'answer' && !attempt.connectedOnce;
    if (answer) mark(Mark.answerCreated);
    connection.send(to, signal, tag).then(
      () => {
        if (!answer) return;
        mark(Mark.answerSent);
        if (attempt.live) attempt.ackAfterAnswer?.();
        attempt.ackAfterAnswer = null;
      },
      (err: unknown) => {
        // The partner left between the match and our answer (their call is gone).
        if (answer && attempt.live) {
          console.warn('answer not delivered', err);
          this.partnerGone(attempt);
        }
      },
    );
  }

  private onCallChange(attempt: Attempt, call: Call): void {
    if (!attempt.live || attempt.call !== call) return;
    const peer = call.peers[0];
    switch (call.linkState) {
      case 'connected':
        if (!attempt.connectedOnce) {
          attempt.connectedOnce = true;
          attempt.clearTimer('answer');
          mark(Mark.connected);
          attempt.connection?.mediaConnected();
        }
        this.dispatch({ type: 'connected' });
        break;
      case 'interrupted':
        // The link restarts ICE by itself (reconnect-policy.ts) and gives up
        // in time; meanwhile the person sees "Reconnecting…".
        this.dispatch({ type: 'interrupted' });
        break;
      case 'failed':
        this.fail(attempt, linkProblem(peer?.problem ?? 'connection-failed'));
        return;
      default:
        break;
    }
    this.notify(); // the stranger's stream may have arrived
  }

  /** The stranger's link went: they left (said bye, or stopped answering), or it was lost. */
  private onGone(attempt: Attempt, reason: GoneReason, bye: boolean): void {
    if (reason === 'left') this.partnerGone(attempt, bye);
    else if (reason === 'connection-lost') this.fail(attempt, connectionLost());
    else this.fail(attempt, linkProblem(reason));
  }

  private async search(): Promise<void> {
    const attempt = new Attempt();
    this.attempt = attempt;
    let backend: Backend;
    let engine: CallEngine;
    try {
      [backend, engine] = await Promise.all([this.prepare(), loadCallEngine()]);
    } catch (err) {
      this.fail(attempt, backendProblem(err));
      return;
    }
    const kit = await loadInCall();
    const local = this.deps.media.stream;
    if (!attempt.live || !local) return;
    // The offer is made before joining, so that ICE gathering runs while we
    // wait and a partner who finds us can answer without asking us first.
    const offer = await this.createCall(engine, backend, attempt, local, kit).prepareOffer();
    if (!attempt.live) return;
    mark(Mark.offerReady);
    if (this.pendingLeave) await this.pendingLeave;
    if (!attempt.live) return;
    await this.join(backend, attempt, offer);
    // Our place is taken (or a stranger found): the screening model loads now, off the way here.
    kit?.prepareScreening();
  }

  private async join(backend: Backend, attempt: Attempt, offer: SessionDescription, renewing?: string): Promise<void> {
    let result: JoinResult;
    const avoid = [...this.avoided];
    if (!this.knowsMet) this.recallMet(backend.uid);
    const recent = this.knowsMet ? { recent: this.recentlyMet() } : {};
    // The first join of an attempt says what it leaves; once sent, the
    // server may hold a new entry or call of ours (endAttempt says which).
    let leaving = {};
    if (renewing === undefined) {
      leaving = this.onServer === undefined ? {} : { leaving: this.onServer };
      this.onServer = undefined;
      attempt.joined = true;
    }
    try {
      result = await backend.matcher.join(this.room, offer, { renewing, widen: this.widen, avoid, ...recent, ...leaving });
    } catch (err) {
      this.fail(attempt, backendProblem(err));
      return;
    }
    this.knowsMet = true;
    // Matched as the waiter meanwhile (our mailbox listener saw it): nothing to renew.
    if (!attempt.live || attempt.matched) return;
    if (renewing === undefined) mark(Mark.joined);
    if (result.status === 'matched') {
      this.answer(backend, attempt, result);
      return;
    }
    if (result.status === 'paired') {
      // Someone was paired with us while we waited, and our listener has not
      // said so (it can miss the match): carry on as the waiter.
      if (result.callId === attempt.callId) attempt.connection?.confirm(result.members);
      return;
    }
    if (attempt.callId !== result.callId) this.wait(backend, attempt, result.callId, offer);
    // Someone was blocked or reported while this join was on its way: our entry must name them too.
    if (this.avoided.some((uid) => !avoid.includes(uid))) attempt.renew?.();
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
  private wait(backend: Backend, attempt: Attempt, callId: string, offer: SessionDescription): void {
    attempt.closeConnection();
    attempt.callId = callId;
    const renew = () => void this.join(backend, attempt, offer, callId);
    attempt.renew = renew;
    const connection = backend.connect(
      callId,
      {
        members: (members) => {
          if (!attempt.live || attempt.connection !== connection) return;
          if (!attempt.matched) this.matchedAsWaiter(backend, attempt, members);
          else attempt.call?.setMembers(members);
        },
        signal: (from, signal, tag) => {
          if (!attempt.live || attempt.connection !== connection) return;
          if ('description' in signal && signal.description.type === 'answer' && !attempt.connectedOnce) {
            mark(Mark.answerApplied);
            attempt.answered = true;
            attempt.clearTimer('answer');
          }
          attempt.call?.receive(from, signal, tag);
        },
        activity: (from, bare, tag) => this.onActivity(attempt, from, bare, tag),
        ended: () => this.callEnded(attempt),
        removed: () => this.partnerGone(attempt),
      },
      { members: null },
    );
    attempt.connection = connection;
    // Our place went: matched (and our listener may have missed the match; a
    // renewal that crossed the match says 'paired') or swept
    // (the renewal queues us again). Now, not at the next tick.
    attempt.stopWaiting = backend.matcher.keepWaiting(() => {
      if (!attempt.live || attempt.matched || attempt.connection !== connection) return;
      renew();
    });
    attempt.setTimer('renew', this.deps.timing.renewMs, renew, true);
  }

  /** Someone was paired with us while we waited: our pending offer's link is theirs. */
  private matchedAsWaiter(backend: Backend, attempt: Attempt, members: readonly string[]): void {
    attempt.matched = true;
    attempt.partner = members.find((m) => m !== backend.uid) ?? null;
    attempt.clearTimer('renew');
    attempt.clearTimer('widen');
    attempt.stopWaiting?.();
    attempt.stopWaiting = null;
    this.matched(attempt);
    attempt.call?.setMembers(members);
    // Acknowledge the match at once, with the relay candidates setMembers
    // just released (no address of ours yet): it tells the joiner we are
    // alive, and a joiner paired with a waiter whose tab died is back in
    // the queue in seconds.
    if (attempt.partner) attempt.call?.acknowledge(attempt.partner).catch(() => undefined);
    // A partner who never answers (tab died after the match) sends us back to the queue.
    // Not when the answer came first (our listener missed the match, and a
    // renewal's 'paired' tells us after the link connected): a timer set
    // then was never cleared, and 8 s later it dropped a call that was
    // going on (and the page still said "Connected").
    if (!attempt.answered && !attempt.connectedOnce) {
      attempt.setTimer('answer', this.deps.timing.answerTimeoutMs, () => {
        if (!attempt.connectedOnce) this.requeue(attempt);
      });
    }
  }

  /** Matched with someone who was waiting: answer their offer (a fresh link; our pending offer is dropped). */
  private answer(backend: Backend, attempt: Attempt, result: Extract<JoinResult, { status: 'matched' }>): void {
    attempt.clearTimer('renew');
    attempt.clearTimer('widen');
    attempt.closeConnection();
    attempt.matched = true;
    attempt.callId = result.callId;
    const waiter = result.members.find((m) => m !== backend.uid) ?? null;
    attempt.partner = waiter;
    // We asked to make our mailbox to the waiter (makesOwnMailbox): join says so with the expiry it must carry.
    const makesMailbox = typeof result.expireAtMs === 'number' ? { expireAtMs: result.expireAtMs } : null;
    const connection = backend.connect(
      result.callId,
      {
        members: (members) => {
          if (attempt.live && attempt.connection === connection) attempt.call?.setMembers(members);
        },
        signal: (from, signal, tag) => {
          if (attempt.live && attempt.connection === connection) attempt.call?.receive(from, signal, tag);
        },
        activity: (from, bare, tag) => this.onActivity(attempt, from, bare, tag),
        ended: () => this.callEnded(attempt),
        removed: () => this.partnerGone(attempt),
      },
      // join made the call before it answered: the connection never reads the call's document.
      {
        members: result.members,
        ...(makesMailbox ? { makesMailbox } : {}),
      },
    );
    attempt.connection = connection;
    this.matched(attempt);
    // The waiter acknowledges the match as soon as it sees the call. No word
    // means its tab died while it waited (its last heartbeat was less than
    // 15 s ago): look for someone else, quietly. The server never pairs it
    // again (its entry went with this match, and a dead page renews nothing).
    // A waiter that beat on time gets longer: it is most likely only slow.
    // When we make our mailbox, the waiter sees the match in our answer: the
    // wait starts once that is written (a slow write of ours is not the
    // waiter's silence; one that fails ends the attempt, see send).
    const ackWaitMs = matchAckWaitMs(result.waiterSeenMsAgo, this.deps.timing);
    const noAck = () => {
      if (attempt.connectedOnce) return;
      // ICE under way means the waiter's page answers connectivity checks:
      // alive, only slow to write (a loaded device; seen: a Firefox waiter
      // whose acknowledgement came 50 ms after this timer, while the link was
      // connecting). The connect timeout decides from here.
      const link = waiter === null ? null : (attempt.call?.link(waiter) ?? null);
      if (link?.connectionState === 'connecting') return;
      this.requeue(attempt);
    };
    if (makesMailbox) attempt.ackAfterAnswer = () => attempt.setTimer('ack', ackWaitMs, noAck);
    else attempt.setTimer('ack', ackWaitMs, noAck);
    const call = attempt.call;
    if (!call || waiter === null) {
      this.requeue(attempt);
      return;
    }
    // We are the earlier member: the waiter's offer is the link's first, and we answer it.
    call.setMembers(result.members);
    call.receive(waiter, { description: result.offer });
  }

  /** Adds whom the device remembers `uid` met (a page of this person's before this one) to the skip memory, if it can tell. */
  private recallMet(uid: string): void {
    const kept = this.deps.skipMemory?.load(uid);
    if (!kept) return;
    for (const [partner, at] of kept) if ((this.met.get(partner) ?? 0) < at) this.met.set(partner, at);
    this.knowsMet = true;
  }

  /** Whom we met within SKIP_MEMORY_MS, at most SKIP_MEMORY_SIZE, the most recent last. */
  private recentlyMet(): string[] {
    const since = Date.now() - SKIP_MEMORY_MS;
    for (const [uid, at] of this.met) if (at <= since) this.met.delete(uid);
    return recentEntries(this.met, Date.now()).map(([uid]) => uid);
  }

  private matched(attempt: Attempt): void {
    this.lastCallId = attempt.callId;
    this.lastPartner = attempt.partner;
    this.lastCallAtMs = Date.now();
    this._moderationNotice = null;
    mark(Mark.matched);
    this.dispatch({ type: 'matched' });
  }

  /** Any write of the partner's: the match acknowledged, an answer to our probe. */
  private onActivity(attempt: Attempt, from: string, bare: boolean, tag: LinkTag | null): void {
    if (!attempt.live) return;
    attempt.clearTimer('ack');
    attempt.ackAfterAnswer = null;
    attempt.call?.activity(from, bare, tag);
  }
}

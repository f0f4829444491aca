/**
 * Calls by link: create a call and share its link, or open a link, see how
 * many are in it, join, leave. Owns the state machine (link-call-state.ts),
 * the camera stream and the engine's Call; the backend (CallService) decides
 * membership. Elements reach it through a controller; it never touches the DOM.
 */
import type { CallAvailability, CreateCallResult, EnterCallResult } from '@parley/functions/protocol';
import { Call, type CallSignaling, type Peer } from '../engine/call.js';
import type { LinkSignal } from '../engine/types.js';
import { backendProblem, mediaProblem } from './problems.js';
import { INITIAL_LINK_CALL_STATE, linkCallTransition, type LinkCallEvent, type LinkCallState } from './link-call-state.js';

/** What the call's page hears from the backend while it is a member. */
export interface CallConnectionHandlers {
  /** The members, in entry order, each time they change (self included). */
  members(members: readonly string[]): void;
  /** A signal from another member. */
  signal(from: string, signal: LinkSignal): void;
  /** `from` wrote its mailbox to us (`bare`: nothing new in it: a liveness probe or reply). */
  activity?(from: string, bare: boolean): void;
  /** The call is gone (everyone left). */
  ended(): void;
  /** This page is no longer a member (its lease lapsed while offline). */
  removed(): void;
}

/** A live membership: outgoing signals, heartbeats; `close` stops listening. */
export interface CallConnection extends CallSignaling {
  close(): void;
}

/** Link calls as the flow sees the backend (Cloud Functions + Firestore in backend/). */
export interface CallService {
  readonly uid: string;
  create(): Promise<CreateCallResult>;
  peek(callId: string): Promise<CallAvailability>;
  enter(callId: string): Promise<EnterCallResult>;
  leave(callId: string): Promise<void>;
  /** Best-effort leave while the page unloads (no answer awaited). */
  leaveOnUnload(callId: string): void;
  /** Starts listening to the call and the signals addressed to us, and heartbeats. */
  connect(callId: string, handlers: CallConnectionHandlers): CallConnection;
}

export interface LinkCallDeps {
  /** Connects and signs in; may load code lazily. Called once, then cached. */
  connect(): Promise<CallService>;
  getUserMedia(): Promise<MediaStream>;
  rtcConfig(): RTCConfiguration;
  /** The configuration after renewing expiring TURN credentials: for an ICE restart. Default: rtcConfig(). */
  freshRtcConfig?(): Promise<RTCConfiguration>;
  /** Calls `listener` when rtcConfig() has new servers (renewed credentials); returns the unsubscribe. */
  watchRtcConfig?(listener: () => void): () => void;
  /** How long a member's link may stay interrupted before their tile goes. */
  readonly lostAfterMs: number;
}

export class LinkCallFlow {
  private _state: LinkCallState = INITIAL_LINK_CALL_STATE;
  private local: MediaStream | null = null;
  private servicePromise: Promise<CallService> | null = null;
  /** The service once connected: the leave at unload must go out at once, not after a promise. */
  private service: CallService | null = null;
  private call: Call | null = null;
  private connection: CallConnection | null = null;
  private readonly listeners = new Set<() => void>();
  /** Bumped whenever the call in progress is abandoned, so late answers are ignored. */
  private generation = 0;

  constructor(private readonly deps: LinkCallDeps) {
    // Renewed credentials reach every live link, so a restart from either end uses them.
    deps.watchRtcConfig?.(() => this.call?.setConfiguration(this.deps.rtcConfig()));
  }

  /** Restarts ICE on every link with fresh relay credentials (e.g. after the network changed). */
  async restartIce(): Promise<void> {
    const config = (await this.deps.freshRtcConfig?.()) ?? this.deps.rtcConfig();
    this.call?.restartIce(config);
  }

  get state(): LinkCallState {
    return this._state;
  }

  get localStream(): MediaStream | null {
    return this.local;
  }

  /** The other members, each a tile. Empty outside a call. */
  get peers(): Peer[] {
    return this.call?.peers ?? [];
  }

  /** The engine's call, for tests and diagnostics. */
  get engine(): Call | null {
    return this.call;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  prepare(): Promise<CallService> {
    this.servicePromise ??= this.deps
      .connect()
      .then((service) => (this.service = service))
      .catch((err: unknown) => {
        this.servicePromise = null;
        throw err;
      });
    return this.servicePromise;
  }

  /** Private call: camera first (no call is made for a person who cannot send), then a new call with us in it. */
  async create(): Promise<void> {
    const gen = this.begin({ type: 'create' });
    if (gen === null) return;
    if (!(await this.ensureMedia(gen))) return;
    let service: CallService;
    let created: CreateCallResult;
    try {
      service = await this.prepare();
      created = await service.create();
    } catch (err) {
      if (gen === this.generation) this.dispatch({ type: 'failed', problem: backendProblem(err) });
      return;
    }
    if (gen !== this.generation) {
      void service.leave(created.callId).catch(() => undefined);
      return;
    }
    this.dispatch({ type: 'created', callId: created.callId });
    this.startCall(service, created.callId, created.members);
  }

  /** Opened a link: show the preview and how many are in the call. */
  async open(callId: string): Promise<void> {
    if (this._state.status !== 'idle' && 'callId' in this._state && this._state.callId === callId) return;
    this.endCall();
    const gen = ++this.generation;
    this.dispatch({ type: 'open', callId });
    await this.refresh(gen, callId);
  }

  /** Asks again how many are in the call (the lobby, "full" and "left" screens). */
  async refresh(gen = this.generation, callId = this.currentCallId()): Promise<void> {
    if (callId === null) return;
    try {
      const availability = await (await this.prepare()).peek(callId);
      if (gen !== this.generation) return;
      this.dispatch(
        availability.status === 'ended'
          ? { type: 'availability', status: 'ended' }
          : { type: 'availability', status: availability.status, members: availability.members, capacity: availability.capacity },
      );
      // The lobby shows one's own camera; "full" and "ended" need none.
      if (this._state.status === 'lobby') await this.ensureMedia(gen);
      else if (this._state.status === 'full' || this._state.status === 'ended') this.releaseMedia();
    } catch (err) {
      if (gen === this.generation) this.dispatch({ type: 'failed', problem: backendProblem(err) });
    }
  }

  /** Join the call whose link is open. */
  async join(): Promise<void> {
    const callId = this.currentCallId();
    if (callId === null) return;
    const gen = this.begin({ type: 'join' });
    if (gen === null) return;
    if (!(await this.ensureMedia(gen))) return;
    let service: CallService;
    let result: EnterCallResult;
    try {
      service = await this.prepare();
      result = await service.enter(callId);
    } catch (err) {
      if (gen === this.generation) this.dispatch({ type: 'failed', problem: backendProblem(err) });
      return;
    }
    if (gen !== this.generation) {
      if (result.status === 'entered') void service.leave(callId).catch(() => undefined);
      return;
    }
    if (result.status !== 'entered') {
      this.dispatchRefusal(result);
      return;
    }
    this.dispatch({ type: 'entered' });
    this.startCall(service, callId, result.members);
  }

  /** Leave: this page's links close at once, the backend drops us, the camera goes off. */
  async leave(): Promise<void> {
    const callId = this.currentCallId();
    const s = this._state.status;
    if (callId === null || (s !== 'in-call' && s !== 'joining')) return;
    this.generation++;
    this.endCall();
    this.releaseMedia();
    this.dispatch({ type: 'leave' });
    try {
      await (await this.prepare()).leave(callId);
    } catch (err) {
      console.warn('leave failed', err);
    }
  }

  /** The page is going away: tell the backend without waiting. */
  unload(): void {
    const callId = this.currentCallId();
    const inCall = this._state.status === 'in-call' || this._state.status === 'joining';
    this.generation++;
    this.endCall();
    this.releaseMedia();
    if (!inCall || callId === null) return;
    // At once, not after a promise: a page going away may not run later tasks.
    if (this.service) this.service.leaveOnUnload(callId);
    else void this.servicePromise?.then((s) => s.leaveOnUnload(callId)).catch(() => undefined);
  }

  /** Back to the start page (the element navigates). */
  reset(): void {
    this.generation++;
    this.endCall();
    this.releaseMedia();
    this.dispatch({ type: 'reset' });
  }

  private currentCallId(): string | null {
    return 'callId' in this._state ? this._state.callId : null;
  }

  /** Applies an event that starts an operation; null when it does not apply now. */
  private begin(event: LinkCallEvent): number | null {
    const before = this._state;
    this.dispatch(event);
    if (this._state === before) return null;
    return ++this.generation;
  }

  private dispatchRefusal(result: Exclude<EnterCallResult, { status: 'entered' }>): void {
    // The person is not in the call: no camera needed for "full" or "ended".
    this.releaseMedia();
    this.dispatch(
      result.status === 'ended'
        ? { type: 'availability', status: 'ended' }
        : { type: 'availability', status: 'full', members: result.members, capacity: result.capacity },
    );
  }

  private async ensureMedia(gen: number): Promise<boolean> {
    if (this.local) return true;
    try {
      const stream = await this.deps.getUserMedia();
      if (gen !== this.generation) {
        for (const t of stream.getTracks()) t.stop();
        return false;
      }
      this.local = stream;
      this.notify();
      return true;
    } catch (err) {
      if (gen === this.generation) this.dispatch({ type: 'media-failed', problem: mediaProblem(err) });
      return false;
    }
  }

  private startCall(service: CallService, callId: string, members: readonly string[]): void {
    const local = this.local;
    if (!local) return;
    let connection: CallConnection | null = null;
    const signaling: CallSignaling = {
      send: (to, signal) => connection?.send(to, signal),
      drop: (to) => connection?.drop(to),
      probe: (to) => connection?.probe?.(to) ?? Promise.reject(new Error('not connected')),
    };
    const call = new Call({
      self: service.uid,
      localStream: local,
      rtcConfig: this.deps.rtcConfig,
      signaling,
      lostAfterMs: this.deps.lostAfterMs,
    });
    this.call = call;
    call.onChange(() => this.notify());
    connection = service.connect(callId, {
      members: (m) => {
        if (this.call === call) call.setMembers(m);
      },
      activity: (from, bare) => {
        if (this.call === call) call.activity(from, bare);
      },
      signal: (from, s) => {
        if (this.call === call) call.receive(from, s);
      },
      ended: () => {
        if (this.call !== call) return;
        this.endCall();
        this.releaseMedia();
        this.dispatch({ type: 'ended' });
      },
      removed: () => {
        if (this.call !== call) return;
        this.endCall();
        this.releaseMedia();
        this.dispatch({ type: 'removed' });
      },
    });
    this.connection = connection;
    call.setMembers(members);
  }

  private endCall(): void {
    this.call?.end();
    this.call = null;
    this.connection?.close();
    this.connection = null;
  }

  private releaseMedia(): void {
    if (this.local) for (const t of this.local.getTracks()) t.stop();
    this.local = null;
  }

  private dispatch(event: LinkCallEvent): void {
    const next = linkCallTransition(this._state, event);
    if (next === this._state) return;
    this._state = next;
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

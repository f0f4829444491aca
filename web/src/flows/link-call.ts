/**
 * Calls by link: create a call and share its link, or open a link, see how
 * many are in it, join, leave. Owns the state machine (link-call-state.ts),
 * the camera stream and the engine's Call; the backend (CallService) decides
 * membership. Elements reach it through a controller; it never touches the DOM.
 */
import type { CreateCallResult, EnterCallResult } from '@parley/functions/protocol';
import { CONNECT_TIMEOUT_MS, RECONNECT_FOR_MS } from '../config.js';
import { Call, type Peer } from '../engine/call.js';
import type { LocalMedia } from '../engine/local-media.js';
import type { DataUseSource } from '../features/data-use.js';
import type { InCall, InCallOptions } from '../features/in-call.js';
import type { Backend, CallConnection, LinkCallSettings } from './backend.js';
import { loadInCall, type InCallKit } from './in-call.js';
import { backendProblem, errorCode, mediaProblem } from './problems.js';
import { INITIAL_LINK_CALL_STATE, linkCallTransition, type LinkCallEvent, type LinkCallState } from './link-call-state.js';

export interface LinkCallDeps {
  /** Connects and signs in; may load code lazily. Called once, then cached. */
  connect(): Promise<Backend>;
  /** The page's camera and microphone. */
  readonly media: LocalMedia;
  rtcConfig(): RTCConfiguration;
  /** Calls `listener` when rtcConfig() has new servers (renewed credentials); returns the unsubscribe. */
  watchRtcConfig?(listener: () => void): () => void;
  /** How long a member's link may stay down before their tile goes (default: config.ts, RECONNECT_FOR_MS.link). */
  readonly reconnectForMs?: number;
  /** How long a new link may take to connect before its tile says why not (default: config.ts, CONNECT_TIMEOUT_MS). */
  readonly connectTimeoutMs?: number;
  /** Asks the browser for a screen to share; absent where it cannot (phones): the call then offers no screen share. */
  readonly captureScreen?: () => Promise<MediaStream>;
  /** The person's Audio only and Data saver, applied to the call (absent: video both ways, the default budget). */
  readonly dataUse?: DataUseSource;
  /** Tests' screening (another classifier, policy or sampling rate); absent: the site's model and policy. */
  readonly screening?: InCallOptions['screening'];
}

export class LinkCallFlow {
  private _state: LinkCallState = INITIAL_LINK_CALL_STATE;
  private servicePromise: Promise<Backend> | null = null;
  /** The backend once connected: the leave at unload must go out at once, not after a promise. */
  private service: Backend | null = null;
  private call: Call | null = null;
  private connection: CallConnection | null = null;
  /** Stops the camera's track swaps reaching the call (LocalMedia.attach). */
  private detachMedia: (() => void) | null = null;
  private readonly listeners = new Set<() => void>();
  /** Bumped whenever the call in progress is abandoned, so late answers are ignored. */
  private generation = 0;
  /** A leave on its way to the server (Join waits for it). */
  private leaving: Promise<void> | null = null;
  /**
   * The other members in the order this page first saw them in this call:
   * the grid keeps each person in their place (and number) when their link
   * is rebuilt, when they come back after a lapse, or when we do (the
   * backend puts a returning member at the end of its order).
   */
  private seats: string[] = [];
  private seatsOf: string | null = null;
  private _inCall: InCall | null = null;
  /** Each member's number ("Guest 2"), given the first time this page sees them: see numberOf. */
  private readonly numbers = new Map<string, number>();
  /**
   * The name this person shows with their chat messages in calls by link,
   * or null; the page keeps it on the device and sets it here.
   */
  displayName: string | null = null;
  /**
   * Whether this person's camera is screened before it is sent in calls by
   * link (their choice, kept on the device; off unless they turn it on).
   * Set it with setScreenCamera while in a call.
   */
  screenCamera = false;
  /** The call's settings as its document last said (null outside a call). */
  private settings: LinkCallSettings | null = null;
  /** The creator's change on its way (the switch shows it at once). */
  private pendingScreenIncoming: boolean | null = null;

  constructor(private readonly deps: LinkCallDeps) {
    // Renewed credentials reach every live link, so a restart from either end uses them.
    deps.watchRtcConfig?.(() => this.call?.setConfiguration(this.deps.rtcConfig()));
  }

  get state(): LinkCallState {
    return this._state;
  }

  get localStream(): MediaStream | null {
    return this.deps.media.stream;
  }

  /** The page's camera and microphone (the device pickers switch them). */
  get media(): LocalMedia {
    return this.deps.media;
  }

  /** The other members, each a tile, each in its seat (see `seats`). Empty outside a call. */
  get peers(): Peer[] {
    const peers = this.call?.peers ?? [];
    for (const p of peers) if (!this.seats.includes(p.id)) this.seats.push(p.id);
    return peers.sort((a, b) => this.seats.indexOf(a.id) - this.seats.indexOf(b.id));
  }

  /** The engine's call while in one (tests, diagnostics, and features that attach to a call). */
  get engine(): Call | null {
    return this.call;
  }

  /** The call's in-call features (chat and the rest) while in one; null while they load, or if they could not. */
  get inCall(): InCall | null {
    return this._inCall;
  }

  /**
   * A member's number in the call, from 1 in entry order as this page first
   * saw them, never reused in one call (a member who left keeps theirs in
   * the conversation): the same person has the same number in the grid and
   * in the chat. Pages that joined at different times may number
   * differently after someone left; a display name avoids that.
   */
  numberOf(id: string): number {
    return this.numbers.get(id) ?? 0;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  prepare(): Promise<Backend> {
    this.servicePromise ??= this.deps
      .connect()
      .then((service) => (this.service = service))
      .catch((err: unknown) => {
        this.servicePromise = null;
        throw err;
      });
    return this.servicePromise;
  }

  /** Whether the others' video is screened in this call (the call's setting, or the creator's change on its way). */
  get screenIncoming(): boolean {
    return this.pendingScreenIncoming ?? this.settings?.screenIncoming ?? true;
  }

  /** Whether this page made the call it is in: only its creator may change the call's screening. */
  get isCreator(): boolean {
    return this.settings !== null && this.service !== null && this.settings.creator === this.service.uid;
  }

  /**
   * The creator turns screening of the others' video on or off for
   * everyone in the call. Each page (this one too) follows the call
   * document, so all of them change together once it is stored.
   */
  async setScreenIncoming(on: boolean): Promise<void> {
    const callId = this.currentCallId();
    if (callId === null || this.service === null || !this.isCreator || on === this.screenIncoming) return;
    this.pendingScreenIncoming = on;
    this.notify();
    try {
      await this.service.calls.setScreenIncoming(callId, on);
    } catch (err) {
      console.warn('screening setting not stored', err);
    } finally {
      if (this.pendingScreenIncoming === on) this.pendingScreenIncoming = null;
      this.notify();
    }
  }

  /** This person's own choice: screen their camera before it is sent, now and in later calls by link. */
  setScreenCamera(on: boolean): void {
    this.screenCamera = on;
    this._inCall?.setScreenCamera(on);
    this.notify();
  }

  /** Private call: camera first (no call is made for a person who cannot send), then a new call with us in it. */
  async create(): Promise<void> {
    const gen = this.begin({ type: 'create' });
    if (gen === null) return;
    const kit = loadInCall();
    if (!(await this.ensureMedia(gen))) return;
    let service: Backend;
    let created: CreateCallResult;
    try {
      service = await this.prepare();
      created = await service.calls.create();
    } catch (err) {
      this.failed(gen, 'create', err);
      return;
    }
    if (gen !== this.generation) {
      void service.calls.leave(created.callId).catch(() => undefined);
      return;
    }
    const features = await kit;
    if (gen !== this.generation) {
      void service.calls.leave(created.callId).catch(() => undefined);
      return;
    }
    this.dispatch({ type: 'created', callId: created.callId });
    this.startCall(service, created.callId, created.members, features, {
      creator: service.uid,
      screenIncoming: created.screenIncoming,
    });
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
      const availability = await (await this.prepare()).calls.peek(callId);
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
      this.failed(gen, 'peek', err);
    }
  }

  /** Join the call whose link is open. */
  async join(): Promise<void> {
    const callId = this.currentCallId();
    if (callId === null) return;
    const gen = this.begin({ type: 'join' });
    if (gen === null) return;
    const kit = loadInCall();
    if (!(await this.ensureMedia(gen))) return;
    await this.enter(gen, callId, kit);
  }

  /**
   * The backend removed us while we were in the call (our presence lapsed:
   * the device was frozen, asleep or offline for a while). Enter again at
   * once, with the camera kept on, rather than leave a person looking at a
   * call that goes on without them; "full" if someone took the seat.
   */
  private async rejoin(): Promise<void> {
    const callId = this.currentCallId();
    if (callId === null || this._state.status !== 'in-call') return;
    this.endCall();
    const gen = ++this.generation;
    this.dispatch({ type: 'removed' });
    await this.enter(gen, callId, loadInCall());
  }

  /**
   * A request to the backend failed: the page says so (the problem's words)
   * and the console says which request and the error's code, so that a
   * failure seen in a test or a bug report says why.
   */
  private failed(gen: number, request: 'create' | 'peek' | 'enter', err: unknown): void {
    if (gen !== this.generation) return;
    const problem = backendProblem(err);
    console.warn(`call: ${request} failed (${errorCode(err)}): ${problem.code}`);
    this.dispatch({ type: 'failed', problem });
  }

  private async enter(gen: number, callId: string, kit: ReturnType<typeof loadInCall>): Promise<void> {
    let service: Backend;
    let result: EnterCallResult;
    try {
      service = await this.prepare();
      // Join pressed right after Leave: a leave that reached the server
      // after this enter would take the new seat away.
      await this.leaving;
      result = await service.calls.enter(callId);
    } catch (err) {
      this.failed(gen, 'enter', err);
      return;
    }
    if (gen !== this.generation) {
      if (result.status === 'entered') void service.calls.leave(callId).catch(() => undefined);
      return;
    }
    if (result.status !== 'entered') {
      this.dispatchRefusal(result);
      return;
    }
    const features = await kit;
    if (gen !== this.generation) {
      void service.calls.leave(callId).catch(() => undefined);
      return;
    }
    this.dispatch({ type: 'entered' });
    this.startCall(service, callId, result.members, features, { creator: null, screenIncoming: result.screenIncoming });
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
    const leaving = (async () => {
      try {
        await (await this.prepare()).calls.leave(callId);
      } catch (err) {
        console.warn('leave failed', String(err));
      }
    })();
    this.leaving = leaving;
    await leaving;
    if (this.leaving === leaving) this.leaving = null;
  }

  /** The page is going away: tell the backend without waiting. */
  unload(): void {
    const callId = this.currentCallId();
    const inCall = this._state.status === 'in-call' || this._state.status === 'joining';
    // The leave first, then the teardown (byes, closing every link, the
    // camera): a page going away may not run later tasks, and a busy one
    // may be cut off inside this handler; the others' seats depend on the
    // leave reaching the server (without it, they wait for the lease).
    if (inCall && callId !== null) {
      if (this.service) this.service.calls.leaveOnUnload(callId);
      else void this.servicePromise?.then((s) => s.calls.leaveOnUnload(callId)).catch(() => undefined);
    }
    this.generation++;
    this.endCall();
    this.releaseMedia();
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

  private dispatch(event: LinkCallEvent): void {
    const next = linkCallTransition(this._state, event);
    if (next === this._state) return;
    this._state = next;
    // Seats belong to one call.
    const callId = this.currentCallId();
    if (callId !== this.seatsOf) {
      this.seatsOf = callId;
      this.seats = [];
    }
    this.notify();
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
    try {
      const stream = await this.deps.media.open();
      if (gen !== this.generation || stream === null) return false;
      this.notify();
      return true;
    } catch (err) {
      if (gen === this.generation) this.dispatch({ type: 'media-failed', problem: mediaProblem(err) });
      return false;
    }
  }

  private startCall(
    service: Backend,
    callId: string,
    members: readonly string[],
    kit: InCallKit | null,
    /** What createCall or enterCall said; the call document's listener says more (the creator) and each change. */
    settings: LinkCallSettings,
  ): void {
    const local = this.deps.media.stream;
    if (!local) return;
    this.settings = settings;
    this.pendingScreenIncoming = null;
    this.numbers.clear();
    this.numberMembers(members);
    let connection: CallConnection | null = null;
    const call = new Call({
      self: service.uid,
      localStream: local,
      rtcConfig: () => this.deps.rtcConfig(),
      signaling: {
        send: (to, signal, tag) =>
          void connection?.send(to, signal, tag).catch((err: unknown) => {
            // Refused once the other member left (the mailbox is deleted with them).
            if (this.call === call) console.warn('signal not sent', err);
          }),
        drop: (to) => connection?.drop(to),
        probe: (to, tag) => connection?.probe(to, tag) ?? Promise.reject(new Error('not connected')),
        // Never asked for: only a random call's waiter acknowledges a match.
        acknowledge: (to, tag) => connection?.acknowledge(to, tag) ?? Promise.reject(new Error('not connected')),
      },
      reconnectForMs: this.deps.reconnectForMs ?? RECONNECT_FOR_MS.link,
      connectTimeoutMs: this.deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      // A group must not split because one device stalled: see CallOptions.relink.
      relink: true,
    });
    this.call = call;
    this.detachMedia = this.deps.media.attach(call);
    call.onChange(() => this.notify());
    if (kit) {
      this._inCall = new kit.InCall(call, {
        kind: 'link',
        media: this.deps.media,
        callId: () => callId,
        numberOf: (id) => this.numberOf(id),
        ownName: () => this.displayName,
        ...(this.deps.captureScreen ? { captureScreen: this.deps.captureScreen } : {}),
        ...(this.deps.dataUse ? { dataUse: this.deps.dataUse } : {}),
        screenCamera: this.screenCamera,
        screenIncoming: settings.screenIncoming,
        ...(this.deps.screening ? { screening: this.deps.screening } : {}),
      });
      // In the call: if anything is screened, InCall starts loading the model now, in its worker,
      // while the links connect (the others' video stays blurred until it is scored).
      this._inCall.onChange(() => this.notify());
    }
    const ifCurrent =
      <A extends unknown[]>(fn: (...args: A) => void) =>
      (...args: A) => {
        if (this.call === call) fn(...args);
      };
    connection = service.connect(callId, {
      members: ifCurrent((m) => {
        this.numberMembers(m);
        call.setMembers(m);
      }),
      activity: ifCurrent((from, bare, tag) => call.activity(from, bare, tag)),
      signal: ifCurrent((from, s, tag) => call.receive(from, s, tag)),
      ended: ifCurrent(() => this.endedBy({ type: 'ended' })),
      removed: ifCurrent(() => void this.rejoin()),
      settings: ifCurrent((next) => {
        this.settings = next;
        this._inCall?.setScreenIncoming(next.screenIncoming);
        this.notify();
      }),
    });
    this.connection = connection;
    call.setMembers(members);
  }

  /** Numbers members not numbered yet: their place in entry order, or the next free number if someone else has it. */
  private numberMembers(members: readonly string[]): void {
    members.forEach((id, i) => {
      if (this.numbers.has(id)) return;
      const taken = new Set(this.numbers.values());
      this.numbers.set(id, taken.has(i + 1) ? Math.max(0, ...taken) + 1 : i + 1);
    });
  }

  /** The backend ended our membership (the call is gone, or we were removed). */
  private endedBy(event: LinkCallEvent): void {
    this.endCall();
    this.releaseMedia();
    this.dispatch(event);
  }

  private endCall(): void {
    this.detachMedia?.();
    this.detachMedia = null;
    // A call by link's conversation ends with it.
    this._inCall?.detach();
    this._inCall = null;
    this.settings = null;
    this.pendingScreenIncoming = null;
    this.call?.end();
    this.call = null;
    this.connection?.close();
    this.connection = null;
  }

  private releaseMedia(): void {
    this.deps.media.release();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * "Test my connection": asks for the camera and microphone (with a level
 * meter on the microphone) while the ICE probe gathers candidates with the
 * real ICE configuration, then measures the relay's round trip when a relay
 * was found. Owns the state machine (connection-check-state.ts), the stream
 * and the meter; elements reach it through a controller.
 */
import { AudioLevelMeter } from '../engine/audio-level.js';
import { RtpAudioLevelMeter } from '../engine/rtp-audio-level.js';
import { configuredServers, summarizeCandidates, type ParsedCandidate } from '../engine/ice-candidate.js';
import { measureRelayRtt, probeIce } from '../engine/ice-probe.js';
import { backendProblem, mediaProblem } from './problems.js';
import { checkTransition, INITIAL_CHECK_STATE, type CheckEvent, type CheckState } from './connection-check-state.js';
import { MeterUntilRunning, type LevelMeter } from './level-meter.js';
import { failedVerdict, OLD_BROWSER, stunOutcome, type MediaFinding, type NetworkFinding } from './verdict.js';

export interface ConnectionCheckDeps {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** What a call asks for; the check asks for the same. */
  readonly constraints: MediaStreamConstraints;
  /** The ICE configuration calls use, with real (short-lived) TURN credentials. */
  iceConfig(): Promise<RTCConfiguration>;
  /** How long candidates may take to gather. */
  readonly gatherTimeoutMs: number;
  /** How long the two relayed test peers may take to connect. */
  readonly relayTimeoutMs: number;
  /** Default: the Web Audio meter of engine/audio-level.ts. */
  levelMeter?(stream: MediaStream): LevelMeter;
  /** While that one waits for a gesture. Default: the WebRTC meter of engine/rtp-audio-level.ts. */
  standInMeter?(stream: MediaStream): LevelMeter;
}

/** How often the meter is read: 20 times a second looks smooth and costs nothing. */
const LEVEL_EVERY_MS = 50;

export class ConnectionCheck {
  private _state: CheckState = INITIAL_CHECK_STATE;
  private local: MediaStream | null = null;
  private meter: LevelMeter | null = null;
  private meterTimer: ReturnType<typeof setInterval> | undefined;
  private _level = 0;
  private readonly listeners = new Set<() => void>();
  private readonly levelListeners = new Set<(level: number) => void>();
  /** Bumped by every start and stop, so that a run left behind changes nothing. */
  private generation = 0;

  constructor(private readonly deps: ConnectionCheckDeps) {}

  get state(): CheckState {
    return this._state;
  }

  /** The camera and microphone while the page shows them. */
  get localStream(): MediaStream | null {
    return this.local;
  }

  /** The microphone's level in [0, 1], updated 20 times a second. */
  get level(): number {
    return this._level;
  }

  /** The loudest the microphone has been since the check started (0: not a sound). */
  get peakLevel(): number {
    return this.meter?.peak ?? 0;
  }

  /** Calls `listener` after every state change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` with each new meter reading; returns the unsubscribe function. */
  onLevel(listener: (level: number) => void): () => void {
    this.levelListeners.add(listener);
    return () => this.levelListeners.delete(listener);
  }

  /** Runs the check (again, from any resting state); resolves when it is done or failed. */
  async start(): Promise<void> {
    if (this._state.status === 'checking') return;
    this.release();
    const generation = ++this.generation;
    this.dispatch({ type: 'start' });
    if (typeof globalThis.RTCPeerConnection !== 'function') {
      this.dispatch({ type: 'failed', verdict: OLD_BROWSER });
      return;
    }
    try {
      const [media, network] = await Promise.all([this.checkMedia(generation), this.checkNetwork(generation)]);
      if (generation !== this.generation) return;
      this.dispatch({ type: 'finished', result: { media, network } });
    } catch (err) {
      if (generation !== this.generation) return;
      this.dispatch({ type: 'failed', verdict: failedVerdict(backendProblem(err)) });
    }
  }

  /** Restarts a meter that the browser's autoplay policy held back; call it from a click or key anywhere on the page. */
  resumeAudio(): void {
    void this.meter?.resume().catch(() => undefined);
  }

  /** Releases the camera and microphone and forgets the result (the person left the page). */
  stop(): void {
    this.generation += 1;
    this.release();
    this.dispatch({ type: 'stop' });
  }

  private release(): void {
    clearInterval(this.meterTimer);
    this.meter?.close();
    this.meter = null;
    this._level = 0;
    for (const t of this.local?.getTracks() ?? []) t.stop();
    this.local = null;
  }

  private async checkMedia(generation: number): Promise<MediaFinding> {
    const { stream, finding } = await this.acquire();
    if (generation !== this.generation) {
      for (const t of stream?.getTracks() ?? []) t.stop();
      return finding;
    }
    this.local = stream;
    if (stream && stream.getAudioTracks().length > 0) this.startMeter(stream);
    this.dispatch({ type: 'media', media: finding });
    return finding;
  }

  /**
   * Camera and microphone together, as a call asks for them. When that fails
   * for a reason other than a refusal, each is asked for alone, to say which
   * one is missing or busy (a refusal would only be repeated).
   */
  private async acquire(): Promise<{ stream: MediaStream | null; finding: MediaFinding }> {
    const { audio, video } = this.deps.constraints;
    try {
      const stream = await this.deps.getUserMedia({ audio, video });
      return { stream, finding: { camera: has(stream, 'video'), microphone: has(stream, 'audio'), problem: null } };
    } catch (err) {
      const problem = mediaProblem(err);
      if (problem.code === 'camera-denied' || problem.code === 'insecure-context') {
        return { stream: null, finding: { camera: false, microphone: false, problem } };
      }
      const alone = await Promise.allSettled([this.deps.getUserMedia({ video }), this.deps.getUserMedia({ audio })]);
      const tracks = alone.flatMap((r) => (r.status === 'fulfilled' ? r.value.getTracks() : []));
      const failure = alone.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      const stream = tracks.length > 0 ? new MediaStream(tracks) : null;
      return {
        stream,
        finding: {
          camera: stream !== null && has(stream, 'video'),
          microphone: stream !== null && has(stream, 'audio'),
          problem: failure ? mediaProblem(failure.reason) : problem,
        },
      };
    }
  }

  private startMeter(stream: MediaStream): void {
    // Made after getUserMedia: Chromium and Safari then let its AudioContext run without a gesture.
    const main = this.deps.levelMeter?.(stream) ?? new AudioLevelMeter(stream);
    this.meter = new MeterUntilRunning(
      main,
      () => this.deps.standInMeter?.(stream) ?? new RtpAudioLevelMeter(stream.getAudioTracks()[0]!),
    );
    const meter = this.meter;
    this.meterTimer = setInterval(() => {
      this._level = meter.level();
      for (const l of this.levelListeners) l(this._level);
    }, LEVEL_EVERY_MS);
  }

  private async checkNetwork(generation: number): Promise<NetworkFinding> {
    const config = await this.deps.iceConfig();
    const servers = configuredServers(config);
    const gathered = await probeIce(config, {
      timeoutMs: this.deps.gatherTimeoutMs,
      onCandidate: (candidate: ParsedCandidate) => {
        if (generation === this.generation) this.dispatch({ type: 'candidate', candidate });
      },
    });
    const summary = summarizeCandidates(gathered.candidates);
    let relayRttMs: number | null = null;
    if (summary.relay && generation === this.generation) {
      this.dispatch({ type: 'measuring-relay' });
      relayRttMs = await measureRelayRtt(config, { timeoutMs: this.deps.relayTimeoutMs });
    }
    const stun = stunOutcome({
      srflx: summary.srflx,
      stunUrls: iceUrls(config).filter((url) => /^stuns?:/i.test(url)),
      relayConfigured: servers.turn,
      failedServers: gathered.failedServers,
      complete: gathered.complete,
    });
    return { summary, servers, stun, complete: gathered.complete, relayRttMs };
  }

  private dispatch(event: CheckEvent): void {
    const next = checkTransition(this._state, event);
    if (next === this._state) return;
    this._state = next;
    for (const l of this.listeners) l();
  }
}

/** Every server URL an ICE configuration names. */
function iceUrls(config: RTCConfiguration): string[] {
  return (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
}

function has(stream: MediaStream, kind: 'audio' | 'video'): boolean {
  return stream.getTracks().some((t) => t.kind === kind && t.readyState === 'live');
}

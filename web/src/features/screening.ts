/**
 * Screening of the page's own camera before it is sent: every
 * SAMPLE_EVERY_MS a frame of the camera is scored by the classifier (in its
 * worker) and fed to the policy (screening-policy.ts). While the policy
 * says the camera may not be shown, every call sends a neutral placeholder
 * instead (LocalMedia.hold: RTCRtpSender.replaceTrack, no renegotiation),
 * and the person is told why (`paused`); the camera goes out again once
 * frames have stayed clean. The preview keeps showing the camera.
 *
 * A camera nobody has scored yet (the call's start, a device switch, the
 * camera turned back on) sends the placeholder until its first frame is
 * scored: nothing unscreened goes out. If the classifier cannot run at all
 * (its model did not load), the camera goes out unscreened rather than
 * never: the other person's page screens what it receives.
 */
import type { MediaKind } from '../engine/local-media.js';
import type { FrameClassifier } from './screening-classifier.js';
import {
  DEFAULT_SCREENING,
  INITIAL_SCREENING,
  mayShow,
  nextScreening,
  type ScreeningConfig,
  type ScreeningState,
} from './screening-policy.js';

/**
 * Two samples a second. Scoring one frame takes 65–90 ms in the worker on
 * a loaded two-core machine (WASM backend), so this costs the worker about
 * a sixth of a core; an unsafe frame reaches the wire for at most one
 * interval plus one scoring (about 0.6 s) before the placeholder replaces
 * it.
 */
export const SAMPLE_EVERY_MS = 500;

/** The page's camera, as screening uses it (engine/local-media.ts). */
export interface ScreenedCamera {
  readonly stream: MediaStream | null;
  isOn(kind: MediaKind): boolean;
  /** Sends `track` instead of the camera on every call until the returned function is called. */
  hold(kind: MediaKind, track: MediaStreamTrack): () => void;
}

/** Small bitmaps of one track's current frame (video-frames.ts). */
export interface FrameSampler {
  readonly track: MediaStreamTrack;
  /** The current frame, or null when there is none yet. */
  sample(): Promise<ImageBitmap | null>;
  close(): void;
}

/** What is sent instead of the camera. */
export interface Placeholder {
  readonly track: MediaStreamTrack;
  stop(): void;
}

export interface CameraScreeningOptions {
  readonly classifier: FrameClassifier;
  readonly sampler: (track: MediaStreamTrack) => FrameSampler;
  readonly placeholder: () => Placeholder;
  /** The policy's classes, thresholds and clean time; tests treat drawings as unsafe. */
  readonly config?: ScreeningConfig;
  readonly sampleEveryMs?: number;
  /** The clock (tests may pass their own). */
  readonly now?: () => number;
}

export class CameraScreening {
  private state: ScreeningState = INITIAL_SCREENING;
  private sampler: FrameSampler | null = null;
  private placeholder: Placeholder | null = null;
  private release: (() => void) | null = null;
  private busy = false;
  private stopped = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly config: ScreeningConfig;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly camera: ScreenedCamera,
    private readonly options: CameraScreeningOptions,
  ) {
    this.config = options.config ?? DEFAULT_SCREENING;
    this.now = options.now ?? (() => performance.now());
    this.apply();
    this.timer = setInterval(() => void this.tick(), options.sampleEveryMs ?? SAMPLE_EVERY_MS);
    void options.classifier.ready.then((backend) => {
      if (backend === null) this.giveUp();
      else void this.tick();
    });
  }

  /** Whether the camera is withheld because a frame may show nudity: the person is told. */
  get paused(): boolean {
    return !this.stopped && this.state.status === 'unsafe';
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The call is over: the camera is the device's again; the classifier stays for the next call. */
  detach(): void {
    this.stop();
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopped) return;
    const track = this.camera.stream?.getVideoTracks()[0] ?? null;
    if (!track || !this.camera.isOn('video')) {
      // Nothing is sent; whatever is sent next is a camera nobody has scored.
      this.forgetTrack();
      return;
    }
    if (this.sampler?.track !== track) {
      this.forgetTrack();
      this.sampler = this.options.sampler(track);
    }
    const sampler = this.sampler!;
    this.busy = true;
    try {
      const atMs = this.now();
      const frame = await sampler.sample();
      if (!frame) return;
      const scores = await this.options.classifier.classify(frame);
      if (!scores || this.stopped || this.sampler !== sampler) return;
      this.setState(nextScreening(this.state, { atMs, scores }, this.config));
    } finally {
      this.busy = false;
    }
  }

  private forgetTrack(): void {
    this.sampler?.close();
    this.sampler = null;
    this.setState(INITIAL_SCREENING);
  }

  private setState(state: ScreeningState): void {
    const wasPaused = this.paused;
    this.state = state;
    this.apply();
    if (this.paused !== wasPaused) this.notify();
  }

  /** Holds the placeholder in the camera's place while the state says so, and lets go when it does not. */
  private apply(): void {
    if (this.stopped) return;
    if (!mayShow(this.state) && !this.release) {
      this.placeholder ??= this.options.placeholder();
      this.release = this.camera.hold('video', this.placeholder.track);
    } else if (mayShow(this.state) && this.release) {
      this.release();
      this.release = null;
    }
  }

  /** The classifier will never answer: the camera goes out unscreened (see the top of this file). */
  private giveUp(): void {
    console.warn('screening: the classifier did not load; the camera is sent unscreened');
    this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    const wasPaused = this.paused;
    this.stopped = true;
    clearInterval(this.timer);
    this.release?.();
    this.release = null;
    this.placeholder?.stop();
    this.placeholder = null;
    this.sampler?.close();
    this.sampler = null;
    if (wasPaused) this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

/**
 * Reactive controller that watches the page's own camera while it is on and
 * says when it stopped giving pictures without Parley turning it off.
 *
 * Safari (macOS and iOS) gives the camera to the tab that asked last: the
 * older tab's camera track is muted (and on iOS, often ended) while the call
 * goes on, so the other person sees a frozen picture and this person sees
 * nothing wrong but a still preview. Chrome and Firefox refuse the second
 * tab instead (NotReadableError, worded as `camera-busy`). An unplugged
 * camera ends its track in every browser.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** `paused`: the track is muted (it may come back by itself); `ended`: it will not. */
export type CameraLoss = 'paused' | 'ended';

export class CameraWatch implements ReactiveController {
  private track: MediaStreamTrack | null = null;
  private _loss: CameraLoss | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Why the camera gives no picture, or null while it works (or is off on purpose). */
  get loss(): CameraLoss | null {
    return this._loss;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.follow(null);
  }

  /** Watches the video track of `stream` (the page's camera; null when off). Call on every update. */
  watch(stream: MediaStream | null): void {
    const track = stream?.getVideoTracks()[0] ?? null;
    if (track !== this.track) this.follow(track);
  }

  private follow(track: MediaStreamTrack | null): void {
    if (this.track) {
      this.track.removeEventListener('mute', this.update);
      this.track.removeEventListener('unmute', this.update);
      this.track.removeEventListener('ended', this.update);
    }
    this.track = track;
    if (track) {
      track.addEventListener('mute', this.update);
      track.addEventListener('unmute', this.update);
      track.addEventListener('ended', this.update);
    }
    this.update();
  }

  /**
   * From the track's own state, not the event: `ended` fires only when the
   * browser ends a track (Parley's own stop() fires nothing and changes the
   * stream, which `watch` follows).
   */
  private readonly update = () => {
    const t = this.track;
    const loss: CameraLoss | null = !t ? null : t.readyState === 'ended' ? 'ended' : t.muted ? 'paused' : null;
    if (loss === this._loss) return;
    this._loss = loss;
    this.host.requestUpdate();
  };
}

/**
 * Reactive controller that plays the other people's videos with their
 * sound, and falls back to playing them muted when the browser refuses
 * sound without a gesture, so that the picture never stays frozen on a
 * refused autoplay; the element then offers "Tap to unmute", and the tap (a
 * gesture) turns the sound on.
 *
 * Safari, and every browser on iOS, refuse `play()` with sound until the
 * person has touched the page (NotAllowedError); Chrome and Firefox do too
 * under a stricter autoplay setting. The `autoplay` attribute alone fails
 * silently there: the video stays paused, with no error to act on.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class SoundController implements ReactiveController {
  /** The stream each video was last asked to play: play() again only when it changes. */
  private readonly playing = new WeakMap<HTMLVideoElement, MediaProvider>();
  /** Videos playing muted because their sound was refused, with the stream they play. */
  private readonly silenced = new Map<HTMLVideoElement, MediaProvider>();

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Whether a video plays muted because the browser wants a gesture first: show "Tap to unmute". */
  get needsTap(): boolean {
    return this.silenced.size > 0;
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.silenced.clear();
  }

  /**
   * The remote streams the coming render shows (call before rendering): a
   * silenced video whose stream is not among them gets its sound back, so
   * that the next stream on that element tries its sound again.
   */
  keep(streams: Iterable<MediaProvider | null>): void {
    const shown = new Set(streams);
    for (const [video, stream] of this.silenced) {
      if (shown.has(stream)) continue;
      video.muted = false;
      this.silenced.delete(video);
    }
  }

  /** Plays each of `videos` whose stream is new (call after every render with the remote videos shown). */
  play(videos: Iterable<HTMLVideoElement>): void {
    for (const video of videos) {
      const stream = video.srcObject;
      if (!stream || this.playing.get(video) === stream) continue;
      this.playing.set(video, stream);
      void this.start(video, stream);
    }
  }

  /** Turns the sound on for every silenced video: call from a click or a key press (a gesture). */
  async unmute(): Promise<void> {
    const videos = [...this.silenced];
    this.silenced.clear();
    await Promise.all(
      videos.map(async ([video, stream]) => {
        video.muted = false;
        try {
          await video.play();
        } catch (err) {
          if (!refused(err) || video.srcObject !== stream) return;
          // Not taken as a gesture after all: keep the picture, ask again.
          video.muted = true;
          this.silenced.set(video, stream);
          void video.play().catch(() => undefined);
        }
      }),
    );
    this.host.requestUpdate();
  }

  private async start(video: HTMLVideoElement, stream: MediaProvider): Promise<void> {
    try {
      await video.play();
    } catch (err) {
      // Replaced meanwhile, or refused for another reason (e.g. the stream went): nothing to offer.
      if (!refused(err) || video.srcObject !== stream) return;
      video.muted = true;
      this.silenced.set(video, stream);
      this.host.requestUpdate();
      await video.play().catch((e: unknown) => {
        if (video.srcObject === stream) console.warn('video could not play even muted', e);
      });
    }
  }
}

/** Whether play() was refused by the autoplay policy (as opposed to aborted by a new source). */
function refused(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'NotAllowedError';
}

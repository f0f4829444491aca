/**
 * Screen share in a call by link: this page shares a tab, a window or a
 * screen beside its camera (a video section of its own on every link,
 * engine/track-roles.ts), and every member learns which section carries it
 * from the `media` message (features/media-state.ts), so that their pages
 * show it large with the sharer's camera still in its tile. A member who
 * joins while someone shares gets the share on their new link, and is told
 * when the channel opens. Stopping from the page or from the browser's own
 * "Stop sharing" bar (the track ends by itself) are the same stop.
 */
import type { CallLinkListener } from '../engine/call.js';

/** What of a `Call` this uses (engine/call.ts). */
export interface ScreenCall {
  shareScreen(track: MediaStreamTrack | null): Promise<void>;
  remoteScreen(id: string, mid: string | null): MediaStreamTrack | null;
  onLink(listener: CallLinkListener): () => void;
}

/** What of the call's media state this uses: who names which section as their screen, and telling everyone ours. */
export interface ScreenAnnouncer {
  of(id: string): { readonly screen: string | null };
  announce(): void;
}

/** How a start ended: sharing, the person closed the browser's picker, or the browser could not capture. */
export const ShareResult = { sharing: 'sharing', cancelled: 'cancelled', failed: 'failed' } as const;
export type ShareResult = (typeof ShareResult)[keyof typeof ShareResult];

export class ScreenShare {
  private own: MediaStream | null = null;
  /** Set while the browser's picker is open: a second press waits for the same answer. */
  private starting: Promise<ShareResult> | null = null;
  /** One stream per received screen track, so that a video element keeps its srcObject across renders. */
  private readonly streams = new WeakMap<MediaStreamTrack, MediaStream>();
  private readonly listeners = new Set<() => void>();
  private readonly stopListening: () => void;
  private detached = false;

  constructor(
    private readonly call: ScreenCall,
    private readonly media: ScreenAnnouncer,
    /** Asks the browser for a screen (getDisplayMedia, media.ts); tests pass Chromium's fake capture. */
    private readonly capture: () => Promise<MediaStream>,
  ) {
    this.stopListening = call.onLink({
      // Our screen's section got its mid on this link (a first share, or a member who joined meanwhile): name it.
      negotiated: () => {
        if (this.own) this.media.announce();
      },
    });
  }

  /** What this page shares now (its own view of it), or null. */
  get ownScreen(): MediaStream | null {
    return this.own;
  }

  /** The screen member `id` shares, as it arrives on our link to them; null when they share none (or it is not here yet). */
  of(id: string): MediaStream | null {
    const track = this.call.remoteScreen(id, this.media.of(id).screen);
    if (!track) return null;
    let stream = this.streams.get(track);
    if (!stream) this.streams.set(track, (stream = new MediaStream([track])));
    return stream;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the browser for a screen (its own picker) and shares it with everyone in the call. */
  start(): Promise<ShareResult> {
    if (this.own) return Promise.resolve(ShareResult.sharing);
    this.starting ??= this.begin().finally(() => (this.starting = null));
    return this.starting;
  }

  /** Stops sharing (the page's button, the browser's bar, or the end of the call). */
  async stop(): Promise<void> {
    const own = this.own;
    if (!own) return;
    this.own = null;
    for (const t of own.getTracks()) t.stop();
    if (!this.detached) {
      await this.call.shareScreen(null);
      this.media.announce();
    }
    this.notify();
  }

  /** The call is over for this page: a share still running stops (the browser's bar goes too). */
  detach(): void {
    this.detached = true;
    this.stopListening();
    void this.stop();
  }

  private async begin(): Promise<ShareResult> {
    let stream: MediaStream;
    try {
      stream = await this.capture();
    } catch (err) {
      // NotAllowedError: the person closed the picker (or a policy refused); nothing to say then.
      if (err instanceof DOMException && err.name === 'NotAllowedError') return ShareResult.cancelled;
      console.warn('screen not captured', err);
      return ShareResult.failed;
    }
    const track = stream.getVideoTracks()[0];
    // Only the picture: a tab's sound is not asked for, and would not be sent.
    for (const t of stream.getAudioTracks()) t.stop();
    if (!track || this.detached) {
      for (const t of stream.getTracks()) t.stop();
      return this.detached ? ShareResult.cancelled : ShareResult.failed;
    }
    // Text and lines stay sharp: the encoder keeps resolution over frame rate.
    track.contentHint = 'detail';
    // The browser's own "Stop sharing" ends the track (our stop() fires no 'ended').
    track.addEventListener(
      'ended',
      () => {
        if (this.own === stream) void this.stop();
      },
      { once: true },
    );
    this.own = stream;
    await this.call.shareScreen(track);
    this.media.announce();
    this.notify();
    return ShareResult.sharing;
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

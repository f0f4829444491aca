/**
 * The page's camera and microphone: one owner for the one stream every call
 * sends. The flows open it when a person starts or joins and release it when
 * they stop or leave; a call attaches itself while it runs, so that a track
 * replaced here (a device switch, mute, screening) is swapped on every live
 * link with RTCRtpSender.replaceTrack, without renegotiation.
 */

export type MediaKind = 'audio' | 'video';

/** What a track can be swapped on: a live call (engine/call.ts). */
export interface TrackSink {
  /** Sends `track` as the camera ('video') or microphone ('audio'); null sends nothing (off). */
  replaceTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void>;
}

export class LocalMedia {
  private current: MediaStream | null = null;
  /** The request in progress, shared by everyone who asks meanwhile. */
  private opening: Promise<MediaStream> | null = null;
  /** Bumped by release: a request that was in flight then is stopped on arrival, never kept. */
  private generation = 0;
  private readonly sinks = new Set<TrackSink>();
  /** The kinds the person turned off (mute, camera off): sent as nothing until turned on. */
  private readonly off = new Set<MediaKind>();

  constructor(
    /** Asks the browser (getUserMedia with the page's constraints); tests pass a fake camera. */
    private readonly acquire: () => Promise<MediaStream>,
  ) {}

  /** The stream, while open. */
  get stream(): MediaStream | null {
    return this.current;
  }

  /**
   * The camera and microphone, asked for once: resolves with the open
   * stream, or null when `release` was called while the browser was asking
   * (the person stopped while the permission prompt was open: the camera is
   * released at once). Rejects with the browser's error.
   */
  async open(): Promise<MediaStream | null> {
    if (this.current) return this.current;
    const generation = this.generation;
    this.opening ??= this.acquire().finally(() => (this.opening = null));
    const stream = await this.opening;
    if (generation !== this.generation) {
      stopTracks(stream);
      return null;
    }
    this.current = stream;
    return stream;
  }

  /**
   * Turns the camera and microphone off; a request still in flight is
   * stopped when it arrives. The next stream starts with both on.
   */
  release(): void {
    this.generation += 1;
    if (this.current) stopTracks(this.current);
    this.current = null;
    this.off.clear();
  }

  /**
   * A call that sends this stream: it gets every replaced track until the
   * returned function detaches it, and, at once, nothing for a kind that is
   * off (a call made while muted sends no sound from its first packet).
   */
  attach(sink: TrackSink): () => void {
    this.sinks.add(sink);
    for (const kind of this.off) void sink.replaceTrack(kind, null);
    return () => this.sinks.delete(sink);
  }

  /** Whether the microphone ('audio') or camera ('video') is on: sent to the calls. */
  isOn(kind: MediaKind): boolean {
    return !this.off.has(kind);
  }

  /**
   * Mute and camera off, and back. Off, the track is disabled (the preview
   * goes dark, a meter goes still) and every call sends nothing instead of
   * it (RTCRtpSender.replaceTrack(null): no packets at all, where a disabled
   * track would still send silence and black frames); on, it is sent again.
   * No renegotiation either way.
   */
  async setOn(kind: MediaKind, on: boolean): Promise<void> {
    if (on === this.isOn(kind)) return;
    if (on) this.off.delete(kind);
    else this.off.add(kind);
    const track = this.current?.getTracks().find((t) => t.kind === kind) ?? null;
    if (track) track.enabled = on;
    await Promise.all([...this.sinks].map((sink) => sink.replaceTrack(kind, on ? track : null)));
  }

  /**
   * Sends `track` instead of the stream's track of its kind, on every
   * attached call; the old track is stopped.
   */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    const stream = this.current;
    if (!stream) throw new Error('no camera stream to replace a track in');
    for (const old of stream.getTracks().filter((t) => t.kind === track.kind)) {
      stream.removeTrack(old);
      old.stop();
    }
    stream.addTrack(track);
    const kind = track.kind as MediaKind;
    // A new device while muted stays muted.
    track.enabled = this.isOn(kind);
    await Promise.all([...this.sinks].map((sink) => sink.replaceTrack(kind, this.isOn(kind) ? track : null)));
  }
}

function stopTracks(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

/**
 * The page's camera and microphone: one owner for the one stream every call
 * sends. The flows open it when a person starts or joins and release it when
 * they stop or leave; a call attaches itself while it runs, so that a track
 * replaced here (a device switch, mute, screening) is swapped on every live
 * link with RTCRtpSender.replaceTrack, without renegotiation.
 */

export type MediaKind = 'audio' | 'video';

/**
 * A device in use went away (unplugged, switched off, taken by the system):
 * `now` is the label of the one used instead, or null when there is none
 * (the kind stays silent or dark). The elements word it.
 */
export interface DeviceLoss {
  readonly kind: MediaKind;
  readonly now: string | null;
}

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
  /** Tracks sent instead of the device's (the screening placeholder), latest last: the last one of a kind is sent. */
  private readonly holds: { readonly kind: MediaKind; readonly track: MediaStreamTrack }[] = [];
  private readonly listeners = new Set<() => void>();
  private _loss: DeviceLoss | null = null;

  constructor(
    /** Asks the browser (getUserMedia with the page's constraints); tests pass a fake camera. */
    private readonly acquire: () => Promise<MediaStream>,
    /**
     * Asks the browser for one track of `kind` from device `deviceId` (null:
     * whichever it prefers), for a device switch or after a device went
     * away. Without it, devices cannot be switched.
     */
    private readonly acquireTrack?: (kind: MediaKind, deviceId: string | null) => Promise<MediaStreamTrack>,
  ) {}

  /** The last device that went away during this stream, and what replaced it; null when none did. */
  get loss(): DeviceLoss | null {
    return this._loss;
  }

  /** Calls `listener` when the tracks change (a device switched or lost, mute). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The id of the device `kind` comes from now (for the pickers), or null. */
  deviceOf(kind: MediaKind): string | null {
    return (
      this.current
        ?.getTracks()
        .find((t) => t.kind === kind)
        ?.getSettings().deviceId ?? null
    );
  }

  /**
   * Uses device `deviceId` for `kind` from now on, on every call too,
   * without renegotiating. A camera that cannot open while another is open
   * (some phones) gets a second try after the old one is stopped. Resolves
   * false when the stream went meanwhile; rejects with the browser's error.
   */
  async useDevice(kind: MediaKind, deviceId: string | null): Promise<boolean> {
    const stream = this.current;
    if (!stream || !this.acquireTrack) return false;
    if (deviceId !== null && this.deviceOf(kind) === deviceId) return true;
    const generation = this.generation;
    let track: MediaStreamTrack;
    try {
      track = await this.acquireTrack(kind, deviceId);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'NotReadableError') || generation !== this.generation) throw err;
      for (const old of stream.getTracks().filter((t) => t.kind === kind)) old.stop();
      track = await this.acquireTrack(kind, deviceId);
    }
    if (generation !== this.generation || this.current !== stream) {
      track.stop();
      return false;
    }
    await this.replaceTrack(track);
    return true;
  }

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
    this._loss = null;
    for (const track of stream.getTracks()) this.watch(track);
    this.notify();
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
    this.holds.length = 0;
    this._loss = null;
    this.notify();
  }

  /**
   * A call that sends this stream: it gets every replaced track until the
   * returned function detaches it, and, at once, nothing for a kind that is
   * off (a call made while muted sends no sound from its first packet).
   */
  attach(sink: TrackSink): () => void {
    this.sinks.add(sink);
    for (const kind of ['audio', 'video'] as const)
      if (this.sent(kind) !== this.device(kind)) void sink.replaceTrack(kind, this.sent(kind));
    return () => this.sinks.delete(sink);
  }

  /**
   * Sends `track` instead of the device's on every call, the ones attached
   * later too, until the returned function is called: the screening
   * placeholder while the camera may show nudity. The preview goes on
   * showing the camera; a kind that is off still sends nothing. Holds by
   * several owners stack: the latest is sent.
   */
  hold(kind: MediaKind, track: MediaStreamTrack): () => void {
    const hold = { kind, track };
    this.holds.push(hold);
    void this.resend(kind);
    return () => {
      const at = this.holds.indexOf(hold);
      if (at < 0) return;
      this.holds.splice(at, 1);
      void this.resend(kind);
    };
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
    const track = this.device(kind);
    if (track) track.enabled = on;
    this.notify();
    await this.resend(kind);
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
    this.watch(track);
    this.notify();
    await this.resend(kind);
  }

  /** The device's track of `kind` in the open stream, or null. */
  private device(kind: MediaKind): MediaStreamTrack | null {
    return this.current?.getTracks().find((t) => t.kind === kind) ?? null;
  }

  /** What the calls send for `kind`: nothing when off, else the latest hold's track, else the device's. */
  private sent(kind: MediaKind): MediaStreamTrack | null {
    if (!this.isOn(kind)) return null;
    return this.holds.filter((h) => h.kind === kind).at(-1)?.track ?? this.device(kind);
  }

  private async resend(kind: MediaKind): Promise<void> {
    const track = this.sent(kind);
    await Promise.all([...this.sinks].map((sink) => sink.replaceTrack(kind, track)));
  }

  /**
   * A track ends by itself only when its device went away (stop() fires no
   * 'ended'): then the browser's preferred device of that kind takes over,
   * and the page says so.
   */
  private watch(track: MediaStreamTrack): void {
    track.addEventListener('ended', () => void this.replaceLost(track), { once: true });
  }

  private async replaceLost(lost: MediaStreamTrack): Promise<void> {
    const stream = this.current;
    if (!stream || !stream.getTracks().includes(lost)) return;
    const kind = lost.kind as MediaKind;
    try {
      if (!(await this.useDevice(kind, null))) return;
      this._loss = { kind, now: stream.getTracks().find((t) => t.kind === kind)?.label ?? '' };
    } catch (err) {
      console.warn(`no ${kind} device left`, err);
      this._loss = { kind, now: null };
    }
    this.notify();
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }
}

function stopTracks(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

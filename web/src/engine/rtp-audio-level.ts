/**
 * How loud the microphone is, from WebRTC's own audio levels instead of Web
 * Audio: the level meter for a page whose AudioContext the autoplay policy
 * holds back until a click (Firefox holds it even while the page captures the
 * microphone; Chromium and Safari let a context made after getUserMedia run).
 * No AudioContext, so no gesture is needed.
 *
 * The track is sent over two peer connections inside this page (nothing
 * leaves the device, and nothing is played), and the level is read where the
 * browser reports it: the sending side's `media-source` stats (`audioLevel`,
 * Chromium and Safari) or the receiving side's synchronization sources
 * (Firefox). Both are RFC 6464 levels as a linear value in [0, 1], the RMS
 * that audio-level.ts turns into a meter position.
 */
import { meterLevel } from './audio-level.js';

/** Ten readings a second: enough for a bar that follows speech, and each is a getStats call. */
const POLL_MS = 100;

export class RtpAudioLevelMeter {
  private readonly out = new RTCPeerConnection();
  private readonly back = new RTCPeerConnection();
  private readonly timer: ReturnType<typeof setInterval>;
  private latest = 0;
  private highest = 0;
  private closed = false;

  constructor(track: MediaStreamTrack) {
    this.out.addTrack(track);
    this.out.onicecandidate = (e) => void (e.candidate && this.back.addIceCandidate(e.candidate).catch(() => undefined));
    this.back.onicecandidate = (e) => void (e.candidate && this.out.addIceCandidate(e.candidate).catch(() => undefined));
    void this.negotiate().catch(() => undefined); // no levels then: the meter stays at zero
    this.timer = setInterval(() => void this.read().catch(() => undefined), POLL_MS);
  }

  /** Always running: nothing here waits for a gesture. */
  get running(): boolean {
    return true;
  }

  /** Nothing to resume (the interface of audio-level.ts). */
  resume(): Promise<void> {
    return Promise.resolve();
  }

  /** The latest level in [0, 1] (see meterLevel). */
  level(): number {
    if (this.latest > this.highest) this.highest = this.latest;
    return this.latest;
  }

  /** The highest level read so far. */
  get peak(): number {
    return this.highest;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.out.close();
    this.back.close();
  }

  private async negotiate(): Promise<void> {
    await this.out.setLocalDescription(await this.out.createOffer());
    await this.back.setRemoteDescription(this.out.localDescription!);
    await this.back.setLocalDescription(await this.back.createAnswer());
    await this.out.setRemoteDescription(this.back.localDescription!);
  }

  private async read(): Promise<void> {
    let level: number | null = null;
    (await this.out.getStats()).forEach((s: { type: string; kind?: string; audioLevel?: unknown }) => {
      if (s.type === 'media-source' && s.kind === 'audio' && typeof s.audioLevel === 'number') level = s.audioLevel;
    });
    level ??= this.back.getReceivers()[0]?.getSynchronizationSources()[0]?.audioLevel ?? null;
    if (!this.closed) this.latest = level === null ? 0 : meterLevel(level);
  }
}

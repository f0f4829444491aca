/**
 * How loud the microphone is, for a level meter: an AnalyserNode on the
 * local audio track, read on demand. The arithmetic is pure and exported.
 */

/** Root mean square of samples in [-1, 1]. */
export function rms(samples: Float32Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

/**
 * Below this the meter shows nothing: -60 dBFS is quieter than a silent
 * room through a laptop microphone, so anything the meter shows is sound.
 */
export const METER_FLOOR_DB = -60;

/**
 * A meter position in [0, 1] for an RMS level: decibels, not amplitude, so
 * that a voice moves the bar across its width the way loudness is heard
 * (amplitude would keep speech in the bottom tenth).
 */
export function meterLevel(rmsValue: number): number {
  if (!(rmsValue > 0)) return 0;
  const db = 20 * Math.log10(rmsValue);
  return Math.min(1, Math.max(0, (db - METER_FLOOR_DB) / -METER_FLOOR_DB));
}

/**
 * Reads the level of a stream's audio. `level()` is cheap and meant to be
 * called once per animation frame; `peak` is the highest level read since
 * start, which tells a working but quiet microphone from one that sends only
 * digital silence (muted in hardware or by the system).
 */
export class AudioLevelMeter {
  private readonly context: AudioContext;
  private readonly analyser: AnalyserNode;
  private readonly source: MediaStreamAudioSourceNode;
  private readonly buffer: Float32Array<ArrayBuffer>;
  private highest = 0;

  constructor(stream: MediaStream) {
    this.context = new AudioContext();
    this.source = this.context.createMediaStreamSource(stream);
    this.analyser = this.context.createAnalyser();
    // 2048 samples: about 43 ms at 48 kHz, a frame or three of animation.
    this.analyser.fftSize = 2048;
    this.buffer = new Float32Array(this.analyser.fftSize);
    // Analysed only, never played: connecting to the destination would echo the microphone.
    this.source.connect(this.analyser);
    // An AudioContext made without a user gesture may start suspended (autoplay policy).
    void this.context.resume().catch(() => undefined);
  }

  /** Whether the browser is running the audio graph (false until a gesture, under a strict autoplay policy). */
  get running(): boolean {
    return this.context.state === 'running';
  }

  /** Tries to start a suspended graph; call it from a click or key press. */
  resume(): Promise<void> {
    return this.context.resume();
  }

  /** The current level in [0, 1] (see meterLevel). */
  level(): number {
    this.analyser.getFloatTimeDomainData(this.buffer);
    const value = meterLevel(rms(this.buffer));
    if (value > this.highest) this.highest = value;
    return value;
  }

  /** The highest level read so far. */
  get peak(): number {
    return this.highest;
  }

  close(): void {
    this.source.disconnect();
    void this.context.close().catch(() => undefined);
  }
}

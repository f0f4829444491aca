/**
 * Which microphone meter the connection check reads. Pure: the meters
 * themselves are the engine's (audio-level.ts on Web Audio,
 * rtp-audio-level.ts on WebRTC's levels).
 */

/** A microphone level meter. */
export interface LevelMeter {
  /** The current level in [0, 1]. */
  level(): number;
  /** The highest level read since it started. */
  readonly peak: number;
  /** Whether it reads the microphone now (false: an autoplay policy holds it until a gesture). */
  readonly running: boolean;
  /** Starts a meter the autoplay policy held back; call from a gesture. */
  resume(): Promise<void>;
  close(): void;
}

/**
 * The Web Audio meter whenever it runs; while the browser holds its
 * AudioContext back until a click or key (Firefox does even while the page
 * uses the microphone), a stand-in that needs no gesture, made on first need
 * and closed as soon as the Web Audio meter runs. So the meter moves from the
 * moment the page opens, and costs nothing extra where Web Audio may start.
 */
export class MeterUntilRunning implements LevelMeter {
  private standIn: LevelMeter | null = null;
  private highest = 0;

  constructor(
    private readonly main: LevelMeter,
    private readonly makeStandIn: () => LevelMeter,
  ) {}

  get running(): boolean {
    return true;
  }

  level(): number {
    let value: number;
    if (this.main.running) {
      this.standIn?.close();
      this.standIn = null;
      value = this.main.level();
    } else {
      this.standIn ??= this.makeStandIn();
      value = this.standIn.level();
    }
    if (value > this.highest) this.highest = value;
    return value;
  }

  get peak(): number {
    return this.highest;
  }

  resume(): Promise<void> {
    return this.main.resume();
  }

  close(): void {
    this.main.close();
    this.standIn?.close();
    this.standIn = null;
  }
}

/**
 * What the screening tests draw and run: pictures made on a canvas (no
 * photographs), whose scores with tfjs 4.22 and nsfwjs 4.4's MobileNetV2
 * are known, and the worker as the build ships it.
 */
import { assert } from '../assert.js';

/** A page canvas (which can be a camera: captureStream) or an offscreen one. */
export type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** The built worker's file, from the build's chunk list (web/rollup.config.mjs, bundleStats). */
export async function builtWorkerUrl(): Promise<string> {
  const stats = (await (await fetch('/web/build/bundle-stats.json')).json()) as Array<{ file: string }>;
  const worker = stats.find((c) => /^screening-worker-[\w-]+\.js$/.test(c.file));
  assert(worker, 'the build has a screening-worker chunk (run the build first)');
  return `/web/dist/assets/${worker.file}`;
}

/** A canvas the size of a webcam frame, drawn by `draw`. */
export function frame(draw: (g: Context2D) => void): Promise<ImageBitmap> {
  const canvas = new OffscreenCanvas(640, 480);
  draw(canvas.getContext('2d')!);
  return createImageBitmap(canvas);
}

/** Coloured shapes on a gradient: a house under the sun. */
function landscape(g: Context2D): void {
  const sky = g.createLinearGradient(0, 0, 0, 480);
  sky.addColorStop(0, '#4a7bd0');
  sky.addColorStop(0.6, '#a8c8f0');
  sky.addColorStop(0.6, '#3d7a3a');
  sky.addColorStop(1, '#24501f');
  g.fillStyle = sky;
  g.fillRect(0, 0, 640, 480);
  g.fillStyle = '#8a5a2b';
  g.fillRect(380, 180, 160, 140);
  g.fillStyle = '#b03030';
  g.beginPath();
  g.moveTo(370, 180);
  g.lineTo(460, 110);
  g.lineTo(550, 180);
  g.fill();
  g.fillStyle = '#f2d64b';
  g.beginPath();
  g.arc(110, 90, 45, 0, Math.PI * 2);
  g.fill();
}

/**
 * The landscape as a camera would see it: out of focus, with sensor noise.
 * (Sharp flat shapes read as a drawing to the model; blurred and noisy,
 * this scores Neutral 1.00 with tfjs 4.22 and nsfwjs 4.4's MobileNetV2.)
 */
export function photoLike(g: Context2D): void {
  g.filter = 'blur(6px)';
  landscape(g);
  g.filter = 'none';
  const pixels = g.getImageData(0, 0, 640, 480);
  let seed = 1;
  for (let i = 0; i < pixels.data.length; i += 4) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = (seed / 0x7fffffff - 0.5) * 30;
    for (let c = 0; c < 3; c++) pixels.data[i + c] = pixels.data[i + c]! + n;
  }
  g.putImageData(pixels, 0, 0);
}

/** A room shaded flat, like an illustration: walls and floor in gradients, a window, a sofa and a door (Drawing 0.81). */
export function illustration(g: Context2D): void {
  const wall = g.createLinearGradient(0, 0, 640, 0);
  wall.addColorStop(0, '#c9bba5');
  wall.addColorStop(1, '#8f8372');
  g.fillStyle = wall;
  g.fillRect(0, 0, 640, 480);
  const floor = g.createLinearGradient(0, 340, 0, 480);
  floor.addColorStop(0, '#6b4a2f');
  floor.addColorStop(1, '#3b2817');
  g.fillStyle = floor;
  g.fillRect(0, 340, 640, 140);
  const window = g.createLinearGradient(400, 60, 560, 260);
  window.addColorStop(0, '#e8f1ff');
  window.addColorStop(1, '#9db8d9');
  g.fillStyle = window;
  g.fillRect(400, 60, 160, 200);
  g.fillStyle = '#2d3e50';
  g.fillRect(60, 200, 220, 160);
  g.fillStyle = '#5a3d2a';
  g.fillRect(300, 260, 80, 100);
}

/**
 * A camera made of a canvas, repainted ten times a second with whatever
 * `scene` is, with a silent microphone (a page's camera has both).
 */
export class CanvasCamera {
  scene: (g: Context2D) => void = photoLike;
  private readonly canvas = document.createElement('canvas');
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly audio = new AudioContext();
  readonly stream: MediaStream;

  constructor() {
    this.canvas.width = 640;
    this.canvas.height = 480;
    const g = this.canvas.getContext('2d')!;
    // Each scene is drawn once and copied on every paint: photoLike's noise is tens of
    // milliseconds of main-thread work, which would count as the page's in the bench.
    const drawn = new Map<(g: Context2D) => void, OffscreenCanvas>();
    const paint = () => {
      let picture = drawn.get(this.scene);
      if (!picture) {
        picture = new OffscreenCanvas(640, 480);
        this.scene(picture.getContext('2d')!);
        drawn.set(this.scene, picture);
      }
      g.drawImage(picture, 0, 0);
    };
    paint();
    const silence = this.audio.createMediaStreamDestination();
    this.stream = new MediaStream([...this.canvas.captureStream(10).getVideoTracks(), ...silence.stream.getAudioTracks()]);
    this.timer = setInterval(paint, 100);
  }

  /** A getUserMedia for the rig: this camera's stream (once; a page asks once per call). */
  getUserMedia = (): Promise<MediaStream> => Promise.resolve(this.stream);

  stop(): void {
    clearInterval(this.timer);
    for (const t of this.stream.getTracks()) t.stop();
    void this.audio.close();
  }
}

/** Whether the video's current frame is the screening placeholder: flat, and its grey (#3a3f47). CSS filters do not change what is read. */
export function showsPlaceholder(video: HTMLVideoElement): boolean {
  if (video.videoWidth === 0) return false;
  const canvas = new OffscreenCanvas(32, 24);
  const g = canvas.getContext('2d', { willReadFrequently: true })!;
  g.drawImage(video, 0, 0, 32, 24);
  const { data } = g.getImageData(0, 0, 32, 24);
  let off = 0;
  for (let i = 0; i < data.length; i += 4)
    off = Math.max(off, Math.abs(data[i]! - 0x3a), Math.abs(data[i + 1]! - 0x3f), Math.abs(data[i + 2]! - 0x47));
  // Coding noise moves a flat colour by a few levels at most.
  return off <= 12;
}

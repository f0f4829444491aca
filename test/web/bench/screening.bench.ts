/**
 * The screening figures of `npm run bench` (part `screening`), measured in
 * headless Chromium on the real modules and the worker as the build ships
 * it; test/bench/screening-bench.ts runs this file through web-test-runner
 * and reads the `BENCH {…}` lines it prints. Not part of `npm test` (not a
 * `.test.ts`): it asserts nothing, it measures.
 *
 * - load: from starting the worker to its warmed-up model;
 * - classify: one 640×480 frame, transfer to answer, p50/p95;
 * - main thread: our camera and one incoming video screened at the
 *   production rates for ten seconds, the main thread's time inside the
 *   samplers (drawing the frame into a bitmap and handing it over) per
 *   second, and the long tasks seen meanwhile;
 * - unsafe to placeholder: a canvas camera sent over a loopback peer
 *   connection switches to a drawing (unsafe by configuration here): the
 *   time until screening holds the placeholder, and until the receiving
 *   end decodes it.
 */
import { LocalMedia } from '../../../web/src/engine/local-media.js';
import { CameraScreening, type FrameSampler } from '../../../web/src/features/screening.js';
import { WorkerClassifier } from '../../../web/src/features/screening-classifier.js';
import { IncomingScreening } from '../../../web/src/features/screening-incoming.js';
import type { ScreeningConfig } from '../../../web/src/features/screening-policy.js';
import { placeholderTrack, VideoSampler } from '../../../web/src/features/video-frames.js';
import { builtWorkerUrl, CanvasCamera, frame, illustration, photoLike, showsPlaceholder } from '../support/screening-frames.js';
import { waitUntil } from '../support/wait.js';

const DRAWINGS_UNSAFE: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 1_000 };
const CLASSIFY_FRAMES = 30;
const MAIN_THREAD_WINDOW_MS = 10_000;
const SWITCHES = 5;

function bench(figure: string, data: object): void {
  console.log(`BENCH ${JSON.stringify({ figure, ...data })}`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
}

/** Times the main thread spends in a sampler: the synchronous call, and until its bitmap is ready. */
class TimedSampler implements FrameSampler {
  static syncMs = 0;
  static awaitedMs = 0;
  static samples = 0;
  private readonly inner: VideoSampler;
  constructor(readonly track: MediaStreamTrack) {
    this.inner = new VideoSampler(track);
  }
  async sample(): Promise<ImageBitmap | null> {
    const begun = performance.now();
    const pending = this.inner.sample();
    TimedSampler.syncMs += performance.now() - begun;
    const bitmap = await pending;
    TimedSampler.awaitedMs += performance.now() - begun;
    if (bitmap) TimedSampler.samples++;
    return bitmap;
  }
  close(): void {
    this.inner.close();
  }
}

/** Two peer connections in this page, the first sending `track`. */
async function loopback(track: MediaStreamTrack) {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  const received = document.createElement('video');
  received.muted = true;
  const stream = new MediaStream();
  b.ontrack = (e) => {
    stream.addTrack(e.track);
    received.srcObject = stream;
    void received.play();
  };
  const sender = a.addTrack(track);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  return { sender, received, stream, close: () => (a.close(), b.close()) };
}

describe('screening bench', () => {
  it('measures', async function () {
    this.timeout(300_000);
    const url = await builtWorkerUrl();
    const begun = performance.now();
    const classifier = new WorkerClassifier(() => new Worker(url, { type: 'module' }));
    classifier.start();
    const backend = await classifier.ready;
    const loadMs = Math.round(performance.now() - begun);

    const times: number[] = [];
    for (let i = 0; i < CLASSIFY_FRAMES; i++) {
      const bitmap = await frame(photoLike);
      const t = performance.now();
      await classifier.classify(bitmap);
      times.push(performance.now() - t);
    }
    bench('screening-model', {
      backend,
      loadMs,
      classifyMs: { first: Math.round(times[0]!), p50: percentile(times, 50), p95: percentile(times, 95), n: times.length },
    });

    const camera = new CanvasCamera();
    const media = new LocalMedia(camera.getUserMedia);
    const local = (await media.open())!;
    const link = await loopback(local.getVideoTracks()[0]!);
    media.attach({ replaceTrack: async (kind, track) => void (kind === 'video' && (await link.sender.replaceTrack(track))) });
    const longTasks: number[] = [];
    const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
    observer.observe({ type: 'longtask' });
    // Production rates: our camera and the other's video, each twice a second.
    const outgoing = new CameraScreening(media, {
      classifier,
      sampler: (track) => new TimedSampler(track),
      placeholder: placeholderTrack,
      config: DRAWINGS_UNSAFE,
    });
    const incoming = new IncomingScreening(
      { peers: [{ id: 'other', stream: link.stream }] },
      { classifier, sampler: (track) => new TimedSampler(track), config: DRAWINGS_UNSAFE },
    );
    await waitUntil(() => link.received.videoWidth > 0 && !showsPlaceholder(link.received), 30_000, 'the camera sent');
    TimedSampler.syncMs = TimedSampler.awaitedMs = TimedSampler.samples = 0;
    longTasks.length = 0;
    await new Promise((r) => setTimeout(r, MAIN_THREAD_WINDOW_MS));
    const seconds = MAIN_THREAD_WINDOW_MS / 1000;
    bench('screening-main-thread', {
      samplesPerSecond: Math.round((TimedSampler.samples / seconds) * 10) / 10,
      samplerSyncMsPerSecond: Math.round((TimedSampler.syncMs / seconds) * 10) / 10,
      samplerUntilBitmapMsPerSecond: Math.round((TimedSampler.awaitedMs / seconds) * 10) / 10,
      longTasks: longTasks.length,
      longTaskMsPerSecond: Math.round(longTasks.reduce((s, d) => s + d, 0) / seconds),
      note: 'our camera and one incoming video, each sampled every 500 ms; until-bitmap includes waiting, not only work',
    });

    const toPaused: number[] = [];
    const toDecoded: number[] = [];
    for (let i = 0; i < SWITCHES; i++) {
      // Switch at a random point of the sampling interval: the worst case is one interval after a sample.
      await new Promise((r) => setTimeout(r, Math.random() * 500));
      const t = performance.now();
      camera.scene = illustration;
      await waitUntil(() => outgoing.paused, 15_000, 'paused');
      toPaused.push(performance.now() - t);
      await waitUntil(() => showsPlaceholder(link.received), 15_000, 'the placeholder decoded');
      toDecoded.push(performance.now() - t);
      camera.scene = photoLike;
      await waitUntil(() => !outgoing.paused && !showsPlaceholder(link.received), 20_000, 'the camera again');
    }
    bench('screening-unsafe-to-placeholder', {
      switches: SWITCHES,
      toHoldMs: { p50: percentile(toPaused, 50), max: percentile(toPaused, 100) },
      toDecodedMs: { p50: percentile(toDecoded, 50), max: percentile(toDecoded, 100) },
      sampleEveryMs: 500,
    });
    observer.disconnect();
    outgoing.detach();
    incoming.detach();
    classifier.close();
    link.close();
    media.release();
    camera.stop();
  });
});

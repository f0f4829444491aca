/**
 * Screening of the page's own camera (features/screening.ts) end to end in
 * one page: a canvas camera through LocalMedia, a real peer connection
 * that sends it, the real model in the built worker, and a policy that
 * treats drawings as unsafe (the blocking path without explicit pictures).
 * What the receiving end decodes shows what went on the wire: the camera's
 * picture, or the placeholder's flat grey.
 */
import { LocalMedia } from '../../../web/src/engine/local-media.js';
import { CameraScreening } from '../../../web/src/features/screening.js';
import { WorkerClassifier } from '../../../web/src/features/screening-classifier.js';
import type { ScreeningConfig } from '../../../web/src/features/screening-policy.js';
import { placeholderTrack, VideoSampler } from '../../../web/src/features/video-frames.js';
import { assertEqual } from '../assert.js';
import { builtWorkerUrl, CanvasCamera, illustration, photoLike, showsPlaceholder } from '../support/screening-frames.js';
import { waitUntil } from '../support/wait.js';

const DRAWINGS_UNSAFE: ScreeningConfig = { rules: [{ classes: ['Drawing'], atLeast: 0.5 }], cleanAfterMs: 1_000 };

/** Two peer connections in this page, the first sending `track`; resolves with its video sender and what the second receives. */
async function loopback(track: MediaStreamTrack): Promise<{ sender: RTCRtpSender; received: HTMLVideoElement; close(): void }> {
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => void (e.candidate && b.addIceCandidate(e.candidate));
  b.onicecandidate = (e) => void (e.candidate && a.addIceCandidate(e.candidate));
  const received = document.createElement('video');
  received.muted = true;
  received.playsInline = true;
  b.ontrack = (e) => {
    received.srcObject = new MediaStream([e.track]);
    void received.play();
  };
  const sender = a.addTrack(track);
  await a.setLocalDescription();
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription();
  await a.setRemoteDescription(b.localDescription!);
  return {
    sender,
    received,
    close: () => {
      a.close();
      b.close();
    },
  };
}

describe('screening the camera before it is sent (real model, real peer connection)', () => {
  let camera: CanvasCamera;
  let media: LocalMedia;
  let classifier: WorkerClassifier;
  let link: Awaited<ReturnType<typeof loopback>>;
  let screening: CameraScreening | null = null;

  beforeEach(async function () {
    this.timeout(60_000);
    camera = new CanvasCamera();
    media = new LocalMedia(() => Promise.resolve(camera.stream));
    const stream = (await media.open())!;
    link = await loopback(stream.getVideoTracks()[0]!);
    media.attach({ replaceTrack: async (kind, track) => void (kind === 'video' && (await link.sender.replaceTrack(track))) });
    const url = await builtWorkerUrl();
    classifier = new WorkerClassifier(() => new Worker(url, { type: 'module' }));
  });
  afterEach(() => {
    screening?.detach();
    classifier.close();
    link.close();
    media.release();
    camera.stop();
  });

  it('sends the placeholder until the first frame is scored, then the camera; a drawing (unsafe here) pauses it within a sampling interval; clean frames bring it back', async function () {
    this.timeout(60_000);
    screening = new CameraScreening(media, {
      classifier,
      sampler: (track) => new VideoSampler(track),
      placeholder: placeholderTrack,
      config: DRAWINGS_UNSAFE,
      sampleEveryMs: 250,
    });
    const received = link.received;
    // Nothing scores frames yet: the camera must not go out.
    await waitUntil(() => showsPlaceholder(received), 10_000, 'the placeholder received while nothing is scored');
    assertEqual(screening.paused, false, 'paused (a camera not yet scored is not what the person is told about)');
    classifier.start();
    await waitUntil(() => !showsPlaceholder(received), 20_000, 'the camera received once its first frame is scored');
    assertEqual(screening.paused, false, 'paused while the camera shows a photo-like scene');

    const changed = performance.now();
    camera.scene = illustration;
    await waitUntil(() => screening!.paused, 10_000, 'paused once the camera shows a drawing');
    const pausedAfter = performance.now() - changed;
    await waitUntil(() => showsPlaceholder(received), 10_000, 'the placeholder received instead of the drawing');
    const placeholderAfter = performance.now() - changed;
    console.log(
      `camera shows a drawing → screening paused in ${Math.round(pausedAfter)} ms, the receiving end decodes the placeholder ${Math.round(placeholderAfter)} ms after (sampling every 250 ms)`,
    );

    const cleaned = performance.now();
    camera.scene = photoLike;
    await waitUntil(() => !screening!.paused, 10_000, 'resumed after clean frames for the clean time');
    await waitUntil(() => !showsPlaceholder(received), 10_000, 'the camera received again');
    console.log(`clean again → camera resumed after ${Math.round(performance.now() - cleaned)} ms (clean time 1000 ms)`);
  });

  it('sends the camera unscreened when the classifier cannot run', async function () {
    this.timeout(30_000);
    const broken = new WorkerClassifier(() => new Worker('/web/dist/assets/no-such-worker.js', { type: 'module' }));
    broken.start();
    screening = new CameraScreening(media, {
      classifier: broken,
      sampler: (track) => new VideoSampler(track),
      placeholder: placeholderTrack,
    });
    await waitUntil(() => link.received.videoWidth > 0 && !showsPlaceholder(link.received), 10_000, 'the camera received');
    assertEqual(screening.paused, false, 'paused');
  });
});

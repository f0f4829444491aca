/**
 * The two things screening needs from the page that only the DOM offers: a
 * small bitmap of a video track's current frame, and a neutral picture to
 * send instead of the camera. Kept apart from the decision (screening.ts)
 * so that it can be fed other frames.
 */
import type { FrameSampler, Placeholder } from './screening.js';

/** The model's input size: sampling at it keeps the bitmap, and what the worker is sent, small. */
const SAMPLE_SIZE = 224;

/**
 * Frames of a track through a detached, muted <video>: the one way that
 * works in every browser (ImageCapture.grabFrame and
 * MediaStreamTrackProcessor are Chromium's).
 */
export class VideoSampler implements FrameSampler {
  private readonly video = document.createElement('video');

  constructor(readonly track: MediaStreamTrack) {
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = new MediaStream([track]);
    // Muted video may always play; a refusal only means no frames (sample() says null).
    this.video.play().catch(() => undefined);
  }

  async sample(): Promise<ImageBitmap | null> {
    if (this.video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || this.video.videoWidth === 0) return null;
    try {
      return await createImageBitmap(this.video, {
        resizeWidth: SAMPLE_SIZE,
        resizeHeight: SAMPLE_SIZE,
        resizeQuality: 'medium',
      });
    } catch {
      return null;
    }
  }

  close(): void {
    this.video.pause();
    this.video.srcObject = null;
  }
}

/** Plain dark grey, the colour of an empty tile: nothing to read into it. */
const PLACEHOLDER_COLOUR = '#3a3f47';

/**
 * A canvas track of one flat colour. A canvas track carries a frame only
 * when the canvas is painted: it is repainted once a second so that the
 * other end's decoder always has a current frame (a frozen last camera
 * frame must never be what they keep seeing).
 */
export function placeholderTrack(): Placeholder {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 240;
  const context = canvas.getContext('2d')!;
  const paint = () => {
    context.fillStyle = PLACEHOLDER_COLOUR;
    context.fillRect(0, 0, canvas.width, canvas.height);
  };
  paint();
  const track = canvas.captureStream(1).getVideoTracks()[0]!;
  const timer = setInterval(paint, 1_000);
  return {
    track,
    stop: () => {
      clearInterval(timer);
      track.stop();
    },
  };
}

/**
 * The page's camera and microphone: the one place that asks the browser for
 * them (getUserMedia), and the one LocalMedia every call of the page sends
 * (engine/local-media.ts). The connection check asks through here too.
 */
import { MEDIA_CONSTRAINTS } from './config.js';
import { LocalMedia } from './engine/local-media.js';

/** getUserMedia, failing as an insecure page would where the API is missing (no camera on http://, old browsers). */
export function requestMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    return Promise.reject(new DOMException('getUserMedia is unavailable here', 'SecurityError'));
  }
  return navigator.mediaDevices.getUserMedia(constraints);
}

/** One per page: random chat and calls by link send the same stream, one at a time. */
export const MEDIA = new LocalMedia(() => requestMedia(MEDIA_CONSTRAINTS));

/**
 * Binding a stream to a video element's srcObject. Lit sets an object-valued
 * property again on every render, and setting srcObject, even to the same
 * stream, reloads the video (abort, emptied, loadstart): the picture blinks,
 * a play() in flight is aborted, and where the browser wants a gesture for
 * sound, the reload's autoplay is refused again.
 */
import { guard } from 'lit/directives/guard.js';

/** `stream` for a `.srcObject` binding, set only when it changes. */
export function once(stream: MediaStream | null) {
  return guard([stream], () => stream);
}

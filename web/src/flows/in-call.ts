/**
 * Loads the in-call features (features/in-call.ts) once, when a person
 * first presses Start or Join: the chunk loads while the camera starts and
 * the backend answers, so no call waits for it. Null when it could not be
 * loaded (the network went): the call goes on without them.
 */
import { loadOnce } from './load-once.js';

export type InCallKit = typeof import('../features/in-call.js');

const loadKit = loadOnce<InCallKit>(() => import('../features/in-call.js'));

export function loadInCall(): Promise<InCallKit | null> {
  return loadKit().catch((err: unknown) => {
    console.warn('in-call features not loaded', err);
    return null;
  });
}

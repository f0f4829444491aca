/**
 * Loads the in-call features (features/in-call.ts) once, when a person
 * first presses Start or Join: the chunk loads while the camera starts and
 * the backend answers, so no call waits for it. Null when it could not be
 * loaded (the network went): the call goes on without them.
 */
export type InCallKit = typeof import('../features/in-call.js');

let loading: Promise<InCallKit | null> | null = null;

export function loadInCall(): Promise<InCallKit | null> {
  loading ??= import('../features/in-call.js').catch((err: unknown) => {
    console.warn('in-call features not loaded', err);
    loading = null;
    return null;
  });
  return loading;
}

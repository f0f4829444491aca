/**
 * Loads the call engine (engine/call.ts and the peer links under it) once,
 * as its own chunk: the page before a call does not carry it, so the first
 * paint comes sooner. The random chat page asks for it right after first
 * paint (while the person reads the page, as it signs in), and Start waits
 * for it only if it has not arrived by then. Calls by link load it with
 * their page.
 */
export type Engine = typeof import('../engine/call.js');

let loading: Promise<Engine> | null = null;

/** The engine's module; rejects if its chunk could not be loaded (a later call tries again). */
export function loadEngine(): Promise<Engine> {
  loading ??= import('../engine/call.js').catch((err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

/**
 * The page's backend, for every element that needs it: Firebase is loaded
 * only when first asked for (after the shell has painted), once, and the
 * relay's servers are attached before the first link gathers with them.
 */
import type { Backend } from '../flows/backend.js';
import { ICE } from '../ice.js';

let backend: Promise<Backend> | null = null;

export function connectPageBackend(): Promise<Backend> {
  backend ??= (async () => {
    const m = await import('../backend/firebase-backend.js');
    const connected = await m.connectBackend();
    await ICE.attach(m.fetchTurnCredentials);
    return connected;
  })().catch((err: unknown) => {
    backend = null; // a later try connects afresh
    throw err;
  });
  return backend;
}

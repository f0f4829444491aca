/**
 * Loads the call engine (engine/call.ts and the peer links under it) apart
 * from the first paint: nothing on the front door needs it, and it is a
 * third of the page's JavaScript. The random-chat flow asks for it as soon
 * as it warms the backend up (after first paint) and waits for it before
 * making its first call; a call by link's page imports it itself.
 */
import { loadOnce } from './load-once.js';

export type CallEngine = typeof import('../engine/call.js');

/** The engine module, loaded once; a failed load (the network went) is tried again on the next call. */
export const loadCallEngine: () => Promise<CallEngine> = loadOnce(() => import('../engine/call.js'));

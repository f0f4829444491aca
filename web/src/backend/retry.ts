/**
 * Trying a callable again when its failure says nothing about the request:
 * the network dropped it, the server was cold, overloaded or crashed on the
 * way (`unavailable`, `deadline-exceeded`, `internal`, `unknown`), or the
 * server said to (`contended`). Never another refusal: a refusal carries the
 * server's reason (HttpsError details) and is final. Only for requests that are safe to repeat (peekCall reads;
 * enterCall takes the seat one already has again), never createCall, which
 * would make a second call. Pure apart from the timer; tested without a
 * browser or emulator.
 */

import { parseRefusal } from '@parley/functions/protocol';

/** Error codes of a callable (callable.ts, as the Functions SDK has them) that say the request may not have been served at all. */
const TRANSIENT = new Set(['functions/unavailable', 'functions/deadline-exceeded', 'functions/internal', 'functions/unknown']);

/**
 * The waits before each new try: 1 s, then 3 s. Seen on a loaded two-core
 * machine: a guest's enterCall failed once ("internal": the Functions
 * emulator's worker pipe broke under load) and the page then said "Parley's
 * servers could not be reached" although the next request would have gone
 * through. Two more tries, 4 s in all, before the person is told.
 */
export const RETRY_DELAYS_MS: readonly number[] = [1_000, 3_000];

/**
 * Whether `err` is a failure worth trying again: one of TRANSIENT without the
 * server's reason in it, or the server's own "try again" (`contended`: the
 * request lost twenty races on the call document, docs/PROTOCOL.md). Never
 * any other refusal.
 */
export function isTransient(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  const details = (err as { details?: unknown }).details;
  if (details === undefined || details === null) return typeof code === 'string' && TRANSIENT.has(code);
  return code === 'functions/aborted' && parseRefusal(details)?.code === 'contended';
}

/**
 * Runs `op`, and again after each of `delaysMs` while it fails transiently;
 * the last failure (or any other) is thrown as it came.
 */
export async function retryTransient<T>(
  op: () => Promise<T>,
  delaysMs: readonly number[] = RETRY_DELAYS_MS,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await op();
    } catch (err) {
      const wait = delaysMs[attempt];
      if (wait === undefined || !isTransient(err)) throw err;
      await sleep(wait);
    }
  }
}

/**
 * How long a joiner waits for the waiter's acknowledgement of a match before
 * it takes the waiter for a ghost (a tab that died while it waited) and looks
 * for someone else. Pure: the flow sets the timer.
 *
 * The joiner cannot tell a dead waiter from a slow one by waiting, only by
 * what the server saw: `join` says how long before the pairing the waiter
 * last beat (`waiterSeenMsAgo`). A waiting page beats every
 * WAITING_HEARTBEAT_MS, so a waiter seen within that period (and the beat's
 * own trip) was alive a moment ago; giving up on it after 3 s lost calls
 * whose waiter was only slow to write. One that missed a beat gets the short
 * wait. A server that does not say (older than the field) gets the short one
 * too, as before.
 */
import { WAITING_HEARTBEAT_MS } from '@parley/functions/protocol';
import type { Timing } from '../config.js';

/** Allowed for a beat's own trip and a page's late timer: a beat this much past the period still counts as on time. */
export const BEAT_SLACK_MS = 2_000;

export function matchAckWaitMs(
  waiterSeenMsAgo: unknown,
  timing: Pick<Timing, 'matchAckTimeoutMs' | 'liveWaiterAckTimeoutMs'>,
): number {
  const onTime =
    typeof waiterSeenMsAgo === 'number' &&
    Number.isFinite(waiterSeenMsAgo) &&
    waiterSeenMsAgo >= 0 &&
    waiterSeenMsAgo <= WAITING_HEARTBEAT_MS + BEAT_SLACK_MS;
  return onTime ? Math.max(timing.liveWaiterAckTimeoutMs, timing.matchAckTimeoutMs) : timing.matchAckTimeoutMs;
}

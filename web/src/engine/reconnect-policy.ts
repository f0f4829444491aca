/**
 * When a link whose network path dropped restarts ICE, and when it gives up.
 * Pure: the link asks, the policy answers; tested without a browser.
 *
 * Timings follow what works in the field (Nextcloud Talk's mesh): a
 * "disconnected" ICE state often heals by itself within seconds (a Wi-Fi
 * roam, a brief loss), so the first restart waits; "failed" never heals, so
 * it restarts at once. Only one end starts a restart (the impolite one, which
 * made the first offer); the other end restarts too if nothing came from the
 * impolite end in a while (it may be the one whose network changed, or its
 * restart offer may be lost). Perfect negotiation settles the rare case where
 * both restart at the same moment.
 */

export interface ReconnectInput {
  /** How the link is: interrupted (ICE "disconnected") or failed. */
  readonly state: 'interrupted' | 'failed';
  /** Restarts already tried since the link was last connected. */
  readonly attempts: number;
  /** Whether this end made the link's first offer (the impolite end). */
  readonly offerer: boolean;
  /** Time since the link was last connected. */
  readonly downForMs: number;
  /**
   * The relay this relay-only link goes through had stopped answering and
   * answers again (relay-watch.ts): the path can be rebuilt now, so the
   * restart need not wait for the heal time or the backoff.
   */
  readonly relayBack?: boolean;
}

export type ReconnectDecision =
  /** Restart ICE after `inMs` (0: now), unless the link heals meanwhile. */
  | { readonly action: 'restart'; readonly inMs: number }
  /** Stop trying: the link is lost. */
  | { readonly action: 'give-up' };

export interface ReconnectPolicy {
  decide(input: ReconnectInput): ReconnectDecision;
  /** Past this long without a connection the link gives up, whatever `decide` said last. */
  readonly timings: { readonly giveUpAfterMs: number };
}

export interface ReconnectTimings {
  /** Interrupted links get this long to heal before the first restart. */
  readonly healMs: number;
  /** The end that did not make the first offer waits this much longer before it restarts itself. */
  readonly answererDelayMs: number;
  /** Between restarts that did not help: doubled each time, from this. */
  readonly backoffMs: number;
  /** At most this many restarts, then give up. */
  readonly maxAttempts: number;
  /** Never keep a person on "Reconnecting…" longer than this. */
  readonly giveUpAfterMs: number;
}

/**
 * 3 s to heal: Chrome reports "disconnected" a few seconds after the last
 * ICE response and often recovers a blip within as much again. The other end
 * follows 4 s later (Nextcloud waits 10 s; a shorter wait keeps both ends'
 * tries within the give-up time). Five restarts at most; the give-up time is
 * the call's kind's (config.ts, RECONNECT_FOR_MS), passed to reconnectPolicy.
 * A relay-only link whose relay went away and came back restarts at once
 * (see ReconnectInput.relayBack) instead of sleeping through the relay's
 * return in a backoff that reaches 8 s.
 */
export const DEFAULT_RECONNECT_TIMINGS: Omit<ReconnectTimings, 'giveUpAfterMs'> = {
  healMs: 3_000,
  answererDelayMs: 4_000,
  backoffMs: 2_000,
  maxAttempts: 5,
};

export function reconnectDecision(input: ReconnectInput, t: ReconnectTimings): ReconnectDecision {
  const attempts = Number.isFinite(input.attempts) ? Math.max(0, Math.floor(input.attempts)) : 0;
  const downForMs = Number.isFinite(input.downForMs) ? Math.max(0, input.downForMs) : 0;
  if (downForMs >= t.giveUpAfterMs) return { action: 'give-up' };
  // The relay is back: restart now (the other end a little later, unless our
  // restart reached it first), even past the most restarts, which counted
  // tries that could not work while the relay was gone; the time limit stands.
  if (input.relayBack) return { action: 'restart', inMs: input.offerer ? 0 : t.answererDelayMs };
  if (attempts >= t.maxAttempts) return { action: 'give-up' };
  const first = input.state === 'failed' ? 0 : Math.max(0, t.healMs - downForMs);
  const backoff = attempts === 0 ? first : Math.max(first, t.backoffMs * 2 ** (attempts - 1));
  return { action: 'restart', inMs: input.offerer ? backoff : backoff + t.answererDelayMs };
}

/** A policy with these timings (the defaults where not given; the give-up time always given). */
export function reconnectPolicy(
  timings: Partial<ReconnectTimings> & Pick<ReconnectTimings, 'giveUpAfterMs'>,
): ReconnectPolicy & { readonly timings: ReconnectTimings } {
  const t = { ...DEFAULT_RECONNECT_TIMINGS, ...timings };
  return { timings: t, decide: (input) => reconnectDecision(input, t) };
}

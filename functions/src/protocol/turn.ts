/**
 * The TURN relay: what `turnCredentials({})` answers and when a page asks
 * again. The relay (coturn) checks coturn's "TURN REST API" credentials:
 * username `<expiry-unix-seconds>:<uid>`, password
 * base64(HMAC-SHA1(secret, username)), so the functions can mint them
 * without talking to the relay, and a credential is worthless after its
 * expiry. docs/PROTOCOL.md describes this for a client in another language.
 *
 * Pure: no firebase import, so the web bundle includes it.
 */

/** One ICE server, as RTCIceServer spells it (the functions have no DOM types). */
export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** `turnCredentials({})`: STUN and TURN servers for this person, and how long the TURN credential lasts. */
export interface TurnCredentialsResult {
  /**
   * STUN servers first (no credential), then the TURN URLs with this
   * person's username and credential. Use them as `iceServers` as they are.
   */
  readonly iceServers: readonly IceServer[];
  /**
   * How long from now the page may use the credential, in milliseconds. A
   * duration, not a date, so that the page's clock does not matter; already
   * shortened by TURN_CLOCK_SKEW_MS so that a relay whose clock runs ahead
   * of the functions' does not refuse it first.
   */
  readonly validForMs: number;
  /**
   * The deployment's default for random calls: relay only (the other person
   * never learns this person's address). The person's own choice, when made,
   * wins (web/src/config.ts).
   */
  readonly relayOnlyDefault: boolean;
}

/**
 * The longest a credential may live. A leaked credential (it is in the page,
 * so a person can copy theirs) relays for anyone until it expires; an hour
 * bounds that while a page renews once or twice during a long call.
 */
export const TURN_MAX_TTL_SECONDS = 3600;
/** The shortest: below this a page would renew more often than it gains anything. */
export const TURN_MIN_TTL_SECONDS = 300;

/**
 * The relay and the functions keep time separately: a relay whose clock is
 * ahead by this much still accepts a credential the page believes valid.
 * NTP keeps servers within milliseconds; a minute covers a badly drifting one.
 */
export const TURN_CLOCK_SKEW_MS = 60_000;

/**
 * A page asks for fresh credentials when less than this remains, so that a
 * link which restarts ICE or a new call never uses one about to expire, even
 * after a missed renewal (a laptop asleep, a failed request retried).
 */
export const TURN_RENEW_BEFORE_MS = 10 * 60_000;

/** A failed renewal is retried after this long (while the old credential lasts). */
export const TURN_RETRY_MS = 30_000;

/**
 * How long after receiving a credential valid for `validForMs` the page
 * renews it: TURN_RENEW_BEFORE_MS before it lapses; at half its life when
 * it is too short for that (the shortest lifetimes); never sooner than
 * TURN_RETRY_MS, so a broken deployment is not asked in a loop.
 */
export function turnRenewalDelayMs(validForMs: number): number {
  const beforeExpiry = validForMs - TURN_RENEW_BEFORE_MS;
  return Math.max(TURN_RETRY_MS, beforeExpiry, validForMs / 2);
}

/**
 * Whether a credential received at `receivedAtMs` (page clock), valid for
 * `validForMs`, must be renewed before it is used at `nowMs`: its renewal is
 * due (turnRenewalDelayMs), or there is none.
 */
export function turnNeedsRenewal(
  grant: { readonly receivedAtMs: number; readonly validForMs: number } | null,
  nowMs: number,
): boolean {
  return grant === null || nowMs >= grant.receivedAtMs + turnRenewalDelayMs(grant.validForMs);
}

/**
 * Minting TURN credentials in coturn's "TURN REST API" scheme (coturn's
 * `use-auth-secret` + `static-auth-secret`): the relay recomputes the password
 * from the username and the shared secret, and refuses a username whose
 * expiry has passed. Pure (node:crypto only): no Firebase, no clock of its own.
 */
import { createHmac } from 'node:crypto';
import {
  TURN_CLOCK_SKEW_MS,
  TURN_MAX_TTL_SECONDS,
  TURN_MIN_TTL_SECONDS,
  type IceServer,
  type TurnCredentialsResult,
} from '../protocol/turn.js';

/** A TURN credential: the relay accepts it until `expiresAtMs` (relay clock). */
export interface TurnCredential {
  /** `<expiry-unix-seconds>:<uid>`. */
  readonly username: string;
  /** base64(HMAC-SHA1(secret, username)). */
  readonly credential: string;
  readonly expiresAtMs: number;
}

/** The lifetime actually used: the deployment's parameter, held within [TURN_MIN_TTL_SECONDS, TURN_MAX_TTL_SECONDS]. */
export function clampTurnTtlSeconds(ttlSeconds: number): number {
  if (!Number.isFinite(ttlSeconds)) return TURN_MAX_TTL_SECONDS;
  return Math.min(TURN_MAX_TTL_SECONDS, Math.max(TURN_MIN_TTL_SECONDS, Math.floor(ttlSeconds)));
}

/**
 * coturn's password for `username`: base64(HMAC-SHA1(secret, username)),
 * what `printf '%s' "$username" | openssl dgst -sha1 -hmac "$secret" -binary | base64` prints.
 */
export function turnPassword(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username, 'utf8').digest('base64');
}

/**
 * A credential for `uid`, valid `ttlSeconds` (clamped) from `nowMs`. The uid
 * is part of the username so the relay's logs and quotas (user-quota) can
 * tell people apart; it must not contain ':' (Firebase uids do not).
 */
export function mintTurnCredential(secret: string, uid: string, nowMs: number, ttlSeconds: number): TurnCredential {
  if (secret.length === 0) throw new Error('TURN secret is empty');
  if (uid.length === 0 || uid.includes(':')) throw new Error('uid must be non-empty and contain no ":"');
  const expirySeconds = Math.floor(nowMs / 1000) + clampTurnTtlSeconds(ttlSeconds);
  const username = `${expirySeconds}:${uid}`;
  return { username, credential: turnPassword(secret, username), expiresAtMs: expirySeconds * 1000 };
}

/** URL schemes an RTCIceServer accepts (RFC 7064, RFC 7065). */
const STUN_URL = /^stuns?:[^\s,]+$/;
const TURN_URL = /^turns?:[^\s,]+$/;

/**
 * A comma-separated list of URLs of one kind (a deployment parameter), each
 * checked, empty entries dropped. Throws naming the first bad entry: a
 * misconfigured deployment should fail loudly, not hand pages a broken server.
 */
export function parseIceUrls(text: string, kind: 'stun' | 'turn'): string[] {
  const pattern = kind === 'stun' ? STUN_URL : TURN_URL;
  const urls = text
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  for (const url of urls) {
    if (!pattern.test(url))
      throw new Error(`${kind.toUpperCase()} URL ${JSON.stringify(url)} must start with ${kind}: or ${kind}s:`);
  }
  return urls;
}

/** What the deployment configures (functions/src/config.ts). */
export interface TurnSettings {
  readonly secret: string;
  readonly turnUrls: readonly string[];
  readonly stunUrls: readonly string[];
  readonly ttlSeconds: number;
  readonly relayOnlyDefault: boolean;
}

/** The callable's answer for `uid` at `nowMs`: STUN servers, the TURN servers with a fresh credential, how long to use it. */
export function turnCredentialsFor(settings: TurnSettings, uid: string, nowMs: number): TurnCredentialsResult {
  const iceServers: IceServer[] = [];
  if (settings.stunUrls.length > 0) iceServers.push({ urls: [...settings.stunUrls] });
  // Without TURN URLs nothing expires, but the page still asks again after
  // the same lifetime: that is how it learns of a relay added meanwhile.
  let expiresAtMs = nowMs + clampTurnTtlSeconds(settings.ttlSeconds) * 1000;
  if (settings.turnUrls.length > 0) {
    const minted = mintTurnCredential(settings.secret, uid, nowMs, settings.ttlSeconds);
    iceServers.push({ urls: [...settings.turnUrls], username: minted.username, credential: minted.credential });
    expiresAtMs = minted.expiresAtMs;
  }
  const validForMs = Math.max(0, expiresAtMs - nowMs - TURN_CLOCK_SKEW_MS);
  return { iceServers, validForMs, relayOnlyDefault: settings.relayOnlyDefault };
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseTurnCredentialsRequest } from '../../../../functions/src/domain/requests.js';
import {
  clampTurnTtlSeconds,
  mintTurnCredential,
  parseIceUrls,
  turnCredentialsFor,
  turnPassword,
  type TurnSettings,
} from '../../../../functions/src/domain/turn.js';
import {
  TURN_CLOCK_SKEW_MS,
  TURN_MAX_TTL_SECONDS,
  TURN_MIN_TTL_SECONDS,
  TURN_RENEW_BEFORE_MS,
  TURN_RETRY_MS,
  turnNeedsRenewal,
  turnRenewalDelayMs,
} from '../../../../functions/src/protocol/turn.js';
import { assertInvalid } from '../../support/assert-invalid.js';

/*
 * Known values, computed once with coturn's own recipe (the one its
 * documentation gives for the TURN REST API) and hard-coded:
 *   printf '%s' '1700003600:uid-alice' | openssl dgst -sha1 -hmac 'parley-known-secret' -binary | base64
 */
const SECRET = 'parley-known-secret';
const USERNAME = '1700003600:uid-alice';
const PASSWORD = 'B96UaMq8HZXsE7Xhyi3tXdFa2Uc=';

const SETTINGS: TurnSettings = {
  secret: SECRET,
  turnUrls: ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp'],
  stunUrls: ['stun:127.0.0.1:3478'],
  ttlSeconds: 3600,
  relayOnlyDefault: false,
};

describe('TURN credentials (coturn REST scheme)', () => {
  it('computes the password coturn expects: base64(HMAC-SHA1(secret, username))', () => {
    assert.equal(turnPassword(SECRET, USERNAME), PASSWORD);
  });

  it('mints `<expiry-unix-seconds>:<uid>` valid for the TTL from now, with that password', () => {
    const minted = mintTurnCredential(SECRET, 'uid-alice', 1_700_000_000_400, 3600);
    assert.equal(minted.username, USERNAME);
    assert.equal(minted.credential, PASSWORD);
    assert.equal(minted.expiresAtMs, 1_700_003_600_000);
  });

  it('another secret or another expiry gives another password', () => {
    assert.notEqual(turnPassword('another-secret', USERNAME), PASSWORD);
    assert.notEqual(turnPassword(SECRET, '1700003601:uid-alice'), PASSWORD);
  });

  it('never lives longer than an hour, nor shorter than five minutes', () => {
    assert.equal(clampTurnTtlSeconds(86_400), TURN_MAX_TTL_SECONDS);
    assert.equal(clampTurnTtlSeconds(10), TURN_MIN_TTL_SECONDS);
    assert.equal(clampTurnTtlSeconds(1800.7), 1800);
    assert.equal(clampTurnTtlSeconds(Number.NaN), TURN_MAX_TTL_SECONDS);
    const day = mintTurnCredential(SECRET, 'u', 0, 86_400);
    assert.equal(day.expiresAtMs, TURN_MAX_TTL_SECONDS * 1000);
  });

  it('refuses an empty secret and a uid that would break the username', () => {
    assert.throws(() => mintTurnCredential('', 'u', 0, 3600), /secret/);
    assert.throws(() => mintTurnCredential(SECRET, 'a:b', 0, 3600), /uid/);
    assert.throws(() => mintTurnCredential(SECRET, '', 0, 3600), /uid/);
  });
});

describe("turnCredentialsFor (the callable's answer)", () => {
  it('returns STUN, then TURN with the credential, and a validity shortened for clock skew', () => {
    const result = turnCredentialsFor(SETTINGS, 'uid-alice', 1_700_000_000_000);
    assert.deepEqual(result.iceServers, [
      { urls: ['stun:127.0.0.1:3478'] },
      { urls: SETTINGS.turnUrls, username: USERNAME, credential: PASSWORD },
    ]);
    assert.equal(result.validForMs, 3600_000 - TURN_CLOCK_SKEW_MS);
    assert.equal(result.relayOnlyDefault, false);
  });

  it("passes the deployment's relay-only default on", () => {
    assert.equal(turnCredentialsFor({ ...SETTINGS, relayOnlyDefault: true }, 'u', 0).relayOnlyDefault, true);
  });

  it('without TURN URLs: STUN only, no credential, asked again after the same lifetime', () => {
    const result = turnCredentialsFor({ ...SETTINGS, turnUrls: [], secret: '' }, 'u', 0);
    assert.deepEqual(result.iceServers, [{ urls: ['stun:127.0.0.1:3478'] }]);
    assert.equal(result.validForMs, 3600_000 - TURN_CLOCK_SKEW_MS);
  });
});

describe('parseIceUrls (TURN_URLS, STUN_URLS)', () => {
  it('splits on commas, trims, drops empty entries', () => {
    assert.deepEqual(parseIceUrls(' turn:a:3478?transport=udp, turns:a:443?transport=tcp ,', 'turn'), [
      'turn:a:3478?transport=udp',
      'turns:a:443?transport=tcp',
    ]);
    assert.deepEqual(parseIceUrls('', 'stun'), []);
  });

  it('refuses a URL of the wrong kind, naming it', () => {
    assert.throws(() => parseIceUrls('stun:a:3478', 'turn'), /"stun:a:3478"/);
    assert.throws(() => parseIceUrls('https://a', 'stun'), /"https:\/\/a"/);
  });
});

describe('renewal timing (page side)', () => {
  it('renews ten minutes before expiry for an hour-long credential', () => {
    const validFor = 3600_000 - TURN_CLOCK_SKEW_MS;
    assert.equal(turnRenewalDelayMs(validFor), validFor - TURN_RENEW_BEFORE_MS);
  });

  it('renews at half-life when the credential is short, never sooner than the retry delay', () => {
    assert.equal(turnRenewalDelayMs(300_000 - TURN_CLOCK_SKEW_MS), (300_000 - TURN_CLOCK_SKEW_MS) / 2);
    assert.equal(turnRenewalDelayMs(0), TURN_RETRY_MS);
  });

  it('needs renewal with no credential, and once the renewal is due', () => {
    const grant = { receivedAtMs: 1_000, validForMs: 3600_000 - TURN_CLOCK_SKEW_MS };
    const due = grant.receivedAtMs + turnRenewalDelayMs(grant.validForMs);
    assert.equal(turnNeedsRenewal(null, 0), true);
    assert.equal(turnNeedsRenewal(grant, 1_000), false);
    assert.equal(turnNeedsRenewal(grant, due - 1), false);
    assert.equal(turnNeedsRenewal(grant, due), true);
    // More than ten minutes always remain while no renewal is due.
    assert.ok(grant.receivedAtMs + grant.validForMs - (due - 1) > TURN_RENEW_BEFORE_MS);
  });
});

describe('parseTurnCredentialsRequest', () => {
  it('accepts nothing, null and an empty object', () => {
    assert.deepEqual(parseTurnCredentialsRequest(undefined), {});
    assert.deepEqual(parseTurnCredentialsRequest(null), {});
    assert.deepEqual(parseTurnCredentialsRequest({}), {});
  });

  it('refuses any key: it takes none', () => {
    assertInvalid(() => parseTurnCredentialsRequest({ uid: 'someone-else' }), /does not take \(it takes no fields\)/, 'data');
    assertInvalid(() => parseTurnCredentialsRequest({ ttl: 86400 }), /does not take/, 'data');
  });

  it('refuses __proto__, whether an own key or a replaced prototype', () => {
    assertInvalid(() => parseTurnCredentialsRequest(JSON.parse('{"__proto__": {"ttl": 1}}')), /__proto__/, 'data');
    const decoded: Record<string, unknown> = {};
    Object.setPrototypeOf(decoded, { ttl: 86400 });
    assertInvalid(() => parseTurnCredentialsRequest(decoded), /__proto__/, 'data');
  });

  it('refuses what is not an object', () => {
    for (const value of ['x', 1, true, []]) assertInvalid(() => parseTurnCredentialsRequest(value), /no arguments/, 'data');
  });
});

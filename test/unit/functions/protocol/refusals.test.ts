import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseRefusal, REFUSAL_CODES } from '../../../../functions/src/protocol/refusals.js';

describe('REFUSAL_CODES', () => {
  it('lists each code once', () => {
    assert.equal(new Set(REFUSAL_CODES).size, REFUSAL_CODES.length);
    assert.deepEqual([...REFUSAL_CODES].sort(), [
      'app-not-verified',
      'banned',
      'contended',
      'invalid-request',
      'not-in-call',
      'not-signed-in',
      'rate-limited',
      'relay-not-configured',
    ]);
  });
});

describe('parseRefusal', () => {
  it('reads each refusal as the functions send it', () => {
    assert.deepEqual(parseRefusal({ code: 'rate-limited', retryAfterMs: 1500 }), { code: 'rate-limited', retryAfterMs: 1500 });
    assert.deepEqual(parseRefusal({ code: 'banned', until: 1_700_000_000_000 }), { code: 'banned', until: 1_700_000_000_000 });
    assert.deepEqual(parseRefusal({ code: 'invalid-request', field: 'room' }), { code: 'invalid-request', field: 'room' });
    assert.deepEqual(parseRefusal({ code: 'invalid-request', field: 'offer.sdp', limit: 16384 }), {
      code: 'invalid-request',
      field: 'offer.sdp',
      limit: 16384,
    });
    for (const code of ['not-signed-in', 'app-not-verified', 'not-in-call', 'contended', 'relay-not-configured']) {
      assert.deepEqual(parseRefusal({ code }), { code });
    }
  });

  it('accepts every listed code with its parameters', () => {
    const params: Record<string, object> = {
      'rate-limited': { retryAfterMs: 0 },
      banned: { until: 0 },
      'invalid-request': { field: 'data' },
    };
    for (const code of REFUSAL_CODES) assert.equal(parseRefusal({ code, ...params[code] })?.code, code);
  });

  it('returns a fresh object with the refusal fields only', () => {
    const details = { code: 'rate-limited', retryAfterMs: 10, message: 'x', extra: { y: 1 } };
    const refusal = parseRefusal(details);
    assert.deepEqual(refusal, { code: 'rate-limited', retryAfterMs: 10 });
    assert.notEqual(refusal, details);
    assert.deepEqual(parseRefusal({ code: 'contended', retryAfterMs: 5 }), { code: 'contended' });
  });

  it('is null for what is not an object', () => {
    for (const details of [undefined, null, 'rate-limited', 42, true, [], [{ code: 'contended' }]]) {
      assert.equal(parseRefusal(details), null, JSON.stringify(details));
    }
  });

  it('is null for a missing or unknown code, including names of Object.prototype', () => {
    for (const code of [undefined, null, 7, '', 'RATE-LIMITED', 'not-found', 'toString', 'constructor', '__proto__']) {
      assert.equal(parseRefusal({ code }), null, String(code));
    }
    assert.equal(parseRefusal({}), null);
  });

  it('is null when a parameter is missing or of the wrong type', () => {
    for (const details of [
      { code: 'rate-limited' },
      { code: 'rate-limited', retryAfterMs: '1000' },
      { code: 'rate-limited', retryAfterMs: -1 },
      { code: 'rate-limited', retryAfterMs: Number.NaN },
      { code: 'rate-limited', retryAfterMs: Number.POSITIVE_INFINITY },
      { code: 'banned' },
      // The shape before codes: an ISO time.
      { code: 'banned', until: '2024-01-02T03:04:05.678Z' },
      { code: 'invalid-request' },
      { code: 'invalid-request', field: 3 },
      { code: 'invalid-request', field: 'room', limit: '64' },
      { code: 'invalid-request', field: 'room', limit: null },
    ]) {
      assert.equal(parseRefusal(details), null, JSON.stringify(details));
    }
  });

  it('reads own properties only, never inherited ones', () => {
    assert.equal(parseRefusal(Object.create({ code: 'contended' })), null);
    const inherited = Object.create({ retryAfterMs: 10 }) as Record<string, unknown>;
    inherited['code'] = 'rate-limited';
    assert.equal(parseRefusal(inherited), null);
    assert.equal(parseRefusal(JSON.parse('{"__proto__": {"code": "contended"}}')), null);
  });
});

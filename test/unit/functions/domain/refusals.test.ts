import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  AppNotVerified,
  Banned,
  Contended,
  HTTPS_ERROR_CODES,
  InvalidRequest,
  NotInCall,
  NotSignedIn,
  RateLimited,
  RefusalError,
  RelayNotConfigured,
} from '../../../../functions/src/domain/refusals.js';
import { parseRefusal, REFUSAL_CODES } from '../../../../functions/src/protocol/refusals.js';

/** One of each refusal the functions throw, with the refusal it must carry. */
const EVERY_REFUSAL: ReadonlyArray<readonly [RefusalError, unknown]> = [
  [new RateLimited('join', 12_000), { code: 'rate-limited', retryAfterMs: 12_000 }],
  [new Banned(Date.UTC(2024, 0, 2)), { code: 'banned', until: Date.UTC(2024, 0, 2) }],
  [new InvalidRequest('room', 'bad room'), { code: 'invalid-request', field: 'room' }],
  [new InvalidRequest('offer.sdp', 'too long', 16_384), { code: 'invalid-request', field: 'offer.sdp', limit: 16_384 }],
  [new NotSignedIn(), { code: 'not-signed-in' }],
  [new AppNotVerified(), { code: 'app-not-verified' }],
  [new NotInCall(), { code: 'not-in-call' }],
  [new Contended(), { code: 'contended' }],
  [new RelayNotConfigured(), { code: 'relay-not-configured' }],
];

describe('refusal classes', () => {
  it('every one carries its code and parameters, which parseRefusal reads back as they are', () => {
    for (const [err, refusal] of EVERY_REFUSAL) {
      assert.ok(err instanceof RefusalError && err instanceof Error, err.constructor.name);
      assert.deepEqual(err.refusal, refusal, err.constructor.name);
      assert.deepEqual(
        parseRefusal(JSON.parse(JSON.stringify(err.refusal))),
        refusal,
        `${err.constructor.name} survives the wire`,
      );
    }
  });

  it('together they use every code the protocol declares, and no other', () => {
    assert.deepEqual(new Set(EVERY_REFUSAL.map(([err]) => err.refusal.code)), new Set(REFUSAL_CODES));
  });

  it('messages are short English for logs, and say nothing the client sent', () => {
    for (const [err] of EVERY_REFUSAL) {
      assert.ok(err.message.length > 0 && err.message.length < 200, `${err.constructor.name}: ${err.message}`);
    }
  });
});

describe('HTTPS_ERROR_CODES', () => {
  it('keeps the callable error code each refusal had before it had a code of its own', () => {
    assert.deepEqual(HTTPS_ERROR_CODES, {
      'rate-limited': 'resource-exhausted',
      banned: 'permission-denied',
      'invalid-request': 'invalid-argument',
      'not-signed-in': 'unauthenticated',
      'app-not-verified': 'failed-precondition',
      'not-in-call': 'not-found',
      contended: 'aborted',
      'relay-not-configured': 'failed-precondition',
    });
  });

  it('has one for every refusal code', () => {
    assert.deepEqual(Object.keys(HTTPS_ERROR_CODES).sort(), [...REFUSAL_CODES].sort());
  });
});

describe('RateLimited', () => {
  it('carries its action and wait', () => {
    const err = new RateLimited('report', 12_000);
    assert.equal(err.action, 'report');
    assert.equal(err.retryAfterMs, 12_000);
  });

  it('names the action and says when to retry in whole seconds, rounded up, at least 1', () => {
    assert.equal(new RateLimited('report', 12_000).message, 'Too many report requests in a short time. Try again in 12 s.');
    assert.match(new RateLimited('block', 12_001).message, /Try again in 13 s\.$/);
    assert.match(new RateLimited('join', 999).message, /Try again in 1 s\.$/);
    assert.match(new RateLimited('join', 0).message, /Try again in 1 s\.$/);
    assert.match(new RateLimited('join', -5_000).message, /Try again in 1 s\.$/);
  });
});

describe('Banned', () => {
  const until = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

  it('carries the end of the ban, in epoch ms in its refusal', () => {
    const err = new Banned(until);
    assert.equal(err.untilMs, until);
    assert.deepEqual(err.refusal, { code: 'banned', until });
  });

  it('says until when, as an ISO time, for the logs', () => {
    assert.match(new Banned(until).message, /reports from several people, until 2024-01-02T03:04:05\.678Z/);
  });
});

describe('Contended', () => {
  it('keeps its code whatever the message (link calls say what raced)', () => {
    assert.deepEqual(new Contended('Many entered this call at once.').refusal, { code: 'contended' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Banned, NotInCall, RateLimited, Refusal } from '../../../../functions/src/domain/refusals.js';

describe('RateLimited', () => {
  it('is a Refusal and an Error carrying its action and wait', () => {
    const err = new RateLimited('report', 12_000);
    assert.ok(err instanceof Refusal);
    assert.ok(err instanceof Error);
    assert.equal(err.action, 'report');
    assert.equal(err.retryAfterMs, 12_000);
  });

  it('names the action and says when to retry in seconds', () => {
    assert.equal(new RateLimited('report', 12_000).message, 'Too many report requests in a short time. Try again in 12 s.');
  });

  it('rounds a partial second up', () => {
    assert.match(new RateLimited('block', 12_001).message, /Try again in 13 s\.$/);
    assert.match(new RateLimited('block', 1_500).message, /Try again in 2 s\.$/);
  });

  it('says at least 1 s for a wait under a second', () => {
    assert.match(new RateLimited('join', 1).message, /Try again in 1 s\.$/);
    assert.match(new RateLimited('join', 999).message, /Try again in 1 s\.$/);
  });

  it('says at least 1 s for a zero or negative wait', () => {
    assert.match(new RateLimited('join', 0).message, /Try again in 1 s\.$/);
    assert.match(new RateLimited('join', -5_000).message, /Try again in 1 s\.$/);
  });

  it('uses whole seconds only', () => {
    for (const ms of [1, 999, 1_000, 1_001, 59_999, 3_600_000]) {
      const seconds = /Try again in (\S+) s\./.exec(new RateLimited('x', ms).message)?.[1];
      assert.ok(seconds !== undefined && /^[1-9][0-9]*$/.test(seconds), `${ms} ms → ${String(seconds)}`);
    }
  });
});

describe('Banned', () => {
  const until = Date.UTC(2024, 0, 2, 3, 4, 5, 678);

  it('is a Refusal and carries the end of the ban', () => {
    const err = new Banned(until);
    assert.ok(err instanceof Refusal);
    assert.ok(err instanceof Error);
    assert.equal(err.untilMs, until);
  });

  it('includes the ISO time the ban ends', () => {
    assert.ok(new Banned(until).message.includes('2024-01-02T03:04:05.678Z'));
  });

  it('explains why and that the person can try again', () => {
    const message = new Banned(until).message;
    assert.match(message, /reported you/);
    assert.match(message, /try again after 2024-01-02T03:04:05\.678Z/);
  });
});

describe('NotInCall', () => {
  it('is a Refusal', () => {
    assert.ok(new NotInCall() instanceof Refusal);
  });

  it('explains that the call id does not involve the caller', () => {
    assert.match(new NotInCall().message, /No recent call with that id involves you/);
  });

  it('explains the hour window for Report and Block', () => {
    assert.match(new NotInCall().message, /during a call and for an hour after it/);
  });
});

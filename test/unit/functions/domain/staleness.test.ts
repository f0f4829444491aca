import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MAX_CALL_AGE_MS, UNANSWERED_CALL_MS } from '../../../../functions/src/domain/limits.js';
import {
  DEFAULT_STALENESS,
  isStaleCall,
  isStaleWaitingEntry,
  type StalenessPolicy,
} from '../../../../functions/src/domain/staleness.js';

const NOW = 1_700_000_000_000;

describe('DEFAULT_STALENESS', () => {
  it('uses the limits from limits.ts', () => {
    assert.deepEqual(DEFAULT_STALENESS, {
      unansweredCallMs: UNANSWERED_CALL_MS,
      maxCallAgeMs: MAX_CALL_AGE_MS,
    });
  });

  it('is one minute unanswered and four hours at most', () => {
    assert.equal(DEFAULT_STALENESS.unansweredCallMs, 60_000);
    assert.equal(DEFAULT_STALENESS.maxCallAgeMs, 4 * 60 * 60 * 1000);
  });
});

describe('isStaleWaitingEntry', () => {
  it('keeps an entry whose lease still runs', () => {
    assert.equal(isStaleWaitingEntry({ leaseExpiresAtMs: NOW + 1 }, NOW), false);
  });

  it('deletes an entry whose lease expires exactly now', () => {
    assert.equal(isStaleWaitingEntry({ leaseExpiresAtMs: NOW }, NOW), true);
  });

  it('deletes an entry whose lease lapsed', () => {
    assert.equal(isStaleWaitingEntry({ leaseExpiresAtMs: NOW - 1 }, NOW), true);
  });
});

describe('isStaleCall with the default policy', () => {
  // A random call as the sweeper sees it: the joiner's mailbox read, with
  // `writes` writes (0: created by join, never written).
  const unanswered = (ageMs: number) => ({ kind: 'random' as const, createdAtMs: NOW - ageMs, joinerWrites: 0 });
  const answered = (ageMs: number) => ({ kind: 'random' as const, createdAtMs: NOW - ageMs, joinerWrites: 1 });

  it('keeps a brand-new unanswered call', () => {
    assert.equal(isStaleCall(unanswered(0), NOW), false);
  });

  it('keeps an unanswered call one millisecond short of the timeout', () => {
    assert.equal(isStaleCall(unanswered(UNANSWERED_CALL_MS - 1), NOW), false);
  });

  it('deletes an unanswered call exactly at the timeout', () => {
    assert.equal(isStaleCall(unanswered(UNANSWERED_CALL_MS), NOW), true);
  });

  it('deletes an unanswered call past the timeout', () => {
    assert.equal(isStaleCall(unanswered(UNANSWERED_CALL_MS + 1), NOW), true);
  });

  it('deletes an unanswered call past the max age', () => {
    assert.equal(isStaleCall(unanswered(MAX_CALL_AGE_MS + 1), NOW), true);
  });

  it('deletes a call whose joiner mailbox is missing past the timeout: nobody can answer it', () => {
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - UNANSWERED_CALL_MS, joinerWrites: null }, NOW), true);
  });

  it('keeps a call past the timeout whose joiner mailbox was not read: no conversation ends on a fact nobody looked up', () => {
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - UNANSWERED_CALL_MS }, NOW), false);
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - MAX_CALL_AGE_MS }, NOW), true, 'the max age needs no mailbox');
  });

  it('keeps an answered call past the unanswered timeout', () => {
    assert.equal(isStaleCall(answered(UNANSWERED_CALL_MS), NOW), false);
    assert.equal(isStaleCall(answered(UNANSWERED_CALL_MS * 10), NOW), false);
    assert.equal(
      isStaleCall({ kind: 'random', createdAtMs: NOW - UNANSWERED_CALL_MS, joinerWrites: 7 }, NOW),
      false,
      'renegotiated since',
    );
  });

  it('keeps an answered call one millisecond short of the max age', () => {
    assert.equal(isStaleCall(answered(MAX_CALL_AGE_MS - 1), NOW), false);
  });

  it('deletes an answered call exactly at the max age', () => {
    assert.equal(isStaleCall(answered(MAX_CALL_AGE_MS), NOW), true);
  });

  it('deletes an answered call past the max age', () => {
    assert.equal(isStaleCall(answered(MAX_CALL_AGE_MS + 1), NOW), true);
  });

  it('keeps a call created in the future (clock skew)', () => {
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW + 5_000, joinerWrites: 0 }, NOW), false);
  });
});

describe('isStaleCall with a custom policy', () => {
  const policy: StalenessPolicy = { unansweredCallMs: 1_000, maxCallAgeMs: 5_000 };

  it('uses the custom unanswered timeout', () => {
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - 999, joinerWrites: 0 }, NOW, policy), false);
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - 1_000, joinerWrites: 0 }, NOW, policy), true);
  });

  it('uses the custom max age for answered calls', () => {
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - 4_999, joinerWrites: 1 }, NOW, policy), false);
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - 5_000, joinerWrites: 1 }, NOW, policy), true);
  });

  it('differs from the default policy on the same call', () => {
    const call = { kind: 'random' as const, createdAtMs: NOW - 2_000, joinerWrites: 0 };
    assert.equal(isStaleCall(call, NOW), false);
    assert.equal(isStaleCall(call, NOW, policy), true);
  });

  it('applies the max age to unanswered calls when it is shorter than the timeout', () => {
    const odd: StalenessPolicy = { unansweredCallMs: 10_000, maxCallAgeMs: 2_000 };
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - 1_999, joinerWrites: 0 }, NOW, odd), false);
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - 2_000, joinerWrites: 0 }, NOW, odd), true);
  });
});

describe('isStaleCall for a call by link', () => {
  it('never calls a link call unanswered: it has no answer', () => {
    assert.equal(isStaleCall({ kind: 'link', createdAtMs: NOW - UNANSWERED_CALL_MS - 1, joinerWrites: null }, NOW), false);
    assert.equal(isStaleCall({ kind: 'random', createdAtMs: NOW - UNANSWERED_CALL_MS, joinerWrites: null }, NOW), true);
  });

  it('ends a link call after the longest call, like any call', () => {
    assert.equal(isStaleCall({ kind: 'link', createdAtMs: NOW - MAX_CALL_AGE_MS + 1 }, NOW), false);
    assert.equal(isStaleCall({ kind: 'link', createdAtMs: NOW - MAX_CALL_AGE_MS }, NOW), true);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_RECONNECT_TIMINGS as T,
  reconnectDecision,
  reconnectPolicy,
  type ReconnectInput,
} from '../../../../web/src/engine/reconnect-policy.js';

const base: ReconnectInput = { state: 'interrupted', attempts: 0, offerer: true, downForMs: 0 };

describe('reconnectDecision', () => {
  it('gives an interrupted link time to heal before the first restart', () => {
    assert.deepEqual(reconnectDecision(base), { action: 'restart', inMs: T.healMs });
    // Part of that time already passed: only the rest is waited.
    assert.deepEqual(reconnectDecision({ ...base, downForMs: 1_000 }), { action: 'restart', inMs: T.healMs - 1_000 });
  });

  it('restarts a failed link at once: failed never heals by itself', () => {
    assert.deepEqual(reconnectDecision({ ...base, state: 'failed' }), { action: 'restart', inMs: 0 });
  });

  it('lets the end that made the first offer lead; the other follows later', () => {
    const offerer = reconnectDecision(base);
    const answerer = reconnectDecision({ ...base, offerer: false });
    assert.equal(offerer.action, 'restart');
    assert.equal(answerer.action, 'restart');
    if (offerer.action === 'restart' && answerer.action === 'restart')
      assert.equal(answerer.inMs - offerer.inMs, T.answererDelayMs);
  });

  it('backs off exponentially between restarts that did not help', () => {
    const delays = [1, 2, 3, 4].map((attempts) => reconnectDecision({ ...base, state: 'failed', attempts }));
    assert.deepEqual(
      delays.map((d) => (d.action === 'restart' ? d.inMs : -1)),
      [T.backoffMs, 2 * T.backoffMs, 4 * T.backoffMs, 8 * T.backoffMs],
    );
  });

  it('gives up after the most restarts or the longest time', () => {
    assert.deepEqual(reconnectDecision({ ...base, attempts: T.maxAttempts }), { action: 'give-up' });
    assert.deepEqual(reconnectDecision({ ...base, downForMs: T.giveUpAfterMs }), { action: 'give-up' });
    assert.equal(reconnectDecision({ ...base, attempts: T.maxAttempts - 1, downForMs: T.giveUpAfterMs - 1 }).action, 'restart');
  });

  it('treats nonsense input as a fresh drop', () => {
    assert.deepEqual(reconnectDecision({ ...base, attempts: Number.NaN, downForMs: -5 }), { action: 'restart', inMs: T.healMs });
  });

  it('a policy carries its timings, with overrides', () => {
    const policy = reconnectPolicy({ giveUpAfterMs: 10_000 });
    assert.equal(policy.timings.giveUpAfterMs, 10_000);
    assert.deepEqual(policy.decide({ ...base, downForMs: 10_000 }), { action: 'give-up' });
    assert.equal(policy.timings.healMs, T.healMs);
  });
});
